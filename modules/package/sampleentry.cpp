#include "package/sampleentry.h"

#include <bit>

namespace rs::package {

using mp4::fourcc;

namespace {

bool isVisualEntry(mp4::FourCC t) {
  for (mp4::FourCC v : {fourcc("avc1"), fourcc("avc3"), fourcc("hvc1"), fourcc("hev1"), fourcc("vp08"),
                        fourcc("vp09"), fourcc("av01"), fourcc("mp4v"), fourcc("encv")})
    if (t == v) return true;
  return false;
}

bool isAudioEntry(mp4::FourCC t) {
  for (mp4::FourCC a : {fourcc("mp4a"), fourcc("Opus"), fourcc("fLaC"), fourcc("ac-3"), fourcc("ec-3"),
                        fourcc("alac"), fourcc("enca")})
    if (t == a) return true;
  return false;
}

}  // namespace

Result<SampleEntry> parseSampleEntry(const mp4::Box &box) {
  SampleEntry e;
  e.box = box;
  mp4::Reader r(box);
  r.skip(6 + 2);  // reserved, data_reference_index
  if (isVisualEntry(box.type)) {
    e.isVideo = true;
    r.skip(16);  // pre_defined, reserved
    e.width = r.u16();
    e.height = r.u16();
    r.skip(4 + 4 + 4 + 2 + 32 + 2 + 2);  // resolutions, reserved, frame_count, compressorname, depth, pre_defined
  } else if (isAudioEntry(box.type)) {
    // ISO's reserved words are QuickTime's version/revision/vendor; FFmpeg writes version
    // 0 for MP4, but version 1 and 2 entries carry extra fields before the children.
    const std::uint16_t version = r.u16();
    r.skip(2 + 4);
    e.channels = r.u16();
    r.skip(2 + 2 + 2);  // samplesize, pre_defined, reserved
    e.sampleRate = int(r.u32() >> 16);
    if (version == 1) {
      r.skip(16);
    } else if (version == 2) {
      r.skip(4);
      const std::uint64_t bits = r.u64();
      const auto rate = std::bit_cast<double>(bits);
      e.sampleRate = rate > 0 && rate < 1e7 ? int(rate) : 0;
      e.channels = int(r.u32());
      r.skip(20);
    } else if (version != 0) {
      return r.fail(QStringLiteral("unknown audio sample entry version %1").arg(version));
    }
  } else {
    return mp4::boxError(box.type, box.offset, QStringLiteral("unsupported sample entry type"));
  }
  RS_RETURN_IF_ERROR(r.status());
  auto children = mp4::parseBoxes(r.rest(), box.payloadOffset() + r.position());
  if (!children) return children.status();
  e.children = std::move(*children);
  return e;
}

Result<mp4::Box> findSampleEntry(const mp4::Box &moov) {
  auto stsd = mp4::findPath(moov, {fourcc("trak"), fourcc("mdia"), fourcc("minf"), fourcc("stbl"), fourcc("stsd")});
  if (!stsd) return stsd.status();
  mp4::Reader r(*stsd);
  r.fullBox(nullptr);
  const std::uint32_t count = r.u32();
  RS_RETURN_IF_ERROR(r.status());
  if (count == 0) return r.fail(QStringLiteral("holds no sample entry"));
  auto entries = mp4::parseBoxes(r.rest(), stsd->payloadOffset() + r.position());
  if (!entries) return entries.status();
  if (entries->empty()) return r.fail(QStringLiteral("holds no sample entry"));
  return entries->front();
}

}  // namespace rs::package
