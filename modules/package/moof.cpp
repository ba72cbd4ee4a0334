#include "package/fragments.h"

#include <algorithm>

namespace rs::package {

using mp4::fourcc;

namespace {

// ISO/IEC 14496-12 §8.8.7 and §8.8.8 flag bits.
constexpr std::uint32_t kTfhdBaseDataOffset = 0x000001;
constexpr std::uint32_t kTfhdSampleDescriptionIndex = 0x000002;
constexpr std::uint32_t kTfhdDefaultDuration = 0x000008;
constexpr std::uint32_t kTfhdDefaultSize = 0x000010;
constexpr std::uint32_t kTfhdDefaultFlags = 0x000020;
constexpr std::uint32_t kTrunDataOffset = 0x000001;
constexpr std::uint32_t kTrunFirstSampleFlags = 0x000004;
constexpr std::uint32_t kTrunDuration = 0x000100;
constexpr std::uint32_t kTrunSize = 0x000200;
constexpr std::uint32_t kTrunFlags = 0x000400;
constexpr std::uint32_t kTrunCompositionOffset = 0x000800;
constexpr std::uint32_t kSampleIsNonSync = 0x00010000;
constexpr std::uint32_t kMaxSamplesPerRun = 1u << 22;

Result<SampleDefaults> readTfhd(const mp4::Box &tfhd, const TrackHeader &track) {
  mp4::Reader r(tfhd);
  std::uint32_t flags = 0;
  r.fullBox(&flags);
  const std::uint32_t trackId = r.u32();
  if (flags & kTfhdBaseDataOffset) {
    RS_RETURN_IF_ERROR(r.status());
    // An absolute file offset would break as soon as the fragment is cut out of the file.
    return r.fail(QStringLiteral("uses an absolute base-data-offset: write the input with default_base_moof"));
  }
  if (flags & kTfhdSampleDescriptionIndex) r.skip(4);
  SampleDefaults d = track.defaults;
  if (flags & kTfhdDefaultDuration) d.duration = r.u32();
  if (flags & kTfhdDefaultSize) d.size = r.u32();
  if (flags & kTfhdDefaultFlags) d.flags = r.u32();
  RS_RETURN_IF_ERROR(r.status());
  if (trackId != track.trackId)
    return r.fail(QStringLiteral("describes track %1, the init segment has track %2").arg(trackId).arg(track.trackId));
  return d;
}

Status readTfdt(const mp4::Box &tfdt, Fragment *f) {
  mp4::Reader r(tfdt);
  const std::uint8_t version = r.fullBox(nullptr);
  f->baseDecodeTime = version == 1 ? r.u64() : r.u32();
  f->hasDecodeTime = true;
  return r.status();
}

// Adds one trun's samples to `f`. `nextData` is where a trun without a data offset
// starts (right after the previous run), in bytes from the moof; no run may reach past
// `available` bytes from the moof.
Status readTrun(const mp4::Box &trun, const SampleDefaults &d, std::uint64_t available, Fragment *f,
                std::uint64_t *nextData, bool *haveData) {
  mp4::Reader r(trun);
  std::uint32_t flags = 0;
  r.fullBox(&flags);
  const std::uint32_t count = r.u32();
  std::int64_t dataOffset = 0;
  const bool hasDataOffset = flags & kTrunDataOffset;
  if (hasDataOffset) dataOffset = std::int32_t(r.u32());
  const bool hasFirstFlags = flags & kTrunFirstSampleFlags;
  const std::uint32_t firstFlags = hasFirstFlags ? r.u32() : 0;
  RS_RETURN_IF_ERROR(r.status());
  if (dataOffset < 0) return r.fail(QStringLiteral("negative data offset %1").arg(dataOffset));

  const std::uint64_t perSample = 4 * ((flags & kTrunDuration ? 1 : 0) + (flags & kTrunSize ? 1 : 0) +
                                       (flags & kTrunFlags ? 1 : 0) + (flags & kTrunCompositionOffset ? 1 : 0));
  if (perSample * count > r.remaining())
    return r.fail(QStringLiteral("%1 samples need %2 bytes, the box has %3").arg(count).arg(perSample * count).arg(r.remaining()));

  // Sample spans are kept for the encryptor; a run without per-sample fields may
  // claim any count, so it is bounded before anything is allocated for it.
  if (perSample == 0 && count > kMaxSamplesPerRun)
    return r.fail(QStringLiteral("%1 samples in one run (at most %2)").arg(count).arg(kMaxSamplesPerRun));
  std::vector<SampleSpan> spans;
  spans.reserve(count);
  std::uint64_t duration = 0, bytes = 0;
  std::uint32_t sample0Flags = d.flags;
  if (perSample == 0) {
    duration = std::uint64_t(count) * d.duration;
    bytes = std::uint64_t(count) * d.size;
    for (std::uint32_t i = 0; i < count; ++i) spans.push_back({std::uint64_t(i) * d.size, d.size});
  } else {
    for (std::uint32_t i = 0; i < count; ++i) {
      duration += flags & kTrunDuration ? r.u32() : d.duration;
      const std::uint32_t size = flags & kTrunSize ? r.u32() : d.size;
      spans.push_back({bytes, size});
      bytes += size;
      const std::uint32_t sampleFlags = flags & kTrunFlags ? r.u32() : d.flags;
      if (flags & kTrunCompositionOffset) r.skip(4);
      if (i == 0) sample0Flags = sampleFlags;
    }
    RS_RETURN_IF_ERROR(r.status());
  }
  if (hasFirstFlags) sample0Flags = firstFlags;
  if (!hasDataOffset && !*haveData && bytes > 0) return r.fail(QStringLiteral("the first run has no data offset"));
  const std::uint64_t begin = hasDataOffset ? std::uint64_t(dataOffset) : *nextData;
  if (begin > available || bytes > available - begin)
    return r.fail(QStringLiteral("sample data (%1 bytes at %2 from the moof) runs past the end of the file").arg(bytes).arg(begin));
  if (__builtin_add_overflow(f->duration, duration, &f->duration))
    return r.fail(QStringLiteral("sample durations overflow"));

  if (count > 0 && f->sampleCount == 0) f->startsWithSyncSample = !(sample0Flags & kSampleIsNonSync);
  f->sampleCount += count;
  for (SampleSpan &span : spans) {
    span.offset += begin;
    f->samples.push_back(span);
  }
  if (bytes > 0) {
    f->dataBegin = *haveData ? std::min(f->dataBegin, begin) : begin;
    f->dataEnd = std::max(f->dataEnd, begin + bytes);
    *haveData = true;
  }
  *nextData = begin + bytes;
  return Status::ok();
}

}  // namespace

Result<Fragment> parseMoof(const mp4::Box &moof, const TrackHeader &track, std::uint64_t available) {
  auto children = mp4::childrenOf(moof);
  if (!children) return children.status();
  const std::size_t trafs = mp4::countBoxes(*children, fourcc("traf"));
  if (trafs != 1)
    return mp4::boxError(moof.type, moof.offset, QStringLiteral("expected one 'traf', found %1").arg(trafs));
  const mp4::Box traf = *mp4::findBox(*children, fourcc("traf"));
  auto trafChildren = mp4::childrenOf(traf);
  if (!trafChildren) return trafChildren.status();
  const mp4::Box *tfhd = mp4::findBox(*trafChildren, fourcc("tfhd"));
  if (!tfhd) return mp4::boxError(traf.type, traf.offset, QStringLiteral("has no 'tfhd' box"));
  auto defaults = readTfhd(*tfhd, track);
  if (!defaults) return defaults.status();

  Fragment f;
  if (const mp4::Box *tfdt = mp4::findBox(*trafChildren, fourcc("tfdt"))) RS_RETURN_IF_ERROR(readTfdt(*tfdt, &f));
  std::uint64_t nextData = 0;
  bool haveData = false;
  for (const mp4::Box &b : *trafChildren)
    if (b.type == fourcc("trun")) RS_RETURN_IF_ERROR(readTrun(b, *defaults, available, &f, &nextData, &haveData));
  if (f.sampleCount == 0 || !haveData)
    return mp4::boxError(moof.type, moof.offset, QStringLiteral("fragment holds no samples"));
  if (f.duration == 0)
    return mp4::boxError(moof.type, moof.offset, QStringLiteral("fragment has no sample durations"));
  return f;
}

}  // namespace rs::package
