// CencEncryptor's init segment half (see cencencryptor.h), and reading a protected
// init segment back.

#include "package/boxwriter.h"
#include "package/cencencryptor.h"
#include "package/sampleentry.h"

namespace rs::package {

using mp4::fourcc;

namespace {

// Sets a box's size field to its size plus `delta`, in the form its header already
// uses (32-bit or 64-bit largesize).
Status growBox(QByteArray *buffer, const mp4::Box &box, std::int64_t delta) {
  const std::uint64_t size = box.size() + std::uint64_t(delta);
  if (mp4::readU32(*buffer, qsizetype(box.offset)) == 1) {
    mp4::patchU64(buffer, qsizetype(box.offset + 8), size);
    return Status::ok();
  }
  if (size > 0xffffffffu) return mp4::boxError(box.type, box.offset, QStringLiteral("would grow past 4 GiB"));
  mp4::patchU32(buffer, qsizetype(box.offset), std::uint32_t(size));
  return Status::ok();
}

struct InitLayout {
  mp4::Box moov;
  std::vector<mp4::Box> ancestors;  // trak … stsd: every box holding the sample entry
  mp4::Box entry;
};

Result<InitLayout> locate(QByteArrayView init) {
  auto top = mp4::parseBoxes(init, 0);
  if (!top) return top.status();
  const mp4::Box *moov = mp4::findBox(*top, fourcc("moov"));
  if (!moov || !mp4::findBox(*top, fourcc("ftyp")))
    return Status(ErrorCode::BadRequest, QStringLiteral("an init segment needs ftyp and moov"));
  InitLayout l;
  l.moov = *moov;
  mp4::Box at = *moov;
  for (mp4::FourCC type : {fourcc("trak"), fourcc("mdia"), fourcc("minf"), fourcc("stbl"), fourcc("stsd")}) {
    auto next = mp4::findPath(at, {type});
    if (!next) return next.status();
    at = *next;
    l.ancestors.push_back(at);
  }
  auto entry = findSampleEntry(*moov);
  if (!entry) return entry.status();
  l.entry = *entry;
  return l;
}

Status unsupportedCodec(mp4::FourCC type, std::uint64_t offset) {
  if (type == fourcc("vp09") || type == fourcc("vp08") || type == fourcc("av01"))
    return mp4::boxError(type, offset,
                         QStringLiteral("cannot be protected: the VP9/AV1 CENC subsample bindings (uncompressed header or "
                                        "OBU headers clear) are not implemented; encode protected titles with "
                                        "--encode-codec=h264 or hevc"));
  return mp4::boxError(type, offset, QStringLiteral("cannot be protected: CENC here covers H.264, HEVC and AAC tracks"));
}

}  // namespace

CencEncryptor::CencEncryptor(CencTrackParams params) : p_(std::move(params)) {}
CencEncryptor::~CencEncryptor() = default;

Result<QByteArray> CencEncryptor::init(QByteArray initSegment) {
  if (!p_.key.isSet()) return Status(ErrorCode::BadRequest, QStringLiteral("no content key for this track"));
  auto layout = locate(initSegment);
  if (!layout) return layout.status();
  auto track = parseMoov(layout->moov);
  if (!track) return track.status();
  auto entry = parseSampleEntry(layout->entry);
  if (!entry) return entry.status();
  const mp4::FourCC type = layout->entry.type;
  if (type == fourcc("encv") || type == fourcc("enca"))
    return mp4::boxError(type, layout->entry.offset, QStringLiteral("the track is already encrypted"));

  const bool video = track->isVideo;
  if (video) {
    SubsampleGenerator::Codec codec;
    mp4::FourCC configType;
    if (type == fourcc("avc1") || type == fourcc("avc3")) {
      codec = SubsampleGenerator::Codec::H264;
      configType = fourcc("avcC");
    } else if (type == fourcc("hvc1") || type == fourcc("hev1")) {
      codec = SubsampleGenerator::Codec::Hevc;
      configType = fourcc("hvcC");
    } else {
      return unsupportedCodec(type, layout->entry.offset);
    }
    const mp4::Box *config = mp4::findBox(entry->children, configType);
    if (!config) return mp4::boxError(type, layout->entry.offset, QStringLiteral("has no '%1'").arg(mp4::fourccName(configType)));
    auto sets = codec == SubsampleGenerator::Codec::H264 ? parseAvcC(config->payload) : parseHvcC(config->payload);
    if (!sets) return sets.status();
    auto generator = SubsampleGenerator::create(codec, *sets, p_.scheme);
    if (!generator) return generator.status();
    subsamples_ = std::move(*generator);
  } else if (type != fourcc("mp4a")) {
    return unsupportedCodec(type, layout->entry.offset);
  }

  cenc::Sinf sinf;
  sinf.frma.dataFormat = type;
  sinf.schm.schemeType = p_.scheme == Scheme::Cenc ? fourcc("cenc") : fourcc("cbcs");
  sinf.tenc.kid = p_.kid;
  std::uint8_t crypt = 0, skip = 0;
  if (p_.scheme == Scheme::Cenc) {
    sinf.tenc.version = 0;
    sinf.tenc.perSampleIvSize = 8;
    nextIv_ = mp4::readU64(QByteArrayView(reinterpret_cast<const char *>(p_.iv.data()), 16), 0);
  } else {
    // 1:9 for video (ISO/IEC 23001-7 §10.4); audio is encrypted whole (pattern 0:0).
    sinf.tenc.version = 1;
    crypt = video ? 1 : 0;
    skip = video ? 9 : 0;
    sinf.tenc.cryptByteBlock = crypt;
    sinf.tenc.skipByteBlock = skip;
    sinf.tenc.perSampleIvSize = 0;
    sinf.tenc.constantIv = constantIv_ = toByteArray(p_.iv);
  }
  RS_RETURN_IF_ERROR(cipher_.init(p_.scheme, p_.key, SampleCipher::Mode::Encrypt, crypt, skip));

  // The renamed entry: its fields and children unchanged, sinf appended.
  mp4::Writer w;
  const auto mark = w.begin(video ? fourcc("encv") : fourcc("enca"));
  w.bytes(layout->entry.payload);
  w.bytes(cenc::write(sinf));
  w.end(mark);
  const QByteArray newEntry = w.take();
  const std::int64_t grown = newEntry.size() - qsizetype(layout->entry.size());

  QByteArray out = initSegment;
  out.replace(qsizetype(layout->entry.offset), qsizetype(layout->entry.size()), newEntry);
  for (const mp4::Box &box : layout->ancestors) RS_RETURN_IF_ERROR(growBox(&out, box, grown));

  cenc::Pssh pssh;
  pssh.kids = p_.psshKids.empty() ? std::vector<Bytes16>{p_.kid} : p_.psshKids;
  const QByteArray psshBox = cenc::write(pssh);
  out.insert(qsizetype(layout->moov.offset + layout->moov.size()) + grown, psshBox);
  RS_RETURN_IF_ERROR(growBox(&out, layout->moov, grown + psshBox.size()));

  track_ = *track;
  return out;
}

Result<ProtectedTrack> readProtectedInit(QByteArrayView initSegment) {
  auto layout = locate(initSegment);
  if (!layout) return layout.status();
  ProtectedTrack p;
  auto track = parseMoov(layout->moov);
  if (!track) return track.status();
  p.track = *track;
  auto entry = parseSampleEntry(layout->entry);
  if (!entry) return entry.status();
  const mp4::Box *sinf = mp4::findBox(entry->children, fourcc("sinf"));
  if (!sinf) return mp4::boxError(layout->entry.type, layout->entry.offset, QStringLiteral("is not protected (no 'sinf')"));
  auto parsed = cenc::parseSinf(*sinf);
  if (!parsed) return parsed.status();
  p.sinf = *parsed;
  p.originalFormat = parsed->frma.dataFormat;
  auto children = mp4::childrenOf(layout->moov);
  if (!children) return children.status();
  for (const mp4::Box &b : *children) {
    if (b.type != fourcc("pssh")) continue;
    auto pssh = cenc::parsePssh(b);
    if (!pssh) return pssh.status();
    p.pssh.push_back(*pssh);
  }
  return p;
}

}  // namespace rs::package
