#pragma once
// Our default: robust MPC after Yin, Jindal, Sekar, Sinopoli, "A Control-Theoretic
// Approach for Dynamic Adaptive Video Streaming over HTTP" (SIGCOMM 2015). Before each
// segment it plans the next five, maximising the same linear QoE the reports score
// (Σ bitrate − |Δ bitrate| − 4.3 × rebuffer, in Mbit/s), with
// - the throughput prediction of robust MPC: the harmonic mean of the last five
//   samples divided by (1 + the largest recent prediction error), the error weighing
//   less (down to half) as the buffer grows from 15 s to 30 s;
// - download times that add the measured request latency to size ÷ throughput
//   (latency is kept out of the throughput samples, see BandwidthEstimator);
// - segment sizes from the engine's SizeModel (what segments of each rung really
//   weigh) instead of the manifest's peak bandwidth;
// - the buffer cap in the buffer model (a full buffer waits, it does not grow);
// - a terminal term that charges a plan for ending under 12 s of buffer, so it does
//   not spend the whole buffer on the last steps it can see.
// Plans are searched depth first with the first step free and each later one at most
// one rung from the one before (which keeps a decision in microseconds), pruned by
// the best QoE still reachable.

#include "player/abr/abr.h"

namespace rs::player {

class RobustMpc final : public AbrAlgorithm {
 public:
  static constexpr int kHorizon = 5;
  static constexpr double kRebufferPenalty = 4.3;  // μ of QoE_lin, per second
  static constexpr double kSwitchPenalty = 1.0;    // λ of QoE_lin, per Mbit/s of change
  const char *name() const override { return "mpc"; }
  Decision choose(const AbrInput &in) override;
};

}  // namespace rs::player
