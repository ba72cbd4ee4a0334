#pragma once
// The two halves of a fragmented MP4 the splitter reads: the track described by
// moov (with its trex defaults) and each moof's timing, sizes and sample-data range.

#include "package/boxreader.h"

#include <QString>
#include <cstdint>
#include <vector>

namespace rs::package {

struct SampleDefaults {
  std::uint32_t duration = 0, size = 0, flags = 0;
};

struct TrackHeader {
  std::uint32_t trackId = 0;
  std::uint32_t timescale = 0;
  bool isVideo = true;
  int width = 0, height = 0;
  int sampleRate = 0, channels = 0;
  QString codecs;
  SampleDefaults defaults;  // trex
};

Result<TrackHeader> parseMoov(const mp4::Box &moov);

struct SampleSpan {
  std::uint64_t offset = 0;  // from the moof's first byte
  std::uint32_t size = 0;
};

struct Fragment {
  bool hasDecodeTime = false;
  std::uint64_t baseDecodeTime = 0;  // tfdt
  std::uint64_t duration = 0;        // sum of sample durations
  std::uint64_t sampleCount = 0;
  bool startsWithSyncSample = false;
  // Where the trun sample data lies, in bytes from the moof's first byte
  // (every trun is relative to the moof: default-base-is-moof or implied by it).
  std::uint64_t dataBegin = 0, dataEnd = 0;
  std::vector<SampleSpan> samples;   // every sample, in decode order
};

// `available`: bytes from the moof's first byte to the end of the file.
Result<Fragment> parseMoof(const mp4::Box &moof, const TrackHeader &track, std::uint64_t available);

}  // namespace rs::package
