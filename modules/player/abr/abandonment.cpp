#include "player/abr/abandonment.h"

namespace rs::player {

AbandonVerdict AbandonRule::check(const AbandonInput &in) const {
  AbandonVerdict v;
  v.rung = in.rung;
  if (in.rung == 0 || in.firstByteAt < 0 || in.totalBytes <= 0 || in.bytes >= in.totalBytes) return v;
  if (in.bufferS > kMaxBufferS) return v;
  const double elapsed = in.now - in.firstByteAt;
  if (elapsed < kMinElapsedS) return v;
  const double measured = double(in.bytes - in.firstChunkBytes) * 8 / elapsed;
  v.measuredBps = measured;
  const std::int64_t remaining = in.totalBytes - in.bytes;
  if (measured <= 0) {
    v.remainingS = 1e9;
  } else {
    v.remainingS = double(remaining) * 8 / measured;
  }
  const double projectedTotal = elapsed + v.remainingS;
  const bool tooSlow = projectedTotal >= kDurationMultiplier * in.segmentDurationS;
  const bool willStall = in.playing && v.remainingS > in.bufferS;
  if (!tooSlow && !willStall) return v;
  int target = 0;
  for (int i = 0; i < in.rung; ++i)
    if ((*in.bitrates)[std::size_t(i)] <= measured) target = i;
  // The replacement's size, scaled from this segment by bitrate.
  const double replacement = double(in.totalBytes) * (*in.bitrates)[std::size_t(target)] / (*in.bitrates)[std::size_t(in.rung)];
  if (double(remaining) <= replacement) return v;
  v.abandon = true;
  v.rung = target;
  v.reason = tooSlow ? "abandoned: projected to take over 1.8 segment durations"
                     : "abandoned: projected to finish after the buffer runs dry";
  return v;
}

}  // namespace rs::player
