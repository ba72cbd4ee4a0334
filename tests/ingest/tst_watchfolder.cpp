// The watch folder: files dropped into it go through the same pipeline as uploads
// (real ingest role in a RoleHost, real control in its own process) and end up in
// .done or .failed (with the reason beside them); other files are left alone, and a
// file still being written is not taken until it has stopped changing.

#include "ingest/watchfolder.h"
#include "ingesthost.h"

#include <QCryptographicHash>
#include <QDir>
#include <QTest>

using namespace rs::test::ingest;

namespace {

bool writeFile(const QString &path, const QByteArray &data) {
  QFile f(path);
  return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(data) == data.size();
}

QString sha256(const QByteArray &data) {
  return QString::fromLatin1(QCryptographicHash::hash(data, QCryptographicHash::Sha256).toHex());
}

}  // namespace

class tst_WatchFolder : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir tmp_;
  std::unique_ptr<ControlProcess> control_;
  std::unique_ptr<IngestHost> host_;
  QString watch_;
  QByteArray clip_;

  // The titles control has with this source hash.
  QJsonArray titlesWithSha(const QString &sha) {
    return json(request(control_->port(), "GET", "/control/v1/titles?sha256=" + sha.toLatin1())).value(u"titles"_s).toArray();
  }

  static bool waitFor(const std::function<bool()> &condition, int timeoutMs) {
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < timeoutMs) {
      if (condition()) return true;
      QThread::msleep(100);
    }
    return condition();
  }

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(tmp_.isValid());
    clip_ = makeClip(tmp_.filePath(u"clip.mp4"_s), u"testsrc2=size=320x240:rate=25"_s);
    QVERIFY(clip_.size() > 10000);
    control_ = std::make_unique<ControlProcess>();
    QVERIFY(control_->port() != 0);
    watch_ = tmp_.filePath(u"watch"_s);
    host_ = std::make_unique<IngestHost>(tmp_.filePath(u"data"_s), *control_, QStringList{u"--watch-folder"_s, watch_});
    QVERIFY2(host_->ok(), qPrintable(host_->error()));
    QVERIFY(QDir(watch_).exists());  // created when missing
  }

  void mediaLooksLikeMedia() {
    using rs::ingest::WatchFolder;
    QVERIFY(WatchFolder::looksLikeMedia(u"a.mp4"));
    QVERIFY(WatchFolder::looksLikeMedia(u"Holiday.MKV"));
    QVERIFY(WatchFolder::looksLikeMedia(u"x.y.webm"));
    QVERIFY(!WatchFolder::looksLikeMedia(u"notes.txt"));
    QVERIFY(!WatchFolder::looksLikeMedia(u"mp4"));
    QVERIFY(!WatchFolder::looksLikeMedia(u"clip.mp4.part"));
  }

  void acceptedAndRejectedFilesAreSorted() {
    const QByteArray good = uniqueMp4(clip_);
    QVERIFY(writeFile(watch_ + u"/good.mp4"_s, good));
    QVERIFY(writeFile(watch_ + u"/bad.mp4"_s, "not a video at all\n"));
    QVERIFY(writeFile(watch_ + u"/notes.txt"_s, "left alone\n"));
    QVERIFY(writeFile(watch_ + u"/.partial.mp4"_s, "hidden: a copy in progress\n"));

    QVERIFY2(waitFor([&] { return QFile::exists(watch_ + u"/.done/good.mp4"_s) && QFile::exists(watch_ + u"/.failed/bad.mp4"_s); }, 20000),
             qPrintable(QDir(watch_).entryList(QDir::AllEntries | QDir::Hidden).join(u' ')));
    QVERIFY(!QFile::exists(watch_ + u"/good.mp4"_s));
    QVERIFY(!QFile::exists(watch_ + u"/bad.mp4"_s));
    QVERIFY(QFile::exists(watch_ + u"/notes.txt"_s));
    QVERIFY(QFile::exists(watch_ + u"/.partial.mp4"_s));
    QCOMPARE(readFile(watch_ + u"/.done/good.mp4"_s), good);
    const QString reason = QString::fromUtf8(readFile(watch_ + u"/.failed/bad.mp4.reason.txt"_s)).trimmed();
    QVERIFY2(reason.startsWith(u"not a media file"_s), qPrintable(reason));

    const QJsonArray titles = titlesWithSha(sha256(good));
    QCOMPARE(titles.size(), 1);
    const QJsonObject t = titles.first().toObject();
    QCOMPARE(t.value(u"state"_s).toString(), u"queued"_s);
    QCOMPARE(t.value(u"name"_s).toString(), u"good"_s);
    QVERIFY(request(host_->port(), "GET", "/api/v1/sources/" + t.value(u"id"_s).toString().toUtf8(),
                    {{"Authorization", control_->service()}}).body == good);

    // The same file again: a duplicate, sorted into .failed under a fresh name.
    QVERIFY(writeFile(watch_ + u"/good.mp4"_s, good));
    QVERIFY(waitFor([&] { return QFile::exists(watch_ + u"/.failed/good.mp4.reason.txt"_s); }, 20000));
    QCOMPARE(QString::fromUtf8(readFile(watch_ + u"/.failed/good.mp4.reason.txt"_s)).trimmed(),
             u"identical to title %1 (same SHA-256)"_s.arg(t.value(u"id"_s).toString()));
    // A second rejected file of an existing name never overwrites the first.
    QVERIFY(writeFile(watch_ + u"/bad.mp4"_s, "still not a video\n"));
    QVERIFY(waitFor([&] { return QFile::exists(watch_ + u"/.failed/bad-2.mp4.reason.txt"_s); }, 20000));
    QCOMPARE(readFile(watch_ + u"/.failed/bad.mp4"_s), QByteArray("not a video at all\n"));
    QCOMPARE(readFile(watch_ + u"/.failed/bad-2.mp4"_s), QByteArray("still not a video\n"));
  }

  void growingFileWaitsUntilStable() {
    const QByteArray full = uniqueMp4(clip_);
    const QString path = watch_ + u"/growing.mp4"_s;
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    // A slow copy: a piece every second for 6 s, longer than two polls apart.
    const int pieces = 6;
    const qint64 step = full.size() / pieces + 1;
    for (int i = 0; i < pieces; ++i) {
      f.write(full.mid(i * step, step));
      f.flush();
      QThread::msleep(1000);
      QVERIFY2(QFile::exists(path), "taken before the copy finished");
    }
    f.close();
    QVERIFY(waitFor([&] { return QFile::exists(watch_ + u"/.done/growing.mp4"_s); }, 20000));
    const QJsonArray titles = titlesWithSha(sha256(full));
    QCOMPARE(titles.size(), 1);
    QCOMPARE(titles.first().toObject().value(u"source"_s).toObject().value(u"sizeBytes"_s).toInteger(), full.size());
  }
};

QTEST_GUILESS_MAIN(tst_WatchFolder)
#include "tst_watchfolder.moc"
