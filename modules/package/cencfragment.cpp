// CencEncryptor's media segment half (see cencencryptor.h).

#include "package/boxwriter.h"
#include "package/cencencryptor.h"

#include <algorithm>

namespace rs::package {

using mp4::fourcc;

namespace {

constexpr std::uint32_t kTrunDataOffset = 0x000001;

struct SegmentLayout {
  mp4::Box moof, mdat, traf;
  std::vector<mp4::Box> truns;
};

Result<SegmentLayout> locate(QByteArrayView segment) {
  auto top = mp4::parseBoxes(segment, 0);
  if (!top) return top.status();
  if (top->size() != 2 || (*top)[0].type != fourcc("moof") || (*top)[1].type != fourcc("mdat"))
    return Status(ErrorCode::BadRequest, QStringLiteral("a media segment to encrypt must be one moof and one mdat"));
  SegmentLayout l;
  l.moof = (*top)[0];
  l.mdat = (*top)[1];
  auto traf = mp4::findPath(l.moof, {fourcc("traf")});
  if (!traf) return traf.status();
  l.traf = *traf;
  auto children = mp4::childrenOf(l.traf);
  if (!children) return children.status();
  for (const mp4::Box &b : *children) {
    if (b.type == fourcc("trun")) l.truns.push_back(b);
    if (b.type == fourcc("senc") || b.type == fourcc("saiz") || b.type == fourcc("saio"))
      return mp4::boxError(b.type, b.offset, QStringLiteral("the fragment already carries encryption information"));
  }
  return l;
}

}  // namespace

Result<QByteArray> CencEncryptor::nextIv() {
  if (p_.scheme == Scheme::Cbcs) return QByteArray();  // constant IV, in tenc
  // 2^64 samples would wrap the counter onto IVs already used with this key.
  if (ivsUsed_ == ~std::uint64_t(0)) return Status(ErrorCode::Internal, QStringLiteral("per-sample IVs exhausted"));
  QByteArray iv(8, Qt::Uninitialized);
  mp4::patchU64(&iv, 0, nextIv_);
  ++nextIv_;
  ++ivsUsed_;
  return iv;
}

Result<QByteArray> CencEncryptor::segment(QByteArray bytes, std::uint64_t number) {
  if (!track_) return Status(ErrorCode::Internal, QStringLiteral("segment %1 before the init segment").arg(number));
  auto layout = locate(bytes);
  if (!layout) return layout.status();
  auto fragment = parseMoof(layout->moof, *track_, std::uint64_t(bytes.size()));
  if (!fragment) return fragment.status();
  const std::uint64_t dataBegin = layout->mdat.payloadOffset(), dataEnd = layout->mdat.offset + layout->mdat.size();

  cenc::Senc senc;
  senc.flags = subsamples_ ? cenc::kSencUseSubsamples : 0;
  senc.entries.reserve(fragment->samples.size());
  auto *data = reinterpret_cast<std::uint8_t *>(bytes.data());
  for (std::size_t i = 0; i < fragment->samples.size(); ++i) {
    const SampleSpan &s = fragment->samples[i];
    if (s.offset < dataBegin || s.offset + s.size > dataEnd)
      return mp4::boxError(fourcc("moof"), 0, QStringLiteral("segment %1: sample %2 lies outside the mdat").arg(number).arg(i + 1));
    cenc::SencEntry entry;
    if (subsamples_) {
      auto subs = subsamples_->generate(QByteArrayView(bytes).sliced(qsizetype(s.offset), s.size));
      if (!subs)
        return Status(subs.status().code(), QStringLiteral("segment %1, sample %2: %3").arg(number).arg(i + 1).arg(subs.status().message()));
      entry.subsamples = std::move(*subs);
    }
    auto iv = nextIv();
    if (!iv) return iv.status();
    entry.iv = *iv;
    RS_RETURN_IF_ERROR(cipher_.apply(data + s.offset, s.size, p_.scheme == Scheme::Cbcs ? constantIv_ : entry.iv, entry.subsamples));
    if (entry.size(senc.useSubsamples()) > 255)
      return Status(ErrorCode::BadRequest, QStringLiteral("segment %1, sample %2 has %3 subsamples, more than saiz can describe")
                                               .arg(number).arg(i + 1).arg(entry.subsamples.size()));
    senc.entries.push_back(std::move(entry));
  }

  // saiz, saio, senc appended to traf (senc last). saio's offset is only known once
  // saiz and saio have their sizes, which do not depend on its value.
  const cenc::Saiz saiz = cenc::saizFor(senc);
  const bool hasAuxInfo = saiz.defaultSampleInfoSize > 0 ||
                          std::any_of(saiz.sampleInfoSizes.begin(), saiz.sampleInfoSizes.end(), [](std::uint8_t v) { return v > 0; });
  QByteArray added;
  const std::uint64_t insertAt = layout->traf.offset + layout->traf.size();
  if (hasAuxInfo) {
    const QByteArray saizBox = cenc::write(saiz);
    cenc::Saio saio;
    saio.offsets = {0};
    const qsizetype saioSize = cenc::write(saio).size();
    saio.offsets = {insertAt + std::uint64_t(saizBox.size()) + std::uint64_t(saioSize) + cenc::kSencFirstEntryOffset};
    added = saizBox + cenc::write(saio);
  }
  added += cenc::write(senc);
  const std::int64_t grown = added.size();

  // Every run's data offset (from the moof) moves by what the moof grew.
  for (const mp4::Box &trun : layout->truns) {
    mp4::Reader r(trun);
    std::uint32_t flags = 0;
    r.fullBox(&flags);
    r.u32();
    RS_RETURN_IF_ERROR(r.status());
    if (!(flags & kTrunDataOffset)) continue;
    const qsizetype at = qsizetype(trun.payloadOffset() + 8);
    const std::int64_t moved = std::int64_t(std::int32_t(mp4::readU32(bytes, at))) + grown;
    if (moved > 0x7fffffff) return mp4::boxError(trun.type, trun.offset, QStringLiteral("data offset would overflow"));
    mp4::patchU32(&bytes, at, std::uint32_t(moved));
  }
  const auto patchSize = [&](const mp4::Box &box) -> Status {
    if (mp4::readU32(bytes, qsizetype(box.offset)) == 1)
      return mp4::boxError(box.type, box.offset, QStringLiteral("64-bit box sizes in a fragment are not supported"));
    mp4::patchU32(&bytes, qsizetype(box.offset), std::uint32_t(box.size() + std::uint64_t(grown)));
    return Status::ok();
  };
  RS_RETURN_IF_ERROR(patchSize(layout->traf));
  RS_RETURN_IF_ERROR(patchSize(layout->moof));
  bytes.insert(qsizetype(insertAt), added);
  return bytes;
}

}  // namespace rs::package
