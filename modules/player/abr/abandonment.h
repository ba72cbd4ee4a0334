#pragma once
// Abandoning a video download that will not finish in time, after dash.js's
// AbandonRequestsRule (src/streaming/rules/abr/AbandonRequestsRule.js, v5): once the
// download has run 500 ms past its first byte while the buffer is at most 18 s, the
// throughput measured so far projects its finish; if that is more than 1.8 segment
// durations away, or (our addition) later than the buffer lasts, and the segment at
// the rung that throughput sustains costs fewer bytes than what is still missing, the
// download is dropped and that segment fetched at the lower rung instead.

#include <cstdint>
#include <vector>

namespace rs::player {

struct AbandonInput {
  double now = 0;
  double firstByteAt = -1;      // -1: nothing arrived yet
  std::int64_t bytes = 0;       // received so far
  std::int64_t firstChunkBytes = 0;
  std::int64_t totalBytes = -1; // Content-Length; -1 unknown
  double segmentDurationS = 0;
  double bufferS = 0;
  bool playing = false;
  int rung = 0;
  const std::vector<double> *bitrates = nullptr;
};

struct AbandonVerdict {
  bool abandon = false;
  int rung = 0;                 // the replacement
  double measuredBps = 0;
  double remainingS = 0;        // projected time to finish the current download
  const char *reason = "";
};

class AbandonRule {
 public:
  static constexpr double kMinElapsedS = 0.5;          // minSegmentDownloadTimeThresholdInMs
  static constexpr double kMaxBufferS = 18;            // bufferTimeDefault
  static constexpr double kDurationMultiplier = 1.8;   // abandonDurationMultiplier
  AbandonVerdict check(const AbandonInput &in) const;
};

}  // namespace rs::player
