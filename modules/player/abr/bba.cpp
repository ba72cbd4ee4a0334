#include "player/abr/bba.h"

#include <algorithm>

namespace rs::player {

Decision Bba::choose(const AbrInput &in) {
  Decision d;
  const std::vector<double> &r = *in.bitrates;
  const int top = in.rungs() - 1;
  // Reservoir and cushion must leave room for one segment under the cap.
  const double room = std::max(1.0, in.bufferCapS - in.segmentDuration());
  const double scale = std::min(1.0, room / (kReservoirS + kCushionS));
  const double reservoir = kReservoirS * scale, cushion = kCushionS * scale;
  d.add("buffer_s", in.bufferS).add("reservoir_s", reservoir).add("cushion_s", cushion);
  if (in.lastRung < 0) {
    d.rung = in.startRung;
    d.reason = "bba: first segment, the fast-start rung";
    return d;
  }
  const int prev = in.lastRung;
  if (in.bufferS <= reservoir) {
    d.rung = 0;
    d.reason = "bba: buffer in the reservoir, lowest rung";
    return d;
  }
  if (in.bufferS >= reservoir + cushion) {
    d.rung = top;
    d.reason = "bba: buffer above reservoir + cushion, highest rung";
    return d;
  }
  const double f = r.front() + (r.back() - r.front()) * (in.bufferS - reservoir) / cushion;
  d.add("f_bps", f);
  const double plus = prev == top ? r[std::size_t(top)] : r[std::size_t(prev + 1)];
  const double minus = prev == 0 ? r[0] : r[std::size_t(prev - 1)];
  if (f >= plus) {
    int i = prev;
    while (i < top && r[std::size_t(i + 1)] < f) ++i;  // max{R_i : R_i < f(B)}
    d.rung = i;
    d.reason = "bba: f(buffer) passed the next rung up";
  } else if (f <= minus) {
    int i = prev;
    while (i > 0 && r[std::size_t(i - 1)] > f) --i;  // min{R_i : R_i > f(B)}
    d.rung = i;
    d.reason = "bba: f(buffer) fell below the next rung down";
  } else {
    d.rung = prev;
    d.reason = "bba: f(buffer) between the neighbouring rungs, stay";
  }
  return d;
}

}  // namespace rs::player
