#pragma once
// Expected segment sizes before a download: the manifest's bandwidth is a peak (our
// packager writes the largest segment's rate), so the engine learns, per rung, how
// many bytes a segment really takes relative to bandwidth × duration.

#include <cstdint>
#include <vector>

namespace rs::player {

class SizeModel {
 public:
  void reset(const std::vector<double> &bitrates);
  // A finished download of `bytes` for a segment of `durationS` at `rung`.
  void observe(int rung, double durationS, std::int64_t bytes);
  // Bytes a segment of `durationS` at `rung` is expected to take.
  double expectedBytes(int rung, double durationS) const;
  // bytes ÷ (bandwidth × duration / 8) as learned for `rung` (1 before any sample).
  double ratio(int rung) const;

 private:
  std::vector<double> bitrates_;
  std::vector<double> ratios_;  // < 0: not seen yet
  double overall_ = -1;
};

}  // namespace rs::player
