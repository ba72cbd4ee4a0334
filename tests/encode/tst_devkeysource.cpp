// The development key source (NOT a license server): keys derived from a local secret
// exactly as documented (a known answer computed independently with Python's hmac), a
// secret file created 0600 and refused when others can read it, fresh IV seeds, and
// errors that never carry the secret.

#include "encode/devkeysource.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

using namespace rs;
using namespace rs::encode;

namespace {

const QString kLicense = QStringLiteral("http://license.test/license/v1/clearkey?t={title}");
const QString kHlsKey = QStringLiteral("http://license.test/license/v1/hls/{title}/{kid}");

bool writeSecret(const QString &path, const QByteArray &text, mode_t mode) {
  QFile f(path);
  if (!f.open(QIODevice::WriteOnly) || f.write(text) != text.size()) return false;
  f.close();
  return ::chmod(QFile::encodeName(path).constData(), mode) == 0;
}

mode_t modeOf(const QString &path) {
  struct stat st {};
  ::stat(QFile::encodeName(path).constData(), &st);
  return st.st_mode & 0777;
}

}  // namespace

class TestDevKeySource : public QObject {
  Q_OBJECT
  QTemporaryDir tmp_;

 private Q_SLOTS:
  void initTestCase() { QVERIFY(tmp_.isValid()); }

  void derivationIsTheDocumentedOne() {
    // hmac.new(bytes(range(32)), b"reelstack-dev-v1|kid|t_kat|video", sha256).hexdigest()[:32]
    const QString file = tmp_.filePath(QStringLiteral("kat.secret"));
    QVERIFY(writeSecret(file, QByteArray::fromHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f").toHex() + '\n', 0600));
    DevKeySource source(file, kLicense, kHlsKey);
    auto p = source.keysFor(QStringLiteral("t_kat"), package::Scheme::Cbcs, {QStringLiteral("video"), QStringLiteral("audio")});
    QVERIFY2(p.isOk(), qPrintable(p.status().message()));
    QCOMPARE(p->scheme, package::Scheme::Cbcs);
    const package::TrackKey *video = p->track(u"video");
    QVERIFY(video);
    QCOMPARE(package::toHex(video->kid), QStringLiteral("9266a80e8bf9f6ff9f10228c2a93ab84"));
    QCOMPARE(video->key.exportBytes().toHex(), QByteArray("778d9242d6aee8aa95d000453155c7d4"));
    QCOMPARE(package::toHex(video->aes128Kid), QStringLiteral("328a01b5bc2ab1931fca8b92e59dc732"));
    QCOMPARE(video->aes128Key.exportBytes().toHex(), QByteArray("e41cec88c1c08209f2472189cb7a8ff4"));
    QCOMPARE(p->licenseUrl, QStringLiteral("http://license.test/license/v1/clearkey?t=t_kat"));
    QCOMPARE(package::hlsKeyUri(*p, video->kid), QStringLiteral("http://license.test/license/v1/hls/t_kat/9266a80e8bf9f6ff9f10228c2a93ab84"));
    // Every value independent: audio differs from video, AES-128 from CENC.
    const package::TrackKey *audio = p->track(u"audio");
    QVERIFY(audio && audio->kid != video->kid && !(audio->key == video->key));
    QVERIFY(!(video->aes128Key == video->key));
    QVERIFY(source.describe().contains(QStringLiteral("NOT a license server")));
    QVERIFY(!source.describe().contains(QStringLiteral("0001020304")));
  }

  void sameSecretSameKeysOtherTitleOtherKeysFreshIvSeeds() {
    const QString file = tmp_.filePath(QStringLiteral("same.secret"));
    DevKeySource a(file, kLicense, kHlsKey), b(file, kLicense, kHlsKey);
    auto one = a.keysFor(QStringLiteral("t_1"), package::Scheme::Cenc, {QStringLiteral("video")});
    QVERIFY2(one.isOk(), qPrintable(one.status().message()));
    auto again = b.keysFor(QStringLiteral("t_1"), package::Scheme::Cenc, {QStringLiteral("video")});
    auto other = a.keysFor(QStringLiteral("t_2"), package::Scheme::Cenc, {QStringLiteral("video")});
    QVERIFY(again.isOk() && other.isOk());
    QCOMPARE(again->tracks[0].kid, one->tracks[0].kid);
    QVERIFY(again->tracks[0].key == one->tracks[0].key);
    QVERIFY(other->tracks[0].kid != one->tracks[0].kid);
    QVERIFY(!(other->tracks[0].key == one->tracks[0].key));
    // A re-package must not reuse IVs under the same key.
    QVERIFY(again->ivSeed != one->ivSeed);
  }

  void missingSecretIsCreatedOnlyForItsOwner() {
    const QString file = tmp_.filePath(QStringLiteral("sub/dir/new.secret"));
    DevKeySource source(file, kLicense, kHlsKey);
    QVERIFY(!QFile::exists(file));  // nothing is created until a key is asked for
    QVERIFY(source.keysFor(QStringLiteral("t_1"), package::Scheme::Cenc, {QStringLiteral("video")}).isOk());
    QVERIFY(QFile::exists(file));
    QCOMPARE(modeOf(file), mode_t(0600));
    QFile f(file);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray text = f.readAll().trimmed();
    QCOMPARE(text.size(), 64);
    QCOMPARE(QByteArray::fromHex(text).toHex(), text);
  }

  void secretOthersCanReadIsRefused() {
    const QString file = tmp_.filePath(QStringLiteral("open.secret"));
    const QByteArray secret = QByteArray(32, '\x5a').toHex();
    QVERIFY(writeSecret(file, secret, 0644));
    DevKeySource source(file, kLicense, kHlsKey);
    auto p = source.keysFor(QStringLiteral("t_1"), package::Scheme::Cenc, {QStringLiteral("video")});
    QVERIFY(!p.isOk());
    QCOMPARE(p.status().code(), ErrorCode::Forbidden);
    QVERIFY2(p.status().message().contains(QStringLiteral("chmod 600")), qPrintable(p.status().message()));
    QVERIFY(!p.status().message().contains(QString::fromLatin1(secret)));
  }

  void malformedSecretIsRefusedWithoutShowingIt() {
    const QString file = tmp_.filePath(QStringLiteral("short.secret"));
    QVERIFY(writeSecret(file, "abcdef0123\n", 0600));
    DevKeySource source(file, kLicense, kHlsKey);
    auto p = source.keysFor(QStringLiteral("t_1"), package::Scheme::Cenc, {QStringLiteral("video")});
    QVERIFY(!p.isOk());
    QVERIFY2(p.status().message().contains(QStringLiteral("at least 32 hex digits")), qPrintable(p.status().message()));
    QVERIFY(!p.status().message().contains(QStringLiteral("abcdef0123")));
  }

  void hlsKeyUrlNeedsKid() {
    DevKeySource source(tmp_.filePath(QStringLiteral("kid.secret")), kLicense, QStringLiteral("http://license.test/hls/{title}"));
    auto p = source.keysFor(QStringLiteral("t_1"), package::Scheme::Cenc, {QStringLiteral("video")});
    QVERIFY(!p.isOk());
    QVERIFY(p.status().message().contains(QStringLiteral("{kid}")));
  }
};

QTEST_GUILESS_MAIN(TestDevKeySource)
#include "tst_devkeysource.moc"
