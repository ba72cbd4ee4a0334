// rs-transcode INPUT OUTDIR [--ladder 240p:235,...] [--codec h264] [--preset veryfast]
//   [--crf 23] [--rate-control capped-crf|vbv] [--segment-seconds 4] [--threads N]
// Probes INPUT, transcodes it into OUTDIR with media::transcode, prints progress to
// stderr and a JSON summary to stdout.

#include "media/ladder.h"
#include "media/probe.h"
#include "media/transcode.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <atomic>
#include <csignal>
#include <cstdio>

using namespace rs;
using namespace rs::media;

namespace {

std::atomic<bool> g_cancel{false};

void onSignal(int) { g_cancel.store(true); }

int fail(const QString &message) {
  std::fprintf(stderr, "rs-transcode: %s\n", qPrintable(message));
  return 1;
}

QJsonObject scoreJson(const QualityScore &s) {
  QJsonArray segs;
  for (double v : s.perSegment) segs.append(v);
  return {{QStringLiteral("mean"), s.mean}, {QStringLiteral("worstSegment"), s.worstSegment},
          {QStringLiteral("perSegment"), segs}};
}

}  // namespace

int main(int argc, char **argv) {
  QCoreApplication app(argc, argv);
  QCoreApplication::setApplicationName(QStringLiteral("rs-transcode"));
  QCommandLineParser cli;
  cli.setApplicationDescription(QStringLiteral("One decode, many encodes: ReelStack's transcoder."));
  cli.addHelpOption();
  cli.addPositionalArgument(QStringLiteral("input"), QStringLiteral("Source file or http:// URL."));
  cli.addPositionalArgument(QStringLiteral("outdir"), QStringLiteral("Directory for the outputs."));
  const QCommandLineOption ladderOpt(QStringLiteral("ladder"), QStringLiteral("Rungs, e.g. 240p:235,360p:750."),
                                     QStringLiteral("rungs"), formatLadder(defaultLadder()));
  const QCommandLineOption codecOpt(QStringLiteral("codec"), QStringLiteral("h264, hevc, vp9 or av1."),
                                    QStringLiteral("codec"), QStringLiteral("h264"));
  const QCommandLineOption presetOpt(QStringLiteral("preset"), QStringLiteral("x264-style preset."),
                                     QStringLiteral("name"), QStringLiteral("veryfast"));
  const QCommandLineOption crfOpt(QStringLiteral("crf"), QStringLiteral("CRF (capped-crf)."), QStringLiteral("n"),
                                  QStringLiteral("23"));
  const QCommandLineOption rcOpt(QStringLiteral("rate-control"), QStringLiteral("capped-crf or vbv."),
                                 QStringLiteral("mode"), QStringLiteral("capped-crf"));
  const QCommandLineOption segOpt(QStringLiteral("segment-seconds"), QStringLiteral("Segment length."),
                                  QStringLiteral("s"), QStringLiteral("4"));
  const QCommandLineOption threadsOpt(QStringLiteral("threads"),
                                      QStringLiteral("Encoder threads per rung (0: balanced by rung size)."),
                                      QStringLiteral("n"), QStringLiteral("0"));
  const QCommandLineOption audioOpt(QStringLiteral("audio-bitrate"), QStringLiteral("AAC kb/s."),
                                    QStringLiteral("kbps"), QStringLiteral("128"));
  const QCommandLineOption noQualityOpt(QStringLiteral("no-quality"),
                                        QStringLiteral("Skip PSNR/SSIM (to measure what they cost)."));
  cli.addOptions({ladderOpt, codecOpt, presetOpt, crfOpt, rcOpt, segOpt, threadsOpt, audioOpt, noQualityOpt});
  cli.process(app);
  const QStringList args = cli.positionalArguments();
  if (args.size() != 2) return fail(QStringLiteral("need INPUT and OUTDIR (see --help)"));

  Result<std::vector<Rung>> ladder = parseLadder(cli.value(ladderOpt));
  if (!ladder) return fail(ladder.status().message());
  LadderSpec spec;
  spec.profile.codec = cli.value(codecOpt);
  spec.profile.preset = cli.value(presetOpt);
  spec.profile.rateControl = cli.value(rcOpt);
  bool ok = true, all = true;
  spec.profile.crf = cli.value(crfOpt).toInt(&ok);
  all = all && ok;
  spec.segmentSeconds = cli.value(segOpt).toDouble(&ok);
  all = all && ok;
  spec.threads = cli.value(threadsOpt).toInt(&ok);
  all = all && ok;
  spec.audioBitrateKbps = cli.value(audioOpt).toInt(&ok);
  spec.measureQuality = !cli.isSet(noQualityOpt);
  if (!all || !ok) return fail(QStringLiteral("--crf, --segment-seconds, --threads and --audio-bitrate take numbers"));

  QElapsedTimer wall;
  wall.start();
  const QString input = args[0], outDir = args[1];
  Result<MediaInfo> info = probe(input);
  if (!info) return fail(info.status().message());
  const Status valid = validateForIngest(info.value());
  if (!valid) return fail(valid.message());
  spec.rungs = ladderFor(info.value(), ladder.value());
  const double probeSeconds = double(wall.nsecsElapsed()) / 1e9;

  std::signal(SIGINT, onSignal);
  std::signal(SIGTERM, onSignal);
  Result<TranscodeOutput> out = transcode(
      input, info.value(), spec, outDir,
      [](const Progress &p) {
        std::fprintf(stderr, "\r%5.1f%%  %6.1f fps  ETA %5.0f s ", p.percent, p.fps, p.etaSeconds);
      },
      &g_cancel);
  std::fprintf(stderr, "\n");
  if (!out) return fail(out.status().message());
  const double wallSeconds = double(wall.nsecsElapsed()) / 1e9;

  QJsonArray rungs;
  for (const RungOutput &r : out->video) {
    const qint64 size = QFileInfo(r.file).size();
    rungs.append(QJsonObject{
        {QStringLiteral("name"), r.rung.name},
        {QStringLiteral("codec"), r.codec},
        {QStringLiteral("width"), r.width},
        {QStringLiteral("height"), r.height},
        {QStringLiteral("file"), r.file},
        {QStringLiteral("sizeBytes"), double(size)},
        {QStringLiteral("kbps"), out->durationSeconds > 0 ? size * 8.0 / 1000.0 / out->durationSeconds : 0.0},
        {QStringLiteral("psnr"), scoreJson(r.psnr)},
        {QStringLiteral("ssim"), scoreJson(r.ssim)},
    });
  }
  QJsonObject summary{
      {QStringLiteral("input"), input},
      {QStringLiteral("durationSeconds"), out->durationSeconds},
      {QStringLiteral("frameRate"), QStringLiteral("%1/%2").arg(out->frameRateNum).arg(out->frameRateDen)},
      {QStringLiteral("segmentSeconds"), spec.segmentSeconds},
      {QStringLiteral("ladder"), formatLadder(spec.rungs)},
      {QStringLiteral("profile"), QJsonObject{{QStringLiteral("codec"), spec.profile.codec},
                                              {QStringLiteral("preset"), spec.profile.preset},
                                              {QStringLiteral("rateControl"), spec.profile.rateControl},
                                              {QStringLiteral("crf"), spec.profile.crf}}},
      {QStringLiteral("video"), rungs},
      {QStringLiteral("audio"), out->audioFile.isEmpty()
                                    ? QJsonValue()
                                    : QJsonValue(QJsonObject{{QStringLiteral("file"), out->audioFile},
                                                             {QStringLiteral("sizeBytes"),
                                                              double(QFileInfo(out->audioFile).size())}})},
      {QStringLiteral("poster"), out->poster},
      {QStringLiteral("sprite"), out->sprite},
      {QStringLiteral("spriteVtt"), out->spriteVtt},
      {QStringLiteral("probeSeconds"), probeSeconds},
      {QStringLiteral("wallSeconds"), wallSeconds},
      {QStringLiteral("speed"), wallSeconds > 0 ? out->durationSeconds / wallSeconds : 0.0},
  };
  std::fprintf(stdout, "%s", QJsonDocument(summary).toJson(QJsonDocument::Indented).constData());
  return 0;
}
