// packageTitle with protection, over real ffmpeg encodes of a two-rung ladder with
// AAC: the published layout (CENC set, AES-128 variant, three manifests, title.json),
// the key ids everywhere they must agree (tenc, pssh, MPD, title.json), no key material
// in any file, ffmpeg decrypting the CENC set with the content key and playing the
// AES-128 variant straight from its playlists (keys from file URIs, as the license role
// will serve them over HTTP), and a clear title laid out exactly as before.

#include "encode/devkeysource.h"
#include "encode/packager.h"
#include "package/cencencryptor.h"
#include "package/tools.h"
#include "package/tracktools.h"

#include <QDirIterator>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

using namespace rs;
using namespace rs::package::testing;

namespace {

QStringList frameHashes(const QStringList &input, const QString &stdinFile, QString *error) {
  const ToolRun run = runTool(QStringLiteral("ffmpeg"), QStringList{QStringLiteral("-v"), QStringLiteral("error")} + input +
                                                            QStringList{QStringLiteral("-f"), QStringLiteral("framemd5"), QStringLiteral("-")},
                              120000, stdinFile);
  if (!run.ok) {
    *error = run.error;
    return {};
  }
  QStringList out;
  for (const QString &line : QString::fromUtf8(run.out).split(u'\n'))
    if (!line.startsWith(u'#') && !line.trimmed().isEmpty()) out.append(line.section(u',', 5).trimmed());
  return out;
}

QStringList filesUnder(const QString &root) {
  QStringList out;
  QDirIterator it(root, QDir::Files, QDirIterator::Subdirectories);
  while (it.hasNext()) out << QDir(root).relativeFilePath(it.next());
  out.sort();
  return out;
}

}  // namespace

class TestProtectedTitle : public QObject {
  Q_OBJECT
  QTemporaryDir tmp_;
  media::TranscodeOutput out_;
  media::LadderSpec spec_;
  package::TitleProtection keys_;
  QString title_;

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(tmp_.isValid());
    struct Rung {
      QString name, size;
      int width, height;
    };
    for (const Rung &r : {Rung{QStringLiteral("240p"), QStringLiteral("426x240"), 426, 240}, Rung{QStringLiteral("360p"), QStringLiteral("640x360"), 640, 360}}) {
      const QString file = tmp_.filePath(QStringLiteral("video-%1.mp4").arg(r.name));
      const ToolRun run = runTool(QStringLiteral("ffmpeg"), testVideoInput(r.size, 4) + x264Args(50) + fragmentedMp4Args(file));
      QVERIFY2(run.ok, qPrintable(run.error));
      media::RungOutput rung;
      rung.rung.name = r.name;
      rung.rung.bitrateKbps = 500;
      rung.width = r.width;
      rung.height = r.height;
      rung.file = file;
      rung.codec = QStringLiteral("h264");
      out_.video.push_back(rung);
    }
    out_.audioFile = tmp_.filePath(QStringLiteral("audio.mp4"));
    const ToolRun audio = runTool(QStringLiteral("ffmpeg"), testAudioInput(4) + QStringList{QStringLiteral("-c:a"), QStringLiteral("aac"),
                                                                                           QStringLiteral("-frag_duration"), QStringLiteral("2000000")} +
                                                              fragmentedMp4Args(out_.audioFile));
    QVERIFY2(audio.ok, qPrintable(audio.error));
    out_.durationSeconds = 4;
    out_.frameRateNum = 25;
    spec_.segmentSeconds = 2;

    // The HLS key URL is a file URL here, so ffmpeg can fetch the keys the license role
    // will serve over HTTP; only the test writes those key files.
    encode::DevKeySource source(tmp_.filePath(QStringLiteral("dev-key-secret")), QStringLiteral("http://127.0.0.1:9/license/v1/clearkey"),
                                QStringLiteral("file://") + tmp_.filePath(QStringLiteral("keys/{kid}")));
    auto keys = source.keysFor(QStringLiteral("t_pkg"), package::Scheme::Cenc, {QStringLiteral("video"), QStringLiteral("audio")});
    QVERIFY2(keys.isOk(), qPrintable(keys.status().message()));
    keys_ = *keys;
    title_ = tmp_.filePath(QStringLiteral("title"));
    auto packaged = encode::packageTitle(out_, spec_, title_, &keys_);
    QVERIFY2(packaged.isOk(), qPrintable(packaged.status().message()));
    QCOMPARE(packaged->assets.value(QStringLiteral("hlsSampleAes")).toString(), QStringLiteral("master-sample-aes.m3u8"));
  }

  void layout() {
    const QStringList files = filesUnder(title_);
    for (const QString &f : {QStringLiteral("manifest.mpd"), QStringLiteral("master.m3u8"), QStringLiteral("master-sample-aes.m3u8"),
                             QStringLiteral("title.json"), QStringLiteral("video/240p/init.mp4"), QStringLiteral("video/360p/seg-2.m4s"),
                             QStringLiteral("video/240p/index.m3u8"), QStringLiteral("audio/aac/seg-2.m4s"),
                             QStringLiteral("hls-aes128/video/240p/init.mp4"), QStringLiteral("hls-aes128/video/360p/seg-2.m4s"),
                             QStringLiteral("hls-aes128/audio/aac/index.m3u8")})
      QVERIFY2(files.contains(f), qPrintable(f + QStringLiteral(" missing from ") + files.join(u' ')));
    QVERIFY(readFile(title_ + QStringLiteral("/master.m3u8")).contains("hls-aes128/video/360p/index.m3u8"));
    QVERIFY(!readFile(title_ + QStringLiteral("/master-sample-aes.m3u8")).contains("hls-aes128"));

    const QJsonObject summary = QJsonDocument::fromJson(readFile(title_ + QStringLiteral("/title.json"))).object();
    const QJsonObject protection = summary.value(QStringLiteral("protection")).toObject();
    QCOMPARE(protection.value(QStringLiteral("scheme")).toString(), QStringLiteral("cenc"));
    QCOMPARE(protection.value(QStringLiteral("keySystem")).toString(), QStringLiteral("org.w3.clearkey"));
    QCOMPARE(protection.value(QStringLiteral("hlsKeys")).toString(), QStringLiteral("aes-128"));
    QCOMPARE(protection.value(QStringLiteral("kids")).toObject().value(QStringLiteral("video")).toString(), package::toUuid(keys_.track(u"video")->kid));
    QCOMPARE(protection.value(QStringLiteral("kids")).toObject().value(QStringLiteral("audio")).toString(), package::toUuid(keys_.track(u"audio")->kid));
    for (const QJsonValue &r : summary.value(QStringLiteral("renditions")).toArray()) {
      const QString track = r.toObject().value(QStringLiteral("kind")).toString();
      QCOMPARE(r.toObject().value(QStringLiteral("protection")).toObject().value(QStringLiteral("kid")).toString(), package::toUuid(keys_.track(track)->kid));
    }
  }

  void keyIdsAgreeEverywhere() {
    const QByteArray mpd = readFile(title_ + QStringLiteral("/manifest.mpd"));
    static const QRegularExpression kidAttr(QStringLiteral("cenc:default_KID=\"([0-9a-f-]+)\""));
    QStringList mpdKids;
    for (auto it = kidAttr.globalMatch(QString::fromUtf8(mpd)); it.hasNext();) mpdKids << it.next().captured(1);
    const QString video = package::toUuid(keys_.track(u"video")->kid), audio = package::toUuid(keys_.track(u"audio")->kid);
    QCOMPARE(mpdKids, (QStringList{video, audio}));
    QVERIFY(mpd.contains("<dashif:Laurl>http://127.0.0.1:9/license/v1/clearkey</dashif:Laurl>"));
    for (const QString &dir : {QStringLiteral("video/240p"), QStringLiteral("video/360p"), QStringLiteral("audio/aac")}) {
      auto p = package::readProtectedInit(readFile(title_ + u'/' + dir + QStringLiteral("/init.mp4")));
      QVERIFY2(p.isOk(), qPrintable(p.status().message()));
      QCOMPARE(package::toUuid(p->sinf.tenc.kid), dir.startsWith(u"audio") ? audio : video);
      QCOMPARE(p->pssh.size(), std::size_t(1));
      QCOMPARE(p->pssh[0].kids, (std::vector<package::Bytes16>{keys_.track(u"video")->kid, keys_.track(u"audio")->kid}));
    }
  }

  void noKeyMaterialInAnyFile() {
    QStringList forms;
    QList<QByteArray> raw;
    for (const package::TrackKey &t : keys_.tracks) {
      for (const package::ContentKey *k : {&t.key, &t.aes128Key}) {
        const QByteArray b = k->exportBytes();
        raw << b;
        forms << QString::fromLatin1(b.toHex()) << QString::fromLatin1(b.toHex()).toUpper() << QString::fromLatin1(b.toBase64())
              << QString::fromLatin1(b.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
      }
    }
    const QStringList files = filesUnder(title_);
    QVERIFY(files.size() > 20);
    for (const QString &f : files) {
      const QByteArray bytes = readFile(title_ + u'/' + f);
      for (const QByteArray &b : raw) QVERIFY2(!bytes.contains(b), qPrintable(f + QStringLiteral(" holds a raw key")));
      if (f.endsWith(QLatin1String(".mp4")) || f.endsWith(QLatin1String(".m4s"))) continue;
      const QString text = QString::fromUtf8(bytes);
      for (const QString &form : forms) QVERIFY2(!text.contains(form), qPrintable(f + QStringLiteral(" holds a key")));
    }
  }

  void ffmpegDecryptsTheCencRenditions() {
    const QByteArray key = keys_.track(u"video")->key.exportBytes().toHex();
    QString error;
    const QStringList clear = frameHashes({QStringLiteral("-i"), out_.video[0].file}, {}, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    const TrackFiles enc = readTrack(title_ + QStringLiteral("/video/240p"));
    const QString joined = tmp_.filePath(QStringLiteral("cenc-240p.mp4"));
    QByteArray all = enc.init;
    for (const QByteArray &s : enc.segments) all += s;
    QVERIFY(writeFileBytes(joined, all));
    const QStringList got = frameHashes({QStringLiteral("-decryption_key"), QString::fromLatin1(key), QStringLiteral("-i"), QStringLiteral("pipe:0")}, joined, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(got.size(), 100);
    QCOMPARE(got, clear);
  }

  void ffmpegPlaysTheAes128VariantFromItsPlaylists_data() {
    QTest::addColumn<QString>("playlist");
    QTest::addColumn<QString>("clearFile");
    QTest::addColumn<QString>("track");
    QTest::newRow("video 360p") << QStringLiteral("hls-aes128/video/360p/index.m3u8") << QStringLiteral("video-360p.mp4") << QStringLiteral("video");
    QTest::newRow("audio") << QStringLiteral("hls-aes128/audio/aac/index.m3u8") << QStringLiteral("audio.mp4") << QStringLiteral("audio");
  }
  void ffmpegPlaysTheAes128VariantFromItsPlaylists() {
    QFETCH(QString, playlist);
    QFETCH(QString, clearFile);
    QFETCH(QString, track);
    const package::TrackKey *key = keys_.track(track);
    const QString keyFile = tmp_.filePath(QStringLiteral("keys/") + package::toHex(key->aes128Kid));
    QVERIFY(writeFileBytes(keyFile, key->aes128Key.exportBytes()));
    QFile::setPermissions(keyFile, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    QString error;
    const QStringList clear = frameHashes({QStringLiteral("-i"), tmp_.filePath(clearFile)}, {}, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    const QStringList got = frameHashes({QStringLiteral("-allowed_extensions"), QStringLiteral("ALL"), QStringLiteral("-protocol_whitelist"),
                                         QStringLiteral("file,crypto,data"), QStringLiteral("-i"), title_ + u'/' + playlist},
                                        {}, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QVERIFY(clear.size() > 50);
    QCOMPARE(got, clear);
    // The playlist's SAMPLE-AES sibling names the CENC key, not the AES-128 one.
    const QByteArray sampleAes = readFile(title_ + u'/' + playlist.mid(QStringLiteral("hls-aes128/").size()));
    QVERIFY(sampleAes.contains("METHOD=SAMPLE-AES-CTR"));
    QVERIFY(sampleAes.contains(package::toHex(key->kid).toLatin1()));
    QVERIFY(!sampleAes.contains(package::toHex(key->aes128Kid).toLatin1()));
  }

  void clearTitleIsUnchanged() {
    const QString dir = tmp_.filePath(QStringLiteral("clear"));
    auto packaged = encode::packageTitle(out_, spec_, dir);
    QVERIFY2(packaged.isOk(), qPrintable(packaged.status().message()));
    const QStringList files = filesUnder(dir);
    QVERIFY(!files.contains(QStringLiteral("master-sample-aes.m3u8")));
    for (const QString &f : files) QVERIFY2(!f.startsWith(QLatin1String("hls-aes128")), qPrintable(f));
    QVERIFY(!readFile(dir + QStringLiteral("/manifest.mpd")).contains("ContentProtection"));
    QVERIFY(!readFile(dir + QStringLiteral("/video/240p/index.m3u8")).contains("EXT-X-KEY"));
    QVERIFY(!QJsonDocument::fromJson(readFile(dir + QStringLiteral("/title.json"))).object().contains(QStringLiteral("protection")));
    QCOMPARE(readFile(dir + QStringLiteral("/video/240p/seg-1.m4s")).left(8).mid(4), QByteArray("moof"));
  }
};

QTEST_GUILESS_MAIN(TestProtectedTitle)
#include "tst_protectedtitle.moc"
