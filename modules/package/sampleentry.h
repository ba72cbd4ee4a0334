#pragma once
// The sample entry of a track (stsd's first entry): what kind of media it holds,
// its coded size or audio format, and the configuration boxes after its fixed fields.

#include "package/boxreader.h"

#include <vector>

namespace rs::package {

struct SampleEntry {
  mp4::Box box;
  bool isVideo = false;
  int width = 0, height = 0;         // coded size from a visual entry
  int channels = 0, sampleRate = 0;  // from an audio entry
  std::vector<mp4::Box> children;    // avcC, esds, pasp, btrt, ...
};

Result<SampleEntry> parseSampleEntry(const mp4::Box &entry);

// The first sample entry under moov/trak/mdia/minf/stbl/stsd of the first track.
Result<mp4::Box> findSampleEntry(const mp4::Box &moov);

// RFC 6381 / ISO/IEC 14496-15 codec string of a parsed sample entry.
Result<QString> codecString(const SampleEntry &entry);

}  // namespace rs::package
