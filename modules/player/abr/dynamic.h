#pragma once
// A hybrid like dash.js's default DYNAMIC strategy (dash.js AbrController
// _updateDynamicAbrStrategy, v5): the throughput rule while the buffer is short, BOLA
// once it reaches hybridSwitchBufferTime (12 s), back to throughput when it falls
// under half of that (hysteresis, so the two do not take turns every segment). Both
// sit under dash.js's InsufficientBufferRule, as in dash.js.

#include "player/abr/bola.h"
#include "player/abr/throughputrule.h"

namespace rs::player {

class Dynamic final : public AbrAlgorithm {
 public:
  static constexpr double kSwitchOnS = 12;   // hybridSwitchBufferTime
  static constexpr double kSwitchOffS = 6;   // 0.5 × hybridSwitchBufferTime
  const char *name() const override { return "dynamic"; }
  Decision choose(const AbrInput &in) override;
  void onStall() override { bola_.onStall(); }
  void onAbandon(const AbrInput &in, int fromRung) override { bola_.onAbandon(in, fromRung); }
  bool usingBola() const { return useBola_; }

 private:
  ThroughputRule throughput_;
  Bola bola_;
  bool useBola_ = false;
  int segmentsSeen_ = 0;
};

}  // namespace rs::player
