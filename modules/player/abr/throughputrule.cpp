#include "player/abr/throughputrule.h"

namespace rs::player {

Decision ThroughputRule::choose(const AbrInput &in) {
  Decision d;
  if (!in.estimate->hasEstimate()) {
    d.rung = in.startRung;
    d.reason = "throughput: no estimate yet, the fast-start rung";
    return d;
  }
  const double safe = in.estimate->safeBps();
  d.rung = in.highestBelow(kSafetyFactor * safe);
  d.reason = "throughput: highest rung at most 0.9 x min(fast, slow EWMA)";
  d.add("fast_bps", in.estimate->fastBps()).add("slow_bps", in.estimate->slowBps()).add("target_bps", kSafetyFactor * safe);
  return d;
}

}  // namespace rs::player
