// media::probe and validateForIngest against real files made by the ffmpeg CLI: good
// sources, every kind of bad one, and a source read over HTTP with ranges.

#include "media/probe.h"

#include "core/http/fileserver.h"
#include "core/http/router.h"
#include "support/rawhttp.h"

#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>
#include <csignal>

using namespace rs;
using namespace rs::media;

namespace {

bool ffmpeg(const QStringList &args) {
  QProcess p;
  p.start(QStringLiteral("ffmpeg"), QStringList{QStringLiteral("-hide_banner"), QStringLiteral("-loglevel"),
                                                QStringLiteral("error"), QStringLiteral("-y")} +
                                        args);
  if (!p.waitForFinished(60'000) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
    qWarning("ffmpeg %s failed: %s", qPrintable(args.join(QLatin1Char(' '))),
             p.readAllStandardError().constData());
    return false;
  }
  return true;
}

QStringList split(const char *s) { return QString::fromUtf8(s).split(QLatin1Char(' '), Qt::SkipEmptyParts); }

bool writeHead(const QString &from, const QString &to, double fraction) {
  QFile in(from), out(to);
  if (!in.open(QIODevice::ReadOnly) || !out.open(QIODevice::WriteOnly)) return false;
  const QByteArray all = in.readAll();
  return out.write(all.left(qsizetype(double(all.size()) * fraction))) > 0;
}

}  // namespace

class ProbeTest : public QObject {
  Q_OBJECT

  QTemporaryDir dir_;
  QString path(const char *name) const { return dir_.filePath(QString::fromUtf8(name)); }

  void expectRejected(const QString &file, const char *prefix) {
    Result<MediaInfo> r = probe(file);
    QVERIFY2(!r.isOk(), qPrintable(file));
    QCOMPARE(r.status().code(), ErrorCode::BadRequest);
    QVERIFY2(r.status().message().startsWith(QString::fromUtf8(prefix)), qPrintable(r.status().message()));
  }

 private Q_SLOTS:
  void initTestCase() {
    // libavformat drops HTTP connections mid-body when it seeks; the server's
    // sendfile then raises SIGPIPE, which the platform ignores (core/roles/signals.cpp).
    std::signal(SIGPIPE, SIG_IGN);
    QVERIFY(dir_.isValid());
    // 3 s of 320x240 25 fps H.264 + 48 kHz stereo AAC, moov at the end.
    QVERIFY(ffmpeg(split("-f lavfi -i testsrc2=s=320x240:r=25:d=3 -f lavfi -i sine=f=440:r=48000:d=3 "
                         "-ac 2 -c:v libx264 -preset ultrafast -pix_fmt yuv420p -c:a aac -b:a 96k -shortest") +
                   QStringList{path("av.mp4")}));
    QVERIFY(ffmpeg(QStringList{QStringLiteral("-i"), path("av.mp4")} +
                   split("-c copy -movflags +faststart") + QStringList{path("faststart.mp4")}));
    QVERIFY(ffmpeg(split("-f lavfi -i testsrc2=s=640x360:r=30000/1001:d=2 -f lavfi -i sine=d=2 "
                         "-c:v libvpx-vp9 -deadline realtime -cpu-used 8 -b:v 300k -c:a libopus -shortest") +
                   QStringList{path("av.mkv")}));
    QVERIFY(ffmpeg(split("-f lavfi -i sine=d=2 -c:a aac") + QStringList{path("audio.m4a")}));
  }

  void goodMp4() {
    Result<MediaInfo> r = probe(path("av.mp4"));
    QVERIFY2(r.isOk(), qPrintable(r.status().message()));
    const MediaInfo &m = r.value();
    QVERIFY(m.container.contains(QStringLiteral("mp4")));
    QVERIFY(m.hasVideo && m.hasAudio);
    QCOMPARE(m.streamCount, 2);
    QVERIFY2(qAbs(m.durationSeconds - 3.0) < 0.1, qPrintable(QString::number(m.durationSeconds)));
    QCOMPARE(m.sizeBytes, QFileInfo(path("av.mp4")).size());
    QCOMPARE(m.video.codec, QStringLiteral("h264"));
    QCOMPARE(m.video.width, 320);
    QCOMPARE(m.video.height, 240);
    QCOMPARE(m.video.displayWidth, 320);
    QCOMPARE(m.video.displayHeight, 240);
    QCOMPARE(m.video.frameRateNum, 25);
    QCOMPARE(m.video.frameRateDen, 1);
    QCOMPARE(m.video.rotation, 0);
    QCOMPARE(m.video.pixelFormat, QStringLiteral("yuv420p"));
    QCOMPARE(m.video.bitDepth, 8);
    QVERIFY(!m.video.hdr);
    QCOMPARE(m.audio.codec, QStringLiteral("aac"));
    QCOMPARE(m.audio.sampleRate, 48000);
    QCOMPARE(m.audio.channels, 2);
    QCOMPARE(m.audio.layout, QStringLiteral("stereo"));
    QVERIFY(validateForIngest(m).isOk());

    const QJsonObject j = toJson(m);
    QCOMPARE(j.value(QStringLiteral("video")).toObject().value(QStringLiteral("width")).toInt(), 320);
    QCOMPARE(j.value(QStringLiteral("audio")).toObject().value(QStringLiteral("layout")).toString(),
             QStringLiteral("stereo"));
    Result<MediaInfo> back = fromJson(j);
    QVERIFY(back.isOk());
    QCOMPARE(back->video.frameRateNum, 25);
    QCOMPARE(back->durationSeconds, m.durationSeconds);
    QCOMPARE(back->audio.channels, 2);
    QCOMPARE(toJson(back.value()), j);
    QVERIFY(!fromJson(QJsonObject{}).isOk());
  }

  void goodMkv() {
    Result<MediaInfo> r = probe(path("av.mkv"));
    QVERIFY2(r.isOk(), qPrintable(r.status().message()));
    QVERIFY(r->container.contains(QStringLiteral("matroska")));
    QCOMPARE(r->video.codec, QStringLiteral("vp9"));
    QCOMPARE(r->video.width, 640);
    QCOMPARE(r->video.frameRateNum, 30000);
    QCOMPARE(r->video.frameRateDen, 1001);
    QCOMPARE(r->audio.codec, QStringLiteral("opus"));
    QVERIFY(validateForIngest(r.value()).isOk());
  }

  void rotation() {
    // ffmpeg 5.1 turns the legacy rotate tag into a display matrix only on stream
    // copy. Its matrix for rotate=90 turns the picture 90° counter-clockwise (the
    // ffmpeg CLI autorotates it with transpose=cclock), i.e. 270° clockwise.
    QVERIFY(ffmpeg(QStringList{QStringLiteral("-i"), path("av.mp4")} + split("-c copy -metadata:s:v rotate=90") +
                   QStringList{path("rot90tag.mp4")}));
    QVERIFY(ffmpeg(QStringList{QStringLiteral("-i"), path("av.mp4")} + split("-c copy -metadata:s:v rotate=270") +
                   QStringList{path("rot270tag.mp4")}));
    QVERIFY(ffmpeg(QStringList{QStringLiteral("-i"), path("av.mp4")} + split("-c copy -metadata:s:v rotate=180") +
                   QStringList{path("rot180tag.mp4")}));
    Result<MediaInfo> a = probe(path("rot90tag.mp4"));
    Result<MediaInfo> b = probe(path("rot270tag.mp4"));
    Result<MediaInfo> c = probe(path("rot180tag.mp4"));
    QVERIFY(a.isOk() && b.isOk() && c.isOk());
    QCOMPARE(a->video.rotation, 270);
    QCOMPARE(b->video.rotation, 90);
    QCOMPARE(c->video.rotation, 180);
    for (const MediaInfo *m : {&a.value(), &b.value()}) {
      QCOMPARE(m->video.width, 320);
      QCOMPARE(m->video.height, 240);
      QCOMPARE(m->video.displayWidth, 240);
      QCOMPARE(m->video.displayHeight, 320);
    }
    QCOMPARE(c->video.displayWidth, 320);

    // Cross-check against the CLI: its autorotated first frame has our display size.
    QVERIFY(ffmpeg(QStringList{QStringLiteral("-i"), path("rot90tag.mp4")} + split("-frames:v 1") +
                   QStringList{path("rot90.png")}));
    Result<MediaInfo> png = probe(path("rot90.png"));
    QVERIFY(png.isOk());
    QCOMPARE(png->video.width, 240);
    QCOMPARE(png->video.height, 320);
  }

  void hdr() {
    QVERIFY(ffmpeg(split("-f lavfi -i testsrc2=s=320x240:d=1 -c:v libx264 -preset ultrafast -pix_fmt yuv420p10le "
                         "-color_primaries bt2020 -color_trc smpte2084 -colorspace bt2020nc") +
                   QStringList{path("pq.mp4")}));
    QVERIFY(ffmpeg(split("-f lavfi -i testsrc2=s=320x240:d=1 -c:v libx264 -preset ultrafast "
                         "-color_primaries bt2020 -color_trc arib-std-b67 -colorspace bt2020nc") +
                   QStringList{path("hlg.mp4")}));
    Result<MediaInfo> pq = probe(path("pq.mp4"));
    Result<MediaInfo> hlg = probe(path("hlg.mp4"));
    QVERIFY2(pq.isOk() && hlg.isOk(), qPrintable(pq.status().message() + hlg.status().message()));
    QVERIFY(pq->video.hdr);
    QCOMPARE(pq->video.colorTransfer, QStringLiteral("smpte2084"));
    QCOMPARE(pq->video.colorPrimaries, QStringLiteral("bt2020"));
    QCOMPARE(pq->video.bitDepth, 10);
    QVERIFY(hlg->video.hdr);
    QCOMPARE(hlg->video.colorTransfer, QStringLiteral("arib-std-b67"));
    QCOMPARE(hlg->video.bitDepth, 8);
    Result<MediaInfo> sdr = probe(path("av.mp4"));
    QVERIFY(!sdr->video.hdr);
  }

  void textRenamedMp4() {
    QFile f(path("notes.mp4"));
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("These are my notes, not a video.\nSecond line.\n");
    f.close();
    expectRejected(path("notes.mp4"), "not a media file: ");
  }

  void emptyFile() {
    QFile f(path("empty.mp4"));
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.close();
    Result<MediaInfo> r = probe(path("empty.mp4"));
    QVERIFY(!r.isOk());
    QCOMPARE(r.status().message(), QStringLiteral("not a media file: empty file"));
  }

  void missingFile() {
    Result<MediaInfo> r = probe(path("nope.mp4"));
    QVERIFY(!r.isOk());
    QCOMPARE(r.status().code(), ErrorCode::NotFound);
  }

  void truncatedMoovAtEnd() {
    QVERIFY(writeHead(path("av.mp4"), path("cut.mp4"), 0.6));
    expectRejected(path("cut.mp4"), "truncated or corrupt: ");
  }

  void truncatedFaststart() {
    QVERIFY(writeHead(path("faststart.mp4"), path("cutfast.mp4"), 0.6));
    expectRejected(path("cutfast.mp4"), "truncated or corrupt: ");
    // Without the packet scan the damage goes unnoticed: the scan is what finds it.
    ProbeOptions shallow;
    shallow.scanPackets = false;
    QVERIFY(probe(path("cutfast.mp4"), shallow).isOk());
  }

  void truncatedMkv() {
    QVERIFY(writeHead(path("av.mkv"), path("cut.mkv"), 0.5));
    expectRejected(path("cut.mkv"), "truncated or corrupt: ");
  }

  void corruptedPayload() {
    // The header survives but the video samples are overwritten with noise.
    QFile in(path("faststart.mp4"));
    QVERIFY(in.open(QIODevice::ReadOnly));
    QByteArray bytes = in.readAll();
    const qsizetype mdat = bytes.indexOf("mdat");
    QVERIFY(mdat > 0);
    quint32 x = 12345;
    for (qsizetype i = mdat + 4; i < bytes.size(); ++i) {
      x = x * 1103515245u + 12345u;
      bytes[i] = char(x >> 24);
    }
    QFile out(path("noise.mp4"));
    QVERIFY(out.open(QIODevice::WriteOnly));
    out.write(bytes);
    out.close();
    expectRejected(path("noise.mp4"), "truncated or corrupt: ");
  }

  void audioOnly() {
    Result<MediaInfo> r = probe(path("audio.m4a"));
    QVERIFY2(r.isOk(), qPrintable(r.status().message()));
    QVERIFY(!r->hasVideo);
    QVERIFY(r->hasAudio);
    const Status s = validateForIngest(r.value());
    QCOMPARE(s.code(), ErrorCode::BadRequest);
    QCOMPARE(s.message(), QStringLiteral("no video stream"));
  }

  void absurdDimensions() {
    QVERIFY(ffmpeg(split("-f lavfi -i testsrc2=s=8x8:d=1 -c:v ffv1") + QStringList{path("tiny.mkv")}));
    QVERIFY(ffmpeg(split("-f lavfi -i color=s=8200x16:d=0.2 -c:v ffv1") + QStringList{path("wide.mkv")}));
    Result<MediaInfo> tiny = probe(path("tiny.mkv"));
    Result<MediaInfo> wide = probe(path("wide.mkv"));
    QVERIFY2(tiny.isOk() && wide.isOk(), qPrintable(tiny.status().message() + wide.status().message()));
    QCOMPARE(validateForIngest(tiny.value()).message(), QStringLiteral("absurd dimensions 8x8"));
    QCOMPARE(validateForIngest(wide.value()).message(), QStringLiteral("absurd dimensions 8200x16"));
  }

  void zeroDuration() {
    // A single still image has no duration at all.
    QVERIFY(ffmpeg(split("-f lavfi -i testsrc2=s=320x240 -frames:v 1") + QStringList{path("still.png")}));
    Result<MediaInfo> r = probe(path("still.png"));
    QVERIFY2(r.isOk(), qPrintable(r.status().message()));
    QCOMPARE(r->durationSeconds, 0.0);
    QCOMPARE(validateForIngest(r.value()).message(), QStringLiteral("zero duration"));
  }

  void unsupportedCodec() {
    MediaInfo m = probe(path("av.mp4")).value();
    m.video.codec = QStringLiteral("no-such-codec");
    QVERIFY(validateForIngest(m).message().startsWith(QStringLiteral("unsupported")));
  }

  void overHttp() {
    auto router = std::make_shared<http::Router>();
    auto root = std::make_shared<http::FileRoot>(dir_.path());
    QVERIFY(root->isValid());
    router->get(QStringLiteral("/files/{*rest}"), http::Access::Public,
                [root](http::Request &req) { return root->serve(req, req.param(QStringLiteral("rest"))); });
    http::ServerOptions opts;
    opts.workers = 1;
    test::ServerHost host(opts, router);
    QVERIFY2(host.ok(), qPrintable(host.error()));
    const QString base = QStringLiteral("http://127.0.0.1:%1/files/").arg(host.port());

    // moov at the end: libavformat has to seek with a range request.
    Result<MediaInfo> r = probe(base + QStringLiteral("av.mp4"));
    QVERIFY2(r.isOk(), qPrintable(r.status().message()));
    QCOMPARE(r->video.width, 320);
    QCOMPARE(r->sizeBytes, QFileInfo(path("av.mp4")).size());
    QVERIFY(r->hasAudio);

    QVERIFY(writeHead(path("av.mp4"), path("cut-http.mp4"), 0.6));
    expectRejected(base + QStringLiteral("cut-http.mp4"), "truncated or corrupt: ");
    Result<MediaInfo> missing = probe(base + QStringLiteral("nope.mp4"));
    QVERIFY(!missing.isOk());
    QCOMPARE(missing.status().code(), ErrorCode::NotFound);
  }
};

QTEST_GUILESS_MAIN(ProbeTest)
#include "tst_probe.moc"
