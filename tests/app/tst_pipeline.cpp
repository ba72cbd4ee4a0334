// The media pipeline end to end, with every part real: a stack of
// control+origin+api+ingest in one process and an encode worker in another,
// `platform ingest --wait` uploading a generated clip over tus, FFmpeg encoding the
// ladder, packaging, publishing to origin, and ffprobe/ffmpeg (software we did not
// write) reading the DASH and HLS output over HTTP. Then the worker is killed with
// SIGKILL in the middle of a job, a new one starts, and the title still becomes ready.

#include "support/stack.h"

#include <QJsonArray>
#include <QRegularExpression>
#include <QTemporaryDir>

using namespace rs::test;

namespace {

// A short clip with motion and a tone; `seconds` long at 640x360, 25 fps.
bool makeClip(const QString &path, int seconds, QString *error) {
  QByteArray err;
  const int rc = run(QStringLiteral("ffmpeg"),
                     {QStringLiteral("-hide_banner"), QStringLiteral("-loglevel"), QStringLiteral("error"), QStringLiteral("-y"),
                      QStringLiteral("-f"), QStringLiteral("lavfi"), QStringLiteral("-i"),
                      QStringLiteral("testsrc2=size=640x360:rate=25:duration=%1").arg(seconds),
                      QStringLiteral("-f"), QStringLiteral("lavfi"), QStringLiteral("-i"),
                      QStringLiteral("sine=frequency=440:sample_rate=48000:duration=%1").arg(seconds),
                      QStringLiteral("-c:v"), QStringLiteral("libx264"), QStringLiteral("-preset"), QStringLiteral("ultrafast"),
                      QStringLiteral("-c:a"), QStringLiteral("aac"), QStringLiteral("-shortest"), path},
                     nullptr, &err);
  if (rc != 0) *error = QString::fromUtf8(err);
  return rc == 0;
}

QJsonObject titleOf(const QUrl &api, const QString &id) {
  return http("GET", api.resolved(QUrl(QStringLiteral("/api/v1/titles/") + id))).json();
}

// Polls the title until `until` says stop or the time runs out; returns the last state.
template <typename Pred>
QJsonObject waitTitle(const QUrl &api, const QString &id, int timeoutMs, Pred until) {
  QElapsedTimer t;
  t.start();
  QJsonObject title;
  while (t.elapsed() < timeoutMs) {
    title = titleOf(api, id);
    if (until(title)) return title;
    QThread::msleep(200);
  }
  return title;
}

}  // namespace

class TestPipeline : public QObject {
  Q_OBJECT
  QTemporaryDir tmp_;
  std::unique_ptr<Platform> stack_, encoder_;
  QUrl api_;
  QStringList encoderArgs_;

  bool startEncoder(QString *error, const QString &preset = QStringLiteral("ultrafast")) {
    encoder_ = std::make_unique<Platform>(tmp_.filePath(QStringLiteral("encoder")));
    return encoder_->start(encoderArgs_ + QStringList{QStringLiteral("--encode-preset=") + preset}, error);
  }

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(tmp_.isValid());
    stack_ = std::make_unique<Platform>(tmp_.filePath(QStringLiteral("stack")));
    QString error;
    QVERIFY2(stack_->start({QStringLiteral("--role=control,origin,api,ingest")}, &error), qPrintable(error));
    api_ = stack_->url(QStringLiteral("api"));
    QVERIFY(api_.isValid());
    stack_->authorizeAll();
    // A small ladder, 2 s segments and a 2 s lease keep the test short; the worker is
    // another process so it can be killed on its own.
    encoderArgs_ = {QStringLiteral("--role=encode"), QStringLiteral("--control=") + stack_->url(QStringLiteral("control")).toString(),
                    QStringLiteral("--encode-ladder=240p:300,360p:700"), QStringLiteral("--segment-seconds=2"),
                    QStringLiteral("--job-lease=2"), QStringLiteral("--heartbeat-interval=1"),
                    QStringLiteral("--cluster-key-file=") + clusterKeyFile(stack_->dataDir())};
    QVERIFY2(startEncoder(&error), qPrintable(error));
  }

  void ingestWaitPrintsManifestsThatFfprobeReads() {
    QString error;
    const QString clip = tmp_.filePath(QStringLiteral("clip.mkv"));
    QVERIFY2(makeClip(clip, 6, &error), qPrintable(error));
    QByteArray out, err;
    const int rc = run(platformBin(), {QStringLiteral("ingest"), clip, QStringLiteral("--title"), QStringLiteral("Test clip"),
                                       QStringLiteral("--api"), api_.toString(), QStringLiteral("--data-dir"), stack_->dataDir(),
                                       QStringLiteral("--wait")},
                       &out, &err, 180000);
    QVERIFY2(rc == 0, qPrintable(QStringLiteral("rc %1\nstdout: %2\nstderr: %3").arg(rc).arg(QString::fromUtf8(out), QString::fromUtf8(err))));
    const QJsonObject printed = QJsonDocument::fromJson(out).object();
    const QString dash = printed.value(QStringLiteral("manifests")).toObject().value(QStringLiteral("dash")).toString();
    const QString hls = printed.value(QStringLiteral("manifests")).toObject().value(QStringLiteral("hls")).toString();
    QVERIFY2(dash.endsWith(QStringLiteral("/manifest.mpd")) && hls.endsWith(QStringLiteral("/master.m3u8")), out.constData());

    // The catalogue has the renditions with quality scores.
    const QString id = printed.value(QStringLiteral("titleId")).toString();
    const QJsonObject title = titleOf(api_, id);
    QCOMPARE(title.value(QStringLiteral("state")).toString(), QStringLiteral("ready"));
    int videos = 0;
    for (const QJsonValue &v : title.value(QStringLiteral("renditions")).toArray()) {
      const QJsonObject r = v.toObject();
      if (r.value(QStringLiteral("kind")).toString() != QLatin1String("video")) continue;
      ++videos;
      QVERIFY(r.value(QStringLiteral("codecs")).toString().startsWith(QStringLiteral("avc1.")));
      const double psnr = r.value(QStringLiteral("psnr")).toObject().value(QStringLiteral("mean")).toDouble();
      const double ssim = r.value(QStringLiteral("ssim")).toObject().value(QStringLiteral("mean")).toDouble();
      QVERIFY2(psnr > 25 && psnr < 100, qPrintable(QString::number(psnr)));
      QVERIFY2(ssim > 0.8 && ssim <= 1.0, qPrintable(QString::number(ssim)));
    }
    QCOMPARE(videos, 2);  // 240p and 360p from a 360p source, nothing upscaled

    // ffprobe (not our code) reads both manifests over HTTP and finds the streams.
    for (const QString &manifest : {dash, hls}) {
      QByteArray probe, perr;
      QCOMPARE(run(QStringLiteral("ffprobe"), {QStringLiteral("-v"), QStringLiteral("error"), QStringLiteral("-show_streams"),
                                                 QStringLiteral("-of"), QStringLiteral("json"), manifest},
                   &probe, &perr),
               0);
      const QJsonArray streams = QJsonDocument::fromJson(probe).object().value(QStringLiteral("streams")).toArray();
      int v = 0, a = 0;
      for (const QJsonValue &s : streams) {
        const QString type = s.toObject().value(QStringLiteral("codec_type")).toString();
        v += type == QLatin1String("video");
        a += type == QLatin1String("audio");
      }
      QVERIFY2(v >= 2 && a >= 1, qPrintable(manifest + QStringLiteral(": ") + QString::fromUtf8(probe.left(2000) + perr)));
    }

    // Segments: right type, cacheable forever, CORS for browsers.
    const Reply seg = http("GET", QUrl(dash).resolved(QUrl(QStringLiteral("video/240p/seg-1.m4s"))));
    QCOMPARE(seg.status, 200);
    QCOMPARE(seg.headers.value("content-type"), QByteArray("video/mp4"));
    QVERIFY(seg.headers.value("cache-control").contains("immutable"));
    QCOMPARE(seg.headers.value("access-control-allow-origin"), QByteArray("*"));
    const Reply audio = http("GET", QUrl(dash).resolved(QUrl(QStringLiteral("audio/aac/init.mp4"))));
    QCOMPARE(audio.status, 200);
    QCOMPARE(audio.headers.value("content-type"), QByteArray("audio/mp4"));
    const Reply mpd = http("GET", QUrl(dash));
    QCOMPARE(mpd.headers.value("content-type"), QByteArray("application/dash+xml"));
    QVERIFY(mpd.headers.value("cache-control").contains("max-age=2"));
    const Reply m3u8 = http("GET", QUrl(hls));
    QCOMPARE(m3u8.headers.value("content-type"), QByteArray("application/vnd.apple.mpegurl"));
    // Nothing of a publish in progress is reachable, not even for a service.
    QCOMPARE(http("GET", QUrl(dash).resolved(QUrl(QStringLiteral("/media/.staging/"))), {}, 10000,
                  {{"Authorization", stack_->serviceAuth()}})
                 .status,
             404);
  }

  void encoderKilledMidJobLosesNothing() {
    QString error;
    const QString clip = tmp_.filePath(QStringLiteral("long.mkv"));
    QVERIFY2(makeClip(clip, 24, &error), qPrintable(error));
    // A slow preset for the worker that gets killed, so "in the middle" lasts seconds.
    QVERIFY(encoder_->terminate());
    QVERIFY2(startEncoder(&error, QStringLiteral("slower")), qPrintable(error));
    QByteArray out, err;
    QCOMPARE(run(platformBin(), {QStringLiteral("ingest"), clip, QStringLiteral("--api"), api_.toString(), QStringLiteral("--data-dir"),
                                 stack_->dataDir()},
                 &out, &err),
             0);
    const QString id = QJsonDocument::fromJson(out).object().value(QStringLiteral("titleId")).toString();
    QVERIFY2(!id.isEmpty(), out.constData());

    // Kill the worker once it is visibly in the middle of the encode.
    const QJsonObject during = waitTitle(api_, id, 60000, [](const QJsonObject &t) {
      return t.value(QStringLiteral("job")).toObject().value(QStringLiteral("percent")).toDouble() > 5;
    });
    QVERIFY2(during.value(QStringLiteral("state")).toString() == QLatin1String("encoding"),
             QJsonDocument(during).toJson().constData());
    encoder_->kill();
    QTest::qWait(500);
    QCOMPARE(titleOf(api_, id).value(QStringLiteral("state")).toString(), QStringLiteral("encoding"));
    QVERIFY(!QFileInfo::exists(stack_->dataDir() + QStringLiteral("/media/") + id));  // nothing half-published

    QVERIFY2(startEncoder(&error), qPrintable(error));
    const QJsonObject done = waitTitle(api_, id, 150000, [](const QJsonObject &t) {
      const QString s = t.value(QStringLiteral("state")).toString();
      return s == QLatin1String("ready") || s == QLatin1String("failed");
    });
    QVERIFY2(done.value(QStringLiteral("state")).toString() == QLatin1String("ready"), QJsonDocument(done).toJson().constData());
    QVERIFY(done.value(QStringLiteral("job")).toObject().value(QStringLiteral("attempts")).toInt() >= 2);

    // It plays: ffmpeg decodes the whole HLS presentation without an error.
    const QString hls = done.value(QStringLiteral("manifests")).toObject().value(QStringLiteral("hls")).toString();
    QByteArray derr;
    const int rc = run(QStringLiteral("ffmpeg"), {QStringLiteral("-v"), QStringLiteral("error"), QStringLiteral("-i"), hls,
                                                  QStringLiteral("-f"), QStringLiteral("null"), QStringLiteral("-")},
                       nullptr, &derr);
    QVERIFY2(rc == 0 && derr.trimmed().isEmpty(), derr.constData());
    QVERIFY(QDir(stack_->dataDir() + QStringLiteral("/media/.staging")).isEmpty());
  }

  void cleanupTestCase() {
    if (encoder_) QVERIFY(encoder_->terminate());
    if (stack_) QVERIFY(stack_->terminate());
  }
};

QTEST_GUILESS_MAIN(TestPipeline)
#include "tst_pipeline.moc"
