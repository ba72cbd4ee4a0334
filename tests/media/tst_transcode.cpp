// media::transcode end to end on clips made by the ffmpeg CLI: aligned fragments and
// keyframes on every rung, sizes, quality cross-checked with ffmpeg's psnr filter,
// audio, poster, sprite and WebVTT, and the failure paths (cancel, corrupt input).

#include "media/ladder.h"
#include "media/probe.h"
#include "media/transcode.h"

#include "core/http/fileserver.h"
#include "core/http/router.h"
#include "support/rawhttp.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtEndian>
#include <QtTest>
#include <csignal>

using namespace rs;
using namespace rs::media;

namespace {

QStringList split(const QString &s) { return s.split(QLatin1Char(' '), Qt::SkipEmptyParts); }

QByteArray run(const QString &program, const QStringList &args, bool *ok = nullptr) {
  QProcess p;
  p.start(program, args);
  const bool done = p.waitForFinished(120'000) && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
  if (ok) *ok = done;
  if (!done) qWarning("%s %s failed: %s", qPrintable(program), qPrintable(args.join(QLatin1Char(' '))),
                      p.readAllStandardError().constData());
  return p.readAllStandardOutput() + p.readAllStandardError();
}

bool ffmpeg(const QString &args, const QString &output) {
  bool ok = false;
  run(QStringLiteral("ffmpeg"), split(QStringLiteral("-hide_banner -loglevel error -y ") + args) + QStringList{output}, &ok);
  return ok;
}

QJsonObject ffprobe(const QString &file, const QString &what) {
  bool ok = false;
  const QByteArray out = run(QStringLiteral("ffprobe"), split(QStringLiteral("-v error -of json ") + what) + QStringList{file}, &ok);
  return ok ? QJsonDocument::fromJson(out).object() : QJsonObject();
}

// Just enough ISO BMFF to check fragments: per moof, where its first sample is
// presented and whether it is a sync sample.
struct Fragment {
  std::int64_t firstPresentation = 0;
  bool startsWithSync = false;
  int samples = 0;
};
struct Fmp4 {
  std::uint32_t timescale = 0;
  std::vector<Fragment> fragments;
  bool ok = false;
};

std::uint32_t be32(const char *p) { return qFromBigEndian<std::uint32_t>(p); }

Fmp4 parseFmp4(const QString &file) {
  Fmp4 out;
  QFile f(file);
  if (!f.open(QIODevice::ReadOnly)) return out;
  const QByteArray d = f.readAll();
  std::uint32_t trexFlags = 0;
  // Walks boxes in [begin, end); containers are descended into.
  std::function<void(qsizetype, qsizetype, Fragment *, std::uint32_t *, std::int64_t *)> walk =
      [&](qsizetype pos, qsizetype end, Fragment *frag, std::uint32_t *defaultFlags, std::int64_t *tfdt) {
        while (pos + 8 <= end) {
          const std::uint32_t size = be32(d.constData() + pos);
          const QByteArray type = d.mid(pos + 4, 4);
          if (size < 8 || pos + size > end) return;
          const char *body = d.constData() + pos + 8;
          if (type == "moov" || type == "trak" || type == "mdia" || type == "mvex" || type == "traf") {
            walk(pos + 8, pos + size, frag, defaultFlags, tfdt);
          } else if (type == "mdhd") {
            out.timescale = body[0] == 1 ? be32(body + 20) : be32(body + 12);
          } else if (type == "trex") {
            trexFlags = be32(body + 20);
          } else if (type == "moof") {
            Fragment fr;
            std::uint32_t flags = trexFlags;
            std::int64_t decodeTime = 0;
            walk(pos + 8, pos + size, &fr, &flags, &decodeTime);
            out.fragments.push_back(fr);
          } else if (type == "tfhd" && defaultFlags) {
            const std::uint32_t fl = be32(body) & 0xffffff;
            qsizetype o = 8;  // version/flags + track_ID
            if (fl & 0x1) o += 8;
            if (fl & 0x2) o += 4;
            if (fl & 0x8) o += 4;
            if (fl & 0x10) o += 4;
            if (fl & 0x20) *defaultFlags = be32(body + o);
          } else if (type == "tfdt" && tfdt) {
            *tfdt = body[0] == 1 ? std::int64_t(qFromBigEndian<quint64>(body + 4)) : be32(body + 4);
          } else if (type == "trun" && frag) {
            const std::uint32_t fl = be32(body) & 0xffffff;
            const int version = body[0];
            frag->samples = int(be32(body + 4));
            qsizetype o = 8;
            if (fl & 0x1) o += 4;
            std::uint32_t firstFlags = *defaultFlags;
            if (fl & 0x4) {
              firstFlags = be32(body + o);
              o += 4;
            }
            std::int64_t cts = 0;
            if (fl & 0x100) o += 4;
            if (fl & 0x200) o += 4;
            if (fl & 0x400) {
              if (!(fl & 0x4)) firstFlags = be32(body + o);
              o += 4;
            }
            if (fl & 0x800) cts = version == 1 ? std::int64_t(qint32(be32(body + o))) : std::int64_t(be32(body + o));
            frag->firstPresentation = *tfdt + cts;
            frag->startsWithSync = !(firstFlags & 0x10000);
          }
          pos += size;
        }
      };
  walk(0, d.size(), nullptr, nullptr, nullptr);
  out.ok = out.timescale > 0;
  return out;
}

// PSNR (Y) of a rung against the source scaled down with bicubic, by ffmpeg's own
// filter: an independent check of what the transcoder measured. Both inputs start at
// 0 (the fMP4's negative composition offsets make ffmpeg see the rung shifted); the
// per-frame values are averaged like ours (mean of frame PSNRs, not PSNR of the mean
// MSE that the filter prints).
double ffmpegPsnr(const QString &rung, const QString &source, int w, int h, const QString &statsFile) {
  const QString graph = QStringLiteral("[0:v]setpts=PTS-STARTPTS[d];[1:v]scale=%1:%2:flags=bicubic,"
                                       "setpts=PTS-STARTPTS[r];[d][r]psnr=stats_file=%3")
                            .arg(w)
                            .arg(h)
                            .arg(statsFile);
  bool ok = false;
  run(QStringLiteral("ffmpeg"),
      QStringList{QStringLiteral("-hide_banner"), QStringLiteral("-i"), rung, QStringLiteral("-i"), source,
                  QStringLiteral("-lavfi"), graph, QStringLiteral("-f"), QStringLiteral("null"), QStringLiteral("-")},
      &ok);
  QFile f(statsFile);
  if (!ok || !f.open(QIODevice::ReadOnly)) return -1;
  const QRegularExpression re(QStringLiteral("psnr_y:([0-9.]+|inf)"));
  double sum = 0;
  int n = 0;
  for (const QByteArray &line : f.readAll().split('\n')) {
    const QRegularExpressionMatch m = re.match(QString::fromLatin1(line));
    if (!m.hasMatch()) continue;
    sum += m.captured(1) == QStringLiteral("inf") ? 100.0 : std::min(100.0, m.captured(1).toDouble());
    ++n;
  }
  return n ? sum / n : -1;
}

LadderSpec smallSpec(const QString &preset = QStringLiteral("veryfast")) {
  LadderSpec spec;
  Result<std::vector<Rung>> rungs = parseLadder(QStringLiteral("240p:235,360p:750"));
  spec.rungs = rungs.value();
  spec.segmentSeconds = 2;
  spec.profile.preset = preset;
  return spec;
}

}  // namespace

class TranscodeTest : public QObject {
  Q_OBJECT

  QTemporaryDir dir_;
  QString path(const QString &name) const { return dir_.filePath(name); }

 private Q_SLOTS:
  void initTestCase() {
    std::signal(SIGPIPE, SIG_IGN);  // as the platform does: a reader may hang up mid-body
    QVERIFY(dir_.isValid());
    // 7 s, 640x360, 30 fps, with a 48 kHz mono tone (the output must be stereo).
    QVERIFY(ffmpeg(QStringLiteral("-f lavfi -i testsrc2=s=640x360:r=30:d=7 -f lavfi -i sine=f=440:r=44100:d=7 "
                                  "-c:v libx264 -preset ultrafast -crf 12 -pix_fmt yuv420p -c:a aac -shortest"),
                   path(QStringLiteral("av.mp4"))));
    QVERIFY(ffmpeg(QStringLiteral("-f lavfi -i testsrc2=s=640x360:r=25:d=3 -c:v libx264 -preset ultrafast -crf 12 "
                                  "-pix_fmt yuv420p"),
                   path(QStringLiteral("silent.mp4"))));
  }

  void ladderWithAudio() {
    const QString src = path(QStringLiteral("av.mp4")), work = path(QStringLiteral("out-av"));
    Result<MediaInfo> info = probe(src);
    QVERIFY2(info.isOk(), qPrintable(info.status().message()));
    LadderSpec spec = smallSpec();
    std::vector<Progress> reports;
    Result<TranscodeOutput> r =
        transcode(src, info.value(), spec, work, [&](const Progress &p) { reports.push_back(p); }, nullptr);
    QVERIFY2(r.isOk(), qPrintable(r.status().message()));
    const TranscodeOutput &out = r.value();
    QCOMPARE(out.frameRateNum, 30);
    QCOMPARE(out.frameRateDen, 1);
    QVERIFY(qAbs(out.durationSeconds - 7.0) < 0.05);

    // Two rungs, 426x240 (640·240/360 = 426.7, rounded to the nearest even width) and 640x360.
    QCOMPARE(out.video.size(), size_t(2));
    const int widths[] = {426, 640}, heights[] = {240, 360};
    std::vector<Fmp4> parsed;
    for (size_t i = 0; i < 2; ++i) {
      const RungOutput &v = out.video[i];
      QCOMPARE(v.codec, QStringLiteral("h264"));
      QCOMPARE(v.width, widths[i]);
      QCOMPARE(v.height, heights[i]);
      QCOMPARE(v.file, QDir(work).filePath(QStringLiteral("video-") + v.rung.name + QStringLiteral(".mp4")));
      const QJsonObject st = ffprobe(v.file, QStringLiteral("-count_frames -show_streams")).value(QStringLiteral("streams")).toArray().at(0).toObject();
      QCOMPARE(st.value(QStringLiteral("codec_name")).toString(), QStringLiteral("h264"));
      QCOMPARE(st.value(QStringLiteral("profile")).toString(), QStringLiteral("High"));
      QCOMPARE(st.value(QStringLiteral("width")).toInt(), widths[i]);
      QCOMPARE(st.value(QStringLiteral("height")).toInt(), heights[i]);
      QCOMPARE(st.value(QStringLiteral("nb_read_frames")).toString(), QStringLiteral("210"));

      // One fragment per 2 s segment, each opening with a sync sample presented exactly
      // on the boundary.
      const Fmp4 f = parseFmp4(v.file);
      QVERIFY(f.ok);
      QCOMPARE(f.fragments.size(), size_t(4));
      int samples = 0;
      for (size_t k = 0; k < f.fragments.size(); ++k) {
        QVERIFY2(f.fragments[k].startsWithSync, qPrintable(QStringLiteral("%1 fragment %2").arg(v.rung.name).arg(k)));
        QCOMPARE(f.fragments[k].firstPresentation, std::int64_t(k) * 2 * std::int64_t(f.timescale));
        samples += f.fragments[k].samples;
      }
      QCOMPARE(samples, 210);
      parsed.push_back(f);

      // Quality: plausible, per segment, and what ffmpeg's psnr filter says too.
      QVERIFY2(v.psnr.mean > 30 && v.psnr.mean < 99, qPrintable(QString::number(v.psnr.mean)));
      QVERIFY(v.ssim.mean > 0.9 && v.ssim.mean < 1.0);
      QCOMPARE(v.psnr.perSegment.size(), size_t(4));
      QCOMPARE(v.ssim.perSegment.size(), size_t(4));
      QVERIFY(v.psnr.worstSegment <= v.psnr.mean && v.psnr.worstSegment > 25);
      QVERIFY(v.ssim.worstSegment <= v.ssim.mean);
      const double reference =
          ffmpegPsnr(v.file, src, widths[i], heights[i], QDir(work).filePath(v.rung.name + QStringLiteral(".psnr")));
      QVERIFY2(qAbs(reference - v.psnr.mean) < 0.05,
               qPrintable(QStringLiteral("%1: ours %2, ffmpeg %3").arg(v.rung.name).arg(v.psnr.mean).arg(reference)));
    }
    QCOMPARE(parsed[0].timescale, parsed[1].timescale);
    // The rungs differ as they should: the full-size 750 kb/s rung is the sharper one.
    QVERIFY(out.video[1].psnr.mean > out.video[0].psnr.mean);
    QVERIFY(QFileInfo(out.video[1].file).size() > QFileInfo(out.video[0].file).size());

    // Audio: AAC-LC stereo 48 kHz, cut into the same four segments.
    QCOMPARE(out.audioFile, QDir(work).filePath(QStringLiteral("audio.mp4")));
    const QJsonObject a = ffprobe(out.audioFile, QStringLiteral("-show_streams")).value(QStringLiteral("streams")).toArray().at(0).toObject();
    QCOMPARE(a.value(QStringLiteral("codec_name")).toString(), QStringLiteral("aac"));
    QCOMPARE(a.value(QStringLiteral("profile")).toString(), QStringLiteral("LC"));
    QCOMPARE(a.value(QStringLiteral("sample_rate")).toString(), QStringLiteral("48000"));
    QCOMPARE(a.value(QStringLiteral("channels")).toInt(), 2);
    const Fmp4 af = parseFmp4(out.audioFile);
    QCOMPARE(af.timescale, 48000u);
    QCOMPARE(af.fragments.size(), size_t(4));
    for (size_t k = 1; k < af.fragments.size(); ++k) {
      const std::int64_t boundary = std::int64_t(k) * 2 * 48000;
      QVERIFY(af.fragments[k].firstPresentation >= boundary);
      QVERIFY(af.fragments[k].firstPresentation < boundary + 1024);  // the first AAC frame at/after it
    }

    // Poster: the display size; sprite: one 160x90 tile per 2 s (T = max(2, ceil(7/100))).
    const QJsonObject poster = ffprobe(out.poster, QStringLiteral("-show_streams")).value(QStringLiteral("streams")).toArray().at(0).toObject();
    QCOMPARE(poster.value(QStringLiteral("codec_name")).toString(), QStringLiteral("mjpeg"));
    QCOMPARE(poster.value(QStringLiteral("width")).toInt(), 640);
    QCOMPARE(poster.value(QStringLiteral("height")).toInt(), 360);
    const QJsonObject sprite = ffprobe(out.sprite, QStringLiteral("-show_streams")).value(QStringLiteral("streams")).toArray().at(0).toObject();
    QCOMPARE(sprite.value(QStringLiteral("codec_name")).toString(), QStringLiteral("mjpeg"));
    QCOMPARE(sprite.value(QStringLiteral("width")).toInt(), 4 * 160);
    QCOMPARE(sprite.value(QStringLiteral("height")).toInt(), 90);
    QFile vtt(out.spriteVtt);
    QVERIFY(vtt.open(QIODevice::ReadOnly));
    const QStringList lines = QString::fromUtf8(vtt.readAll()).split(QLatin1Char('\n'));
    QCOMPARE(lines.value(0), QStringLiteral("WEBVTT"));
    const QRegularExpression cue(QStringLiteral(R"(^(\d\d):(\d\d):(\d\d)\.(\d\d\d) --> (\d\d):(\d\d):(\d\d)\.(\d\d\d)$)"));
    const QRegularExpression ref(QStringLiteral(R"(^thumbs\.jpg#xywh=(\d+),(\d+),(\d+),(\d+)$)"));
    int cues = 0;
    double lastEnd = 0;
    for (int i = 1; i < lines.size(); ++i) {
      const QRegularExpressionMatch m = cue.match(lines[i]);
      if (!m.hasMatch()) continue;
      QVERIFY(lines[i - 1].isEmpty());
      auto secs = [&](int at) {
        return m.captured(at).toInt() * 3600 + m.captured(at + 1).toInt() * 60 + m.captured(at + 2).toInt() +
               m.captured(at + 3).toInt() / 1000.0;
      };
      QCOMPARE(secs(1), lastEnd);
      QVERIFY(secs(5) > secs(1));
      lastEnd = secs(5);
      const QRegularExpressionMatch r2 = ref.match(lines.value(i + 1));
      QVERIFY2(r2.hasMatch(), qPrintable(lines.value(i + 1)));
      QCOMPARE(r2.captured(1).toInt(), cues * 160);
      QCOMPARE(r2.captured(2).toInt(), 0);
      QCOMPARE(r2.captured(3).toInt(), 160);
      QCOMPARE(r2.captured(4).toInt(), 90);
      ++cues;
    }
    QCOMPARE(cues, 4);
    QVERIFY(qAbs(lastEnd - 7.0) < 0.05);

    // Progress: rate-limited, never backwards, ends at 100.
    QVERIFY(!reports.empty());
    for (size_t i = 1; i < reports.size(); ++i) QVERIFY(reports[i].percent >= reports[i - 1].percent);
    QCOMPARE(reports.back().percent, 100.0);
    QVERIFY(reports.back().fps > 0);
  }

  void noAudioNoAudioFile() {
    const QString src = path(QStringLiteral("silent.mp4")), work = path(QStringLiteral("out-silent"));
    Result<MediaInfo> info = probe(src);
    QVERIFY(info.isOk());
    LadderSpec spec = smallSpec(QStringLiteral("ultrafast"));
    spec.rungs = ladderFor(info.value(), defaultLadder());  // never upscales: 240p and 360p only
    QCOMPARE(spec.rungs.size(), size_t(2));
    Result<TranscodeOutput> r = transcode(src, info.value(), spec, work, {}, nullptr);
    QVERIFY2(r.isOk(), qPrintable(r.status().message()));
    QVERIFY(r->audioFile.isEmpty());
    QVERIFY(!QFileInfo::exists(QDir(work).filePath(QStringLiteral("audio.mp4"))));
    for (const RungOutput &v : r->video) {
      QVERIFY(v.height <= 360);
      const Fmp4 f = parseFmp4(v.file);
      QCOMPARE(f.fragments.size(), size_t(2));  // 3 s in 2 s segments
      QCOMPARE(f.fragments[1].firstPresentation, 2 * std::int64_t(f.timescale));
      QVERIFY(f.fragments[1].startsWithSync);
    }
    // 25 fps: 90000 ticks a second, 3600 a frame.
    QCOMPARE(parseFmp4(r->video[0].file).timescale, 90000u);
  }

  void rotatedSourceComesOutUpright() {
    const QString rotated = path(QStringLiteral("rotated.mp4")), work = path(QStringLiteral("out-rot"));
    QVERIFY(ffmpeg(QStringLiteral("-i ") + path(QStringLiteral("silent.mp4")) + QStringLiteral(" -t 2 -c copy -metadata:s:v rotate=90"),
                   rotated));
    Result<MediaInfo> info = probe(rotated);
    QVERIFY(info.isOk());
    QCOMPARE(info->video.displayWidth, 360);
    QCOMPARE(info->video.displayHeight, 640);
    LadderSpec spec = smallSpec(QStringLiteral("ultrafast"));
    spec.rungs.resize(1);  // 240p
    Result<TranscodeOutput> r = transcode(rotated, info.value(), spec, work, {}, nullptr);
    QVERIFY2(r.isOk(), qPrintable(r.status().message()));
    QCOMPARE(r->video[0].width, 136);  // 240·360/640 = 135 → 136
    QCOMPARE(r->video[0].height, 240);
    const QJsonObject poster = ffprobe(r->poster, QStringLiteral("-show_streams")).value(QStringLiteral("streams")).toArray().at(0).toObject();
    QCOMPARE(poster.value(QStringLiteral("width")).toInt(), 360);
    QCOMPARE(poster.value(QStringLiteral("height")).toInt(), 640);
    // The picture really is turned: compare with the CLI's autorotated rendering.
    const double psnr = ffmpegPsnr(r->video[0].file, rotated, 136, 240, QDir(work).filePath(QStringLiteral("psnr.log")));
    QVERIFY2(psnr > 30, qPrintable(QString::number(psnr)));
  }

  void sourceOverHttp() {
    // Encoders read sources from the api role with libavformat's HTTP client.
    auto router = std::make_shared<http::Router>();
    auto root = std::make_shared<http::FileRoot>(dir_.path());
    router->get(QStringLiteral("/src/{*rest}"), http::Access::Public,
                [root](http::Request &req) { return root->serve(req, req.param(QStringLiteral("rest"))); });
    http::ServerOptions opts;
    opts.workers = 1;
    test::ServerHost host(opts, router);
    QVERIFY2(host.ok(), qPrintable(host.error()));
    const QString url = QStringLiteral("http://127.0.0.1:%1/src/av.mp4").arg(host.port());
    ProbeOptions shallow;
    shallow.scanPackets = false;
    Result<MediaInfo> info = probe(url, shallow);
    QVERIFY2(info.isOk(), qPrintable(info.status().message()));
    LadderSpec spec = smallSpec(QStringLiteral("ultrafast"));
    spec.rungs.resize(1);
    Result<TranscodeOutput> r = transcode(url, info.value(), spec, path(QStringLiteral("out-http")), {}, nullptr);
    QVERIFY2(r.isOk(), qPrintable(r.status().message()));
    QCOMPARE(parseFmp4(r->video[0].file).fragments.size(), size_t(4));
    QVERIFY(!r->audioFile.isEmpty());
  }

  void cancelStops() {
    const QString src = path(QStringLiteral("av.mp4")), work = path(QStringLiteral("out-cancel"));
    Result<MediaInfo> info = probe(src);
    std::atomic<bool> cancel{false};
    int calls = 0;
    QElapsedTimer t;
    t.start();
    Result<TranscodeOutput> r = transcode(
        src, info.value(), smallSpec(QStringLiteral("ultrafast")), work,
        [&](const Progress &) {
          ++calls;
          cancel = true;
        },
        &cancel);
    QVERIFY(!r.isOk());
    QCOMPARE(r.status().code(), ErrorCode::Unavailable);
    QVERIFY(r.status().message().contains(QStringLiteral("cancel")));
    QVERIFY(calls >= 1);
    // Cancelled before starting at all.
    std::atomic<bool> already{true};
    Result<TranscodeOutput> r2 = transcode(src, info.value(), smallSpec(), path(QStringLiteral("out-cancel2")), {}, &already);
    QCOMPARE(r2.status().code(), ErrorCode::Unavailable);
  }

  void corruptInputFails() {
    // A faststart file cut at 60%: it opens, then its samples run past the end.
    const QString whole = path(QStringLiteral("fast.mp4")), cut = path(QStringLiteral("cut.mp4"));
    QVERIFY(ffmpeg(QStringLiteral("-i ") + path(QStringLiteral("av.mp4")) + QStringLiteral(" -c copy -movflags +faststart"), whole));
    QFile in(whole), out(cut);
    QVERIFY(in.open(QIODevice::ReadOnly) && out.open(QIODevice::WriteOnly));
    const QByteArray bytes = in.readAll();
    out.write(bytes.left(bytes.size() * 6 / 10));
    out.close();
    ProbeOptions shallow;
    shallow.scanPackets = false;  // the encoder trusts the probe it was given
    Result<MediaInfo> info = probe(cut, shallow);
    QVERIFY(info.isOk());
    Result<TranscodeOutput> r = transcode(cut, info.value(), smallSpec(QStringLiteral("ultrafast")),
                                          path(QStringLiteral("out-cut")), {}, nullptr);
    QVERIFY(!r.isOk());
    QCOMPARE(r.status().code(), ErrorCode::BadRequest);
    QVERIFY2(r.status().message().startsWith(QStringLiteral("demux: ")), qPrintable(r.status().message()));

    Result<TranscodeOutput> missing = transcode(path(QStringLiteral("nope.mp4")), info.value(), smallSpec(),
                                                path(QStringLiteral("out-missing")), {}, nullptr);
    QCOMPARE(missing.status().code(), ErrorCode::NotFound);
  }

  void badSpecs() {
    Result<MediaInfo> info = probe(path(QStringLiteral("silent.mp4")));
    LadderSpec spec = smallSpec();
    spec.profile.codec = QStringLiteral("mpeg1");
    Result<TranscodeOutput> r = transcode(path(QStringLiteral("silent.mp4")), info.value(), spec, path(QStringLiteral("x")), {}, nullptr);
    QCOMPARE(r.status().code(), ErrorCode::BadRequest);
    spec = smallSpec();
    spec.profile.preset = QStringLiteral("warp9");
    QCOMPARE(transcode(path(QStringLiteral("silent.mp4")), info.value(), spec, path(QStringLiteral("x")), {}, nullptr).status().code(),
             ErrorCode::BadRequest);
    spec = smallSpec();
    spec.rungs.clear();
    QCOMPARE(transcode(path(QStringLiteral("silent.mp4")), info.value(), spec, path(QStringLiteral("x")), {}, nullptr).status().code(),
             ErrorCode::BadRequest);
  }

  void vbvAndOtherCodecs_data() {
    QTest::addColumn<QString>("codec");
    QTest::addColumn<QString>("rateControl");
    QTest::addColumn<QString>("ffprobeName");
    QTest::newRow("h264 vbv") << QStringLiteral("h264") << QStringLiteral("vbv") << QStringLiteral("h264");
    QTest::newRow("hevc") << QStringLiteral("hevc") << QStringLiteral("capped-crf") << QStringLiteral("hevc");
    QTest::newRow("vp9") << QStringLiteral("vp9") << QStringLiteral("capped-crf") << QStringLiteral("vp9");
    QTest::newRow("av1") << QStringLiteral("av1") << QStringLiteral("capped-crf") << QStringLiteral("av1");
  }
  void vbvAndOtherCodecs() {
    QFETCH(QString, codec);
    QFETCH(QString, rateControl);
    QFETCH(QString, ffprobeName);
    const QString src = path(QStringLiteral("short.mp4"));
    if (!QFileInfo::exists(src))
      QVERIFY(ffmpeg(QStringLiteral("-f lavfi -i testsrc2=s=320x180:r=25:d=2.2 -c:v libx264 -preset ultrafast -crf 12"), src));
    Result<MediaInfo> info = probe(src);
    LadderSpec spec;
    spec.rungs = parseLadder(QStringLiteral("180p:300")).value();
    spec.segmentSeconds = 1;
    spec.profile.codec = codec;
    spec.profile.rateControl = rateControl;
    spec.profile.preset = QStringLiteral("ultrafast");
    const QString work = path(QStringLiteral("out-") + codec + rateControl);
    Result<TranscodeOutput> r = transcode(src, info.value(), spec, work, {}, nullptr);
    QVERIFY2(r.isOk(), qPrintable(r.status().message()));
    const RungOutput &v = r->video[0];
    QCOMPARE(v.codec, codec);
    const QJsonObject st = ffprobe(v.file, QStringLiteral("-show_streams")).value(QStringLiteral("streams")).toArray().at(0).toObject();
    QCOMPARE(st.value(QStringLiteral("codec_name")).toString(), ffprobeName);
    QCOMPARE(st.value(QStringLiteral("width")).toInt(), 320);
    const Fmp4 f = parseFmp4(v.file);
    QCOMPARE(f.fragments.size(), size_t(3));
    for (size_t k = 0; k < f.fragments.size(); ++k) {
      QVERIFY2(f.fragments[k].startsWithSync, qPrintable(QStringLiteral("fragment %1").arg(k)));
      QCOMPARE(f.fragments[k].firstPresentation, std::int64_t(k) * f.timescale);
    }
    QVERIFY2(v.psnr.mean > 25, qPrintable(QString::number(v.psnr.mean)));
  }
};

QTEST_GUILESS_MAIN(TranscodeTest)
#include "tst_transcode.moc"
