#include "package/fmp4.h"

#include <algorithm>

namespace rs::package {

namespace {

using u128 = unsigned __int128;

std::int64_t bitsPerSecond(u128 bytes, u128 duration, std::uint32_t timescale) {
  if (duration == 0) return 0;
  return std::int64_t((bytes * 8 * timescale + duration - 1) / duration);
}

// The segment timeline follows the decode times, so a fragment whose samples end a
// little before or after the next fragment's tfdt still leaves no gap in the manifests.
std::vector<std::uint64_t> timelineDurations(const std::vector<SegmentInfo> &segments) {
  std::vector<std::uint64_t> out;
  for (std::size_t i = 0; i < segments.size(); ++i) {
    const bool hasNext = i + 1 < segments.size();
    const std::uint64_t d = hasNext ? segments[i + 1].baseDecodeTime - segments[i].baseDecodeTime : 0;
    out.push_back(d > 0 ? d : segments[i].duration);
  }
  return out;
}

// RFC 8216 §4.3.4.2: the peak segment bit rate is the largest bit rate of any run of
// contiguous segments lasting between 0.5 and 1.5 times the target duration.
std::int64_t peakBandwidth(const std::vector<SegmentInfo> &segments, const std::vector<std::uint64_t> &durations,
                           std::uint32_t timescale, std::int64_t fallback) {
  if (durations.empty() || timescale == 0) return fallback;
  const std::uint64_t longest = *std::max_element(durations.begin(), durations.end());
  const u128 target = (u128(longest) + timescale - 1) / timescale * timescale;  // ceil, in timescale units
  std::int64_t peak = 0;
  for (std::size_t i = 0; i < durations.size(); ++i) {
    u128 bytes = 0, duration = 0;
    for (std::size_t j = i; j < durations.size(); ++j) {
      bytes += u128(segments[j].bytes);
      duration += durations[j];
      if (2 * duration > 3 * target) break;
      if (2 * duration >= target) peak = std::max(peak, bitsPerSecond(bytes, duration, timescale));
    }
  }
  return peak > 0 ? peak : fallback;
}

}  // namespace

Representation representationFrom(const TrackSummary &t, const QString &id, const QString &dir) {
  Representation r;
  r.id = id;
  r.isVideo = t.isVideo;
  r.codecs = t.codecs;
  r.width = t.width;
  r.height = t.height;
  r.sampleRate = t.sampleRate;
  r.channels = t.channels;
  r.timescale = t.timescale;
  r.startNumber = t.segments.empty() ? 1 : t.segments.front().number;
  r.timelineStart = t.segments.empty() ? 0 : t.segments.front().baseDecodeTime;
  r.segmentDurations = timelineDurations(t.segments);
  const QString prefix = dir.isEmpty() || dir.endsWith(u'/') ? dir : dir + u'/';
  r.initPath = prefix + QStringLiteral("init.mp4");
  r.mediaTemplate = prefix + QStringLiteral("seg-$Number$.m4s");
  r.playlistPath = prefix + QStringLiteral("index.m3u8");

  u128 bytes = 0, duration = 0;
  for (std::size_t i = 0; i < t.segments.size(); ++i) {
    bytes += u128(t.segments[i].bytes);
    duration += r.segmentDurations[i];
  }
  r.averageBandwidth = bitsPerSecond(bytes, duration, t.timescale);
  r.bandwidth = peakBandwidth(t.segments, r.segmentDurations, t.timescale, r.averageBandwidth);
  return r;
}

}  // namespace rs::package
