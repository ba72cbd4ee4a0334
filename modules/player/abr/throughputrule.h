#pragma once
// Throughput-based ABR as dash.js's ThroughputRule does it
// (dash.js src/streaming/rules/abr/ThroughputRule.js, v5): the highest rung whose
// bitrate is at most 0.9 × the "safe" throughput, the smaller of a fast (3 s) and a
// slow (8 s) EWMA. Blind to the buffer.

#include "player/abr/abr.h"

namespace rs::player {

class ThroughputRule final : public AbrAlgorithm {
 public:
  static constexpr double kSafetyFactor = 0.9;  // dash.js bandwidthSafetyFactor
  const char *name() const override { return "throughput"; }
  Decision choose(const AbrInput &in) override;
};

}  // namespace rs::player
