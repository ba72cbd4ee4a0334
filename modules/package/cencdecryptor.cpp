#include "package/cencdecryptor.h"

#include "package/boxwriter.h"

namespace rs::package {

using mp4::fourcc;

namespace {

struct Parsed {
  Fragment fragment;
  std::vector<mp4::Box> trafChildren;
  mp4::Box mdat;
};

Result<Parsed> parseSegment(const TrackHeader &track, QByteArrayView segment) {
  auto top = mp4::parseBoxes(segment, 0);
  if (!top) return top.status();
  const mp4::Box *moof = mp4::findBox(*top, fourcc("moof"));
  const mp4::Box *mdat = mp4::findBox(*top, fourcc("mdat"));
  if (!moof || !mdat || moof->offset != 0) return Status(ErrorCode::BadRequest, QStringLiteral("a media segment starts with moof and holds an mdat"));
  Parsed p;
  auto fragment = parseMoof(*moof, track, std::uint64_t(segment.size()));
  if (!fragment) return fragment.status();
  p.fragment = std::move(*fragment);
  auto traf = mp4::findPath(*moof, {fourcc("traf")});
  if (!traf) return traf.status();
  auto children = mp4::childrenOf(*traf);
  if (!children) return children.status();
  p.trafChildren = std::move(*children);
  p.mdat = *mdat;
  for (const SampleSpan &s : p.fragment.samples)
    if (s.offset < mdat->payloadOffset() || s.offset + s.size > mdat->offset + mdat->size())
      return Status(ErrorCode::BadRequest, QStringLiteral("a sample lies outside the mdat"));
  return p;
}

// saio must point at senc's entries and saiz must give their sizes.
Status checkAuxInfo(const std::vector<mp4::Box> &traf, const cenc::Senc &senc, const mp4::Box &sencBox) {
  const mp4::Box *saizBox = mp4::findBox(traf, fourcc("saiz"));
  const mp4::Box *saioBox = mp4::findBox(traf, fourcc("saio"));
  if (!saizBox && !saioBox) return Status::ok();
  if (!saizBox || !saioBox) return Status(ErrorCode::BadRequest, QStringLiteral("traf has one of saiz and saio without the other"));
  auto saiz = cenc::parseSaiz(*saizBox);
  if (!saiz) return saiz.status();
  auto saio = cenc::parseSaio(*saioBox);
  if (!saio) return saio.status();
  if (saiz->sampleCount != senc.entries.size())
    return Status(ErrorCode::BadRequest, QStringLiteral("saiz describes %1 samples, senc %2").arg(saiz->sampleCount).arg(senc.entries.size()));
  for (std::size_t i = 0; i < senc.entries.size(); ++i) {
    const std::uint32_t size = saiz->defaultSampleInfoSize ? saiz->defaultSampleInfoSize : saiz->sampleInfoSizes[i];
    if (size != senc.entries[i].size(senc.useSubsamples()))
      return Status(ErrorCode::BadRequest, QStringLiteral("saiz gives sample %1 %2 bytes, senc %3").arg(i + 1).arg(size).arg(senc.entries[i].size(senc.useSubsamples())));
  }
  if (saio->offsets.size() != 1) return Status(ErrorCode::BadRequest, QStringLiteral("saio has %1 offsets, expected 1").arg(saio->offsets.size()));
  const std::uint64_t expected = sencBox.offset + cenc::kSencFirstEntryOffset;
  if (saio->offsets[0] != expected)
    return Status(ErrorCode::BadRequest, QStringLiteral("saio points at byte %1 of the moof, senc's first entry is at %2").arg(saio->offsets[0]).arg(expected));
  return Status::ok();
}

}  // namespace

Status CencDecryptor::init(QByteArrayView protectedInit, const ContentKey &key) {
  auto track = readProtectedInit(protectedInit);
  if (!track) return track.status();
  track_ = std::move(*track);
  const cenc::Tenc &tenc = track_.sinf.tenc;
  Scheme scheme;
  if (track_.sinf.schm.schemeType == fourcc("cenc")) scheme = Scheme::Cenc;
  else if (track_.sinf.schm.schemeType == fourcc("cbcs")) scheme = Scheme::Cbcs;
  else return Status(ErrorCode::BadRequest, QStringLiteral("scheme '%1' is not cenc or cbcs").arg(mp4::fourccName(track_.sinf.schm.schemeType)));
  RS_RETURN_IF_ERROR(cipher_.init(scheme, key, SampleCipher::Mode::Decrypt, tenc.cryptByteBlock, tenc.skipByteBlock));
  ready_ = true;
  return Status::ok();
}

Result<std::vector<QByteArray>> CencDecryptor::decrypt(QByteArrayView segment, cenc::Senc *sencOut) {
  if (!ready_) return Status(ErrorCode::Internal, QStringLiteral("decrypt() before init()"));
  auto parsed = parseSegment(track_.track, segment);
  if (!parsed) return parsed.status();
  const cenc::Tenc &tenc = track_.sinf.tenc;
  const mp4::Box *sencBox = mp4::findBox(parsed->trafChildren, fourcc("senc"));
  if (!sencBox) return Status(ErrorCode::BadRequest, QStringLiteral("traf has no senc"));
  if (&parsed->trafChildren.back() != sencBox) return Status(ErrorCode::BadRequest, QStringLiteral("senc is not the last box of traf"));
  auto senc = cenc::parseSenc(*sencBox, tenc.perSampleIvSize);
  if (!senc) return senc.status();
  RS_RETURN_IF_ERROR(checkAuxInfo(parsed->trafChildren, *senc, *sencBox));
  const auto &samples = parsed->fragment.samples;
  if (senc->entries.size() != samples.size())
    return Status(ErrorCode::BadRequest, QStringLiteral("senc has %1 entries for %2 samples").arg(senc->entries.size()).arg(samples.size()));
  std::vector<QByteArray> out;
  for (std::size_t i = 0; i < samples.size(); ++i) {
    QByteArray sample = segment.sliced(qsizetype(samples[i].offset), samples[i].size).toByteArray();
    const QByteArray &iv = tenc.perSampleIvSize == 0 ? tenc.constantIv : senc->entries[i].iv;
    RS_RETURN_IF_ERROR(cipher_.apply(reinterpret_cast<std::uint8_t *>(sample.data()), std::size_t(sample.size()), iv,
                                     senc->entries[i].subsamples));
    out.push_back(std::move(sample));
  }
  if (sencOut) *sencOut = std::move(*senc);
  return out;
}

Result<std::vector<QByteArray>> segmentSamples(const TrackHeader &track, QByteArrayView segment) {
  auto parsed = parseSegment(track, segment);
  if (!parsed) return parsed.status();
  std::vector<QByteArray> out;
  for (const SampleSpan &s : parsed->fragment.samples) out.push_back(segment.sliced(qsizetype(s.offset), s.size).toByteArray());
  return out;
}

}  // namespace rs::package
