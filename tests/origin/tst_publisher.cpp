// The origin's publish protocol: staged files are invisible, a commit checks every
// file and swaps the title in with one rename, hostile names are refused.

#include "origin/publisher.h"

#include <QDir>
#include <QFile>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

using namespace rs;
using origin::Publisher;

namespace {
QByteArray readAll(const QString &path) {
  QFile f(path);
  return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray("<missing>");
}
}  // namespace

class TestPublisher : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void commitMovesEveryFileIntoPlace() {
    QTemporaryDir root;
    Publisher p(root.path());
    QVERIFY(p.recover().isOk());
    QVERIFY(p.putFile(QStringLiteral("t_1"), QStringLiteral("p1"), QStringLiteral("manifest.mpd"), "mpd").isOk());
    QVERIFY(p.putFile(QStringLiteral("t_1"), QStringLiteral("p1"), QStringLiteral("video/720p/seg-1.m4s"), "segment").isOk());
    QVERIFY(!QFileInfo::exists(root.filePath(QStringLiteral("t_1"))));  // nothing visible before commit
    const Status s = p.commit(QStringLiteral("t_1"), QStringLiteral("p1"),
                              QJsonObject{{QStringLiteral("manifest.mpd"), 3}, {QStringLiteral("video/720p/seg-1.m4s"), 7}});
    QVERIFY2(s.isOk(), qPrintable(s.message()));
    QCOMPARE(readAll(root.filePath(QStringLiteral("t_1/video/720p/seg-1.m4s"))), QByteArray("segment"));
    QVERIFY(QDir(root.filePath(QStringLiteral(".staging"))).isEmpty());
  }

  void commitRefusesMissingShortOrExtraFiles() {
    QTemporaryDir root;
    Publisher p(root.path());
    QVERIFY(p.recover().isOk());
    QVERIFY(p.putFile(QStringLiteral("t_2"), QStringLiteral("p"), QStringLiteral("a.m4s"), "12345").isOk());
    QVERIFY(p.putFile(QStringLiteral("t_2"), QStringLiteral("p"), QStringLiteral("b.m4s"), "1").isOk());
    Status s = p.commit(QStringLiteral("t_2"), QStringLiteral("p"), QJsonObject{{QStringLiteral("a.m4s"), 5}, {QStringLiteral("c.m4s"), 1}});
    QCOMPARE(s.code(), ErrorCode::Conflict);
    QVERIFY(s.message().contains(QStringLiteral("c.m4s")));
    s = p.commit(QStringLiteral("t_2"), QStringLiteral("p"), QJsonObject{{QStringLiteral("a.m4s"), 6}, {QStringLiteral("b.m4s"), 1}});
    QCOMPARE(s.code(), ErrorCode::Conflict);
    s = p.commit(QStringLiteral("t_2"), QStringLiteral("p"), QJsonObject{{QStringLiteral("a.m4s"), 5}});
    QCOMPARE(s.code(), ErrorCode::Conflict);  // b.m4s staged but not listed
    QVERIFY(!QFileInfo::exists(root.filePath(QStringLiteral("t_2"))));
    QCOMPARE(p.commit(QStringLiteral("t_9"), QStringLiteral("p"), QJsonObject{{QStringLiteral("a"), 1}}).code(), ErrorCode::NotFound);
  }

  void republishSwapsAtomicallyAndDropsTheOldTree() {
    QTemporaryDir root;
    Publisher p(root.path());
    QVERIFY(p.recover().isOk());
    QVERIFY(p.putFile(QStringLiteral("t_3"), QStringLiteral("a"), QStringLiteral("old.txt"), "old").isOk());
    QVERIFY(p.commit(QStringLiteral("t_3"), QStringLiteral("a"), QJsonObject{{QStringLiteral("old.txt"), 3}}).isOk());
    QVERIFY(p.putFile(QStringLiteral("t_3"), QStringLiteral("b"), QStringLiteral("new.txt"), "new").isOk());
    QVERIFY(p.commit(QStringLiteral("t_3"), QStringLiteral("b"), QJsonObject{{QStringLiteral("new.txt"), 3}}).isOk());
    QVERIFY(!QFileInfo::exists(root.filePath(QStringLiteral("t_3/old.txt"))));
    QCOMPARE(readAll(root.filePath(QStringLiteral("t_3/new.txt"))), QByteArray("new"));
    QVERIFY(QDir(root.filePath(QStringLiteral(".staging"))).isEmpty());
  }

  void hostileNamesAreRefused_data() {
    QTest::addColumn<QString>("title");
    QTest::addColumn<QString>("path");
    QTest::newRow("dotdot path") << u"t_4"_qs << u"../../etc/passwd"_qs;
    QTest::newRow("dot segment") << u"t_4"_qs << u"video/../x"_qs;
    QTest::newRow("hidden file") << u"t_4"_qs << u".htaccess"_qs;
    QTest::newRow("absolute") << u"t_4"_qs << u"/etc/passwd"_qs;
    QTest::newRow("empty segment") << u"t_4"_qs << u"a//b"_qs;
    QTest::newRow("backslash") << u"t_4"_qs << u"a\\b"_qs;
    QTest::newRow("title with slash") << u"../t"_qs << u"a"_qs;
    QTest::newRow("title with dot") << u".staging"_qs << u"a"_qs;
  }
  void hostileNamesAreRefused() {
    QFETCH(QString, title);
    QFETCH(QString, path);
    QTemporaryDir root;
    Publisher p(root.path());
    QVERIFY(p.recover().isOk());
    QCOMPARE(p.putFile(title, QStringLiteral("p"), path, "x").code(), ErrorCode::BadRequest);
    QCOMPARE(QDir(root.path()).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden), QStringList{u".staging"_qs});
    QVERIFY(QDir(root.filePath(QStringLiteral(".staging"))).isEmpty());
  }

  void recoverDropsUncommittedStagingAndUnpublishRemoves() {
    QTemporaryDir root;
    {
      Publisher p(root.path());
      QVERIFY(p.recover().isOk());
      QVERIFY(p.putFile(QStringLiteral("t_5"), QStringLiteral("dead"), QStringLiteral("x"), "x").isOk());
      QVERIFY(p.putFile(QStringLiteral("t_6"), QStringLiteral("ok"), QStringLiteral("x"), "x").isOk());
      QVERIFY(p.commit(QStringLiteral("t_6"), QStringLiteral("ok"), QJsonObject{{QStringLiteral("x"), 1}}).isOk());
    }
    Publisher again(root.path());  // as after a restart
    QVERIFY(again.recover().isOk());
    QVERIFY(QDir(root.filePath(QStringLiteral(".staging"))).isEmpty());
    QVERIFY(QFileInfo::exists(root.filePath(QStringLiteral("t_6/x"))));
    QVERIFY(again.unpublish(QStringLiteral("t_6")).isOk());
    QVERIFY(!QFileInfo::exists(root.filePath(QStringLiteral("t_6"))));
    QCOMPARE(again.unpublish(QStringLiteral("t_6")).code(), ErrorCode::NotFound);
  }
};

QTEST_GUILESS_MAIN(TestPublisher)
#include "tst_publisher.moc"
