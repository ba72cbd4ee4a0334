#include "encode/packager.h"

#include "package/cencencryptor.h"
#include "package/fmp4.h"
#include "package/hlsaes.h"
#include "package/manifests.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QSaveFile>

namespace rs::encode {

namespace {

const QString kAes128Dir = QStringLiteral("hls-aes128/");

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

QString ivText(const package::Bytes16 &iv) { return QStringLiteral("0x") + package::toHex(iv); }

// One rendition packaged: the representation of the CENC set (or the clear one) and,
// when protected, that of the AES-128 variant.
struct Packaged {
  package::Representation rep, aes128;
  int segments = 0;
};

// Splits one fragmented MP4 into the title's layout: clear, or CENC plus AES-128.
Result<Packaged> packageTrack(const QString &file, const QString &id, const QString &rel, const QString &outDir,
                              const QString &trackName, const package::TitleProtection *protection) {
  Packaged out;
  if (!protection) {
    auto track = package::splitFragmentedMp4(file, outDir + u'/' + rel);
    if (!track) return track.status();
    out.rep = package::representationFrom(*track, id, rel);
    out.segments = int(track->segments.size());
    return out;
  }
  const package::TrackKey *key = protection->track(trackName);
  if (!key) return Status(ErrorCode::Internal, QStringLiteral("the key source gave no key for the %1 track").arg(trackName));
  package::CencTrackParams params;
  params.scheme = protection->scheme;
  params.kid = key->kid;
  params.key = key->key;
  params.iv = package::deriveIv(protection->ivSeed, u"cenc", id);
  for (const package::TrackKey &t : protection->tracks) params.psshKids.push_back(t.kid);
  package::CencEncryptor cenc(params);
  package::HlsAes128Encryptor aes128(key->aes128Key, protection->ivSeed, id);
  auto tracks = package::splitFragmentedMp4(file, {{outDir + u'/' + rel, &cenc}, {outDir + u'/' + kAes128Dir + rel, &aes128}});
  if (!tracks) return tracks.status();
  out.segments = int((*tracks)[0].segments.size());

  package::Encryption e;
  e.scheme = package::schemeName(protection->scheme);
  e.defaultKid = package::toUuid(key->kid);
  e.licenseUrl = protection->licenseUrl;
  e.hlsMethod = protection->scheme == package::Scheme::Cenc ? QStringLiteral("SAMPLE-AES-CTR") : QStringLiteral("SAMPLE-AES");
  e.hlsKeyUri = package::hlsKeyUri(*protection, key->kid);
  e.hlsKeyFormat = QStringLiteral("identity");
  out.rep = package::representationFrom((*tracks)[0], id, rel);
  out.rep.encryption = e;

  package::Encryption a = e;
  a.hlsMethod = QStringLiteral("AES-128");
  a.hlsKeyUri = package::hlsKeyUri(*protection, key->aes128Kid);
  a.hlsKeyFormat.clear();
  a.initIv = ivText(aes128.ivFor(0));
  for (int n = 1; n <= out.segments; ++n) a.segmentIvs.push_back(ivText(aes128.ivFor(std::uint64_t(n))));
  out.aes128 = package::representationFrom((*tracks)[1], id, kAes128Dir + rel);
  out.aes128.encryption = a;
  return out;
}

QJsonObject protectionJson(const package::TitleProtection &p) {
  QJsonObject kids;
  for (const package::TrackKey &t : p.tracks) kids.insert(t.track, package::toUuid(t.kid));
  return {{QStringLiteral("scheme"), package::schemeName(p.scheme)},
          {QStringLiteral("keySystem"), QStringLiteral("org.w3.clearkey")},
          {QStringLiteral("licenseUrl"), p.licenseUrl},
          {QStringLiteral("hlsKeys"), QStringLiteral("aes-128")},
          {QStringLiteral("kids"), kids}};
}

}  // namespace

Result<PackagedTitle> packageTitle(const media::TranscodeOutput &out, const media::LadderSpec &spec, const QString &outDir,
                                   const package::TitleProtection *protection) {
  if (out.video.empty()) return Status(ErrorCode::Internal, QStringLiteral("the encoder produced no video rendition"));
  if (protection) RS_RETURN_IF_ERROR(package::validate(*protection));
  if (!QDir().mkpath(outDir)) return Status(ErrorCode::IoError, QStringLiteral("cannot create %1").arg(outDir));
  PackagedTitle title;
  title.dir = outDir;
  title.durationSeconds = out.durationSeconds;
  title.segmentSeconds = spec.segmentSeconds;
  package::Presentation presentation, aes128;
  presentation.durationSeconds = aes128.durationSeconds = out.durationSeconds;
  const auto protectionOf = [&](const package::Representation &rep) {
    return rep.encryption ? QJsonObject{{QStringLiteral("scheme"), rep.encryption->scheme}, {QStringLiteral("kid"), rep.encryption->defaultKid}}
                          : QJsonObject{};
  };

  for (const media::RungOutput &rung : out.video) {
    auto packaged = packageTrack(rung.file, rung.rung.name, QStringLiteral("video/") + rung.rung.name, outDir, QStringLiteral("video"), protection);
    if (!packaged) return Status(packaged.status().code(), QStringLiteral("packaging %1: %2").arg(rung.rung.name, packaged.status().message()));
    package::Representation &rep = packaged->rep;
    rep.frameRate = packaged->aes128.frameRate = frameRateText(out.frameRateNum, out.frameRateDen);
    presentation.video.push_back(rep);
    if (protection) aes128.video.push_back(packaged->aes128);
    QJsonObject r{
        {QStringLiteral("id"), rep.id}, {QStringLiteral("kind"), QStringLiteral("video")},
        {QStringLiteral("codec"), codecName(rep.codecs)}, {QStringLiteral("codecs"), rep.codecs},
        {QStringLiteral("width"), rep.width}, {QStringLiteral("height"), rep.height},
        {QStringLiteral("frameRate"), rep.frameRate},
        {QStringLiteral("bandwidth"), double(rep.bandwidth)}, {QStringLiteral("averageBandwidth"), double(rep.averageBandwidth)},
        {QStringLiteral("targetKbps"), rung.rung.bitrateKbps}, {QStringLiteral("segments"), packaged->segments},
        {QStringLiteral("psnr"), scoreJson(rung.psnr)}, {QStringLiteral("ssim"), scoreJson(rung.ssim)}};
    if (protection) r.insert(QStringLiteral("protection"), protectionOf(rep));
    title.renditions.append(r);
  }
  if (!out.audioFile.isEmpty()) {
    auto packaged = packageTrack(out.audioFile, QStringLiteral("aac"), QStringLiteral("audio/aac"), outDir, QStringLiteral("audio"), protection);
    if (!packaged) return Status(packaged.status().code(), QStringLiteral("packaging audio: %1").arg(packaged.status().message()));
    const package::Representation &rep = packaged->rep;
    presentation.audio.push_back(rep);
    if (protection) aes128.audio.push_back(packaged->aes128);
    QJsonObject r{
        {QStringLiteral("id"), rep.id}, {QStringLiteral("kind"), QStringLiteral("audio")},
        {QStringLiteral("codec"), codecName(rep.codecs)}, {QStringLiteral("codecs"), rep.codecs},
        {QStringLiteral("channels"), rep.channels}, {QStringLiteral("sampleRate"), rep.sampleRate},
        {QStringLiteral("bandwidth"), double(rep.bandwidth)}, {QStringLiteral("averageBandwidth"), double(rep.averageBandwidth)}};
    if (protection) r.insert(QStringLiteral("protection"), protectionOf(rep));
    title.renditions.append(r);
  }

  RS_RETURN_IF_ERROR(writeFile(outDir + QStringLiteral("/manifest.mpd"), package::writeMpd(presentation)));
  // Clear titles: master.m3u8 over the one set. Protected: master.m3u8 is the AES-128
  // variant every HLS player handles today; master-sample-aes.m3u8 is the CENC set.
  const package::Presentation &hls = protection ? aes128 : presentation;
  RS_RETURN_IF_ERROR(writeFile(outDir + QStringLiteral("/master.m3u8"), package::writeHlsMaster(hls)));
  if (protection) RS_RETURN_IF_ERROR(writeFile(outDir + QStringLiteral("/master-sample-aes.m3u8"), package::writeHlsMaster(presentation)));
  for (const package::Presentation *p : {&presentation, &aes128}) {
    for (const auto *list : {&p->video, &p->audio}) {
      for (const package::Representation &rep : *list)
        RS_RETURN_IF_ERROR(writeFile(outDir + u'/' + rep.playlistPath, package::writeHlsMedia(rep)));
    }
  }
  title.assets = {{QStringLiteral("dash"), QStringLiteral("manifest.mpd")}, {QStringLiteral("hls"), QStringLiteral("master.m3u8")}};
  if (protection) title.assets.insert(QStringLiteral("hlsSampleAes"), QStringLiteral("master-sample-aes.m3u8"));
  if (!out.poster.isEmpty()) {
    RS_RETURN_IF_ERROR(copyInto(out.poster, outDir + QStringLiteral("/poster.jpg")));
    title.assets.insert(QStringLiteral("poster"), QStringLiteral("poster.jpg"));
  }
  if (!out.sprite.isEmpty() && !out.spriteVtt.isEmpty()) {
    RS_RETURN_IF_ERROR(copyInto(out.sprite, outDir + QStringLiteral("/thumbs.jpg")));
    RS_RETURN_IF_ERROR(copyInto(out.spriteVtt, outDir + QStringLiteral("/thumbs.vtt")));
    title.assets.insert(QStringLiteral("thumbnails"), QStringLiteral("thumbs.vtt"));
  }
  QJsonObject summary{{QStringLiteral("renditions"), title.renditions},
                      {QStringLiteral("assets"), title.assets},
                      {QStringLiteral("durationSeconds"), title.durationSeconds},
                      {QStringLiteral("segmentSeconds"), title.segmentSeconds}};
  if (protection) summary.insert(QStringLiteral("protection"), protectionJson(*protection));
  RS_RETURN_IF_ERROR(writeFile(outDir + QStringLiteral("/title.json"), QJsonDocument(summary).toJson()));
  return title;
}

}  // namespace rs::encode
