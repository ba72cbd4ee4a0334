#include "encode/packager.h"

#include "package/fmp4.h"
#include "package/manifests.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QSaveFile>

namespace rs::encode {

namespace {

Status writeFile(const QString &path, const QByteArray &data) {
  QSaveFile f(path);
  if (!f.open(QIODevice::WriteOnly) || f.write(data) != data.size() || !f.commit())
    return Status(ErrorCode::IoError, QStringLiteral("cannot write %1: %2").arg(path, f.errorString()));
  return Status::ok();
}

Status copyInto(const QString &from, const QString &to) {
  if (from.isEmpty()) return Status::ok();
  QFile::remove(to);
  if (!QFile::copy(from, to)) return Status(ErrorCode::IoError, QStringLiteral("cannot copy %1 to %2").arg(from, to));
  return Status::ok();
}

QString frameRateText(int num, int den) {
  if (num <= 0 || den <= 0) return {};
  if (num % den == 0) return QString::number(num / den);
  return QStringLiteral("%1/%2").arg(num).arg(den);
}

QString codecName(const QString &codecs) {
  if (codecs.startsWith(u"avc")) return QStringLiteral("h264");
  if (codecs.startsWith(u"hvc") || codecs.startsWith(u"hev")) return QStringLiteral("hevc");
  if (codecs.startsWith(u"vp09")) return QStringLiteral("vp9");
  if (codecs.startsWith(u"av01")) return QStringLiteral("av1");
  if (codecs.startsWith(u"mp4a")) return QStringLiteral("aac");
  return codecs.section(u'.', 0, 0);
}

QJsonObject scoreJson(const media::QualityScore &q) {
  QJsonArray per;
  for (double v : q.perSegment) per.append(v);
  return {{QStringLiteral("mean"), q.mean}, {QStringLiteral("worstSegment"), q.worstSegment}, {QStringLiteral("perSegment"), per}};
}

}  // namespace

Result<PackagedTitle> packageTitle(const media::TranscodeOutput &out, const media::LadderSpec &spec, const QString &outDir) {
  if (out.video.empty()) return Status(ErrorCode::Internal, QStringLiteral("the encoder produced no video rendition"));
  if (!QDir().mkpath(outDir)) return Status(ErrorCode::IoError, QStringLiteral("cannot create %1").arg(outDir));
  PackagedTitle title;
  title.dir = outDir;
  title.durationSeconds = out.durationSeconds;
  title.segmentSeconds = spec.segmentSeconds;
  package::Presentation presentation;
  presentation.durationSeconds = out.durationSeconds;

  for (const media::RungOutput &rung : out.video) {
    const QString rel = QStringLiteral("video/") + rung.rung.name;
    auto track = package::splitFragmentedMp4(rung.file, outDir + u'/' + rel);
    if (!track) return Status(track.status().code(), QStringLiteral("packaging %1: %2").arg(rung.rung.name, track.status().message()));
    package::Representation rep = package::representationFrom(*track, rung.rung.name, rel);
    rep.frameRate = frameRateText(out.frameRateNum, out.frameRateDen);
    presentation.video.push_back(rep);
    title.renditions.append(QJsonObject{
        {QStringLiteral("id"), rep.id}, {QStringLiteral("kind"), QStringLiteral("video")},
        {QStringLiteral("codec"), codecName(rep.codecs)}, {QStringLiteral("codecs"), rep.codecs},
        {QStringLiteral("width"), rep.width}, {QStringLiteral("height"), rep.height},
        {QStringLiteral("frameRate"), rep.frameRate},
        {QStringLiteral("bandwidth"), double(rep.bandwidth)}, {QStringLiteral("averageBandwidth"), double(rep.averageBandwidth)},
        {QStringLiteral("targetKbps"), rung.rung.bitrateKbps}, {QStringLiteral("segments"), int(track->segments.size())},
        {QStringLiteral("psnr"), scoreJson(rung.psnr)}, {QStringLiteral("ssim"), scoreJson(rung.ssim)}});
  }
  if (!out.audioFile.isEmpty()) {
    const QString rel = QStringLiteral("audio/aac");
    auto track = package::splitFragmentedMp4(out.audioFile, outDir + u'/' + rel);
    if (!track) return Status(track.status().code(), QStringLiteral("packaging audio: %1").arg(track.status().message()));
    package::Representation rep = package::representationFrom(*track, QStringLiteral("aac"), rel);
    presentation.audio.push_back(rep);
    title.renditions.append(QJsonObject{
        {QStringLiteral("id"), rep.id}, {QStringLiteral("kind"), QStringLiteral("audio")},
        {QStringLiteral("codec"), codecName(rep.codecs)}, {QStringLiteral("codecs"), rep.codecs},
        {QStringLiteral("channels"), rep.channels}, {QStringLiteral("sampleRate"), rep.sampleRate},
        {QStringLiteral("bandwidth"), double(rep.bandwidth)}, {QStringLiteral("averageBandwidth"), double(rep.averageBandwidth)}});
  }

  RS_RETURN_IF_ERROR(writeFile(outDir + QStringLiteral("/manifest.mpd"), package::writeMpd(presentation)));
  RS_RETURN_IF_ERROR(writeFile(outDir + QStringLiteral("/master.m3u8"), package::writeHlsMaster(presentation)));
  for (const auto *list : {&presentation.video, &presentation.audio}) {
    for (const package::Representation &rep : *list)
      RS_RETURN_IF_ERROR(writeFile(outDir + u'/' + rep.playlistPath, package::writeHlsMedia(rep)));
  }
  title.assets = {{QStringLiteral("dash"), QStringLiteral("manifest.mpd")}, {QStringLiteral("hls"), QStringLiteral("master.m3u8")}};
  if (!out.poster.isEmpty()) {
    RS_RETURN_IF_ERROR(copyInto(out.poster, outDir + QStringLiteral("/poster.jpg")));
    title.assets.insert(QStringLiteral("poster"), QStringLiteral("poster.jpg"));
  }
  if (!out.sprite.isEmpty() && !out.spriteVtt.isEmpty()) {
    RS_RETURN_IF_ERROR(copyInto(out.sprite, outDir + QStringLiteral("/thumbs.jpg")));
    RS_RETURN_IF_ERROR(copyInto(out.spriteVtt, outDir + QStringLiteral("/thumbs.vtt")));
    title.assets.insert(QStringLiteral("thumbnails"), QStringLiteral("thumbs.vtt"));
  }
  const QJsonObject summary{{QStringLiteral("renditions"), title.renditions},
                            {QStringLiteral("assets"), title.assets},
                            {QStringLiteral("durationSeconds"), title.durationSeconds},
                            {QStringLiteral("segmentSeconds"), title.segmentSeconds}};
  RS_RETURN_IF_ERROR(writeFile(outDir + QStringLiteral("/title.json"), QJsonDocument(summary).toJson()));
  return title;
}

}  // namespace rs::encode
