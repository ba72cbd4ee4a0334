#include "player/abr/dynamic.h"

namespace rs::player {

Decision Dynamic::choose(const AbrInput &in) {
  useBola_ = in.bufferS >= (useBola_ ? kSwitchOffS : kSwitchOnS);
  ++segmentsSeen_;
  if (useBola_) return bola_.choose(in);  // BOLA applies the insufficient-buffer cap itself
  Decision d = throughput_.choose(in);
  d.add("buffer_s", in.bufferS);
  const int cap = insufficientBufferCap(in, segmentsSeen_ - 1, &d);
  if (d.rung > cap) {
    d.rung = cap;
    d.reason = "dynamic: throughput mode, capped by insufficient buffer (0.7 x estimate x buffer / segment)";
  } else if (in.estimate->hasEstimate()) {
    d.reason = "dynamic: throughput mode (buffer under 12 s, or under 6 s since BOLA)";
  }
  return d;
}

}  // namespace rs::player
