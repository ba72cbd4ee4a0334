#include "player/abr/bola.h"

#include "player/abr/throughputrule.h"

#include <algorithm>
#include <cmath>

namespace rs::player {

int insufficientBufferCap(const AbrInput &in, int segmentsSeen, Decision *d) {
  const int top = in.rungs() - 1;
  if (segmentsSeen < Bola::kInsufficientIgnore || !in.estimate->hasEstimate()) return top;
  if (in.bufferS <= 0 && in.lastRung >= 0) return 0;
  const double limit = Bola::kInsufficientFactor * in.estimate->safeBps() * in.bufferS / in.segmentDuration();
  d->add("insufficient_cap_bps", limit);
  return in.highestBelow(limit);
}

Bola::Params Bola::paramsFor(const std::vector<double> &bitrates) {
  Params p;
  for (double b : bitrates) p.utilities.push_back(std::log(b / bitrates.front()));
  const double top = p.utilities.back();
  if (bitrates.size() < 2 || top <= 0) return p;
  const double bufferTime = std::max(kStableBufferS, kMinimumBufferS + kBufferPerLevelS * double(bitrates.size()));
  p.gp = top / (bufferTime / kMinimumBufferS - 1);
  p.vp = kMinimumBufferS / p.gp;
  return p;
}

int Bola::rungFor(const Params &p, const std::vector<double> &bitrates, double buffer) {
  int best = 0;
  double score = 0;
  for (std::size_t i = 0; i < bitrates.size(); ++i) {
    const double s = (p.vp * (p.utilities[i] + p.gp) - buffer) / bitrates[i];
    if (i == 0 || s >= score) {
      score = s;
      best = int(i);
    }
  }
  return best;
}

double Bola::minBufferFor(const Params &p, const std::vector<double> &b, int rung) {
  // The smallest buffer at which `rung` scores at least as well as every rung below.
  double level = 0;
  const std::size_t q = std::size_t(rung);
  for (std::size_t i = 0; i < q; ++i) {
    if (p.utilities[i] >= p.utilities[q]) continue;
    level = std::max(level, p.vp * (p.gp + (b[q] * p.utilities[i] - b[i] * p.utilities[q]) / (b[q] - b[i])));
  }
  return level;
}

void Bola::initialise(const std::vector<double> &bitrates) {
  ladder_ = bitrates;
  params_ = paramsFor(bitrates);
  steady_ = false;
  placeholder_ = 0;
  current_ = -1;
  segmentsSeen_ = 0;
}

void Bola::onStall() {
  if (steady_) placeholder_ = 0;
}

void Bola::onAbandon(const AbrInput &in, int fromRung) {
  // The hybrid tells BOLA about abandonments even before it first asked it anything.
  if (ladder_ != *in.bitrates) initialise(*in.bitrates);
  const double want = fromRung > 0 ? minBufferFor(params_, ladder_, fromRung) : kMinimumBufferS;
  placeholder_ = std::min(placeholder_, std::max(0.0, want - in.bufferS));
}

Decision Bola::choose(const AbrInput &in) {
  if (ladder_ != *in.bitrates) initialise(*in.bitrates);
  Decision d;
  const int top = in.rungs() - 1;
  const double safe = ThroughputRule::kSafetyFactor * in.estimate->safeBps();
  const int forThroughput = in.highestBelow(safe);
  if (top == 0) {
    d.reason = "bola: one rung only";
    return d;
  }
  // A new segment since the last call: the placeholder decays and may not exceed what
  // the current rung could want (dash.js _checkNewSegment).
  if (segmentsSeen_ > 0 && current_ >= 0) {
    placeholder_ *= kPlaceholderDecay;
    placeholder_ = std::min(placeholder_, std::max(0.0, maxBufferFor(params_, current_) - in.bufferS));
  }
  ++segmentsSeen_;
  d.add("buffer_s", in.bufferS);

  if (!steady_) {
    if (!in.estimate->hasEstimate()) {
      d.rung = in.startRung;
      d.reason = "bola: start-up without an estimate, the fast-start rung";
      current_ = d.rung;
      return d;
    }
    d.rung = forThroughput;
    placeholder_ = std::max(0.0, minBufferFor(params_, ladder_, d.rung) - in.bufferS);
    if (in.bufferS >= in.segmentDuration()) steady_ = true;
    d.reason = "bola: start-up, the throughput rung; placeholder set to match it";
  } else {
    if (in.idleS > 0) placeholder_ += in.idleS;  // time spent waiting fills the placeholder
    int rung = rungFor(params_, ladder_, in.bufferS + placeholder_);
    d.reason = "bola: the rung maximising (Vp(u+gp) - buffer) / bitrate";
    if (rung > current_ && rung > forThroughput) {
      rung = std::max(forThroughput, current_);
      d.reason = "bola-o: no step up past both the throughput rung and the current one";
    }
    double delay = std::max(0.0, in.bufferS + placeholder_ - maxBufferFor(params_, rung));
    if (delay <= placeholder_) {
      placeholder_ -= delay;
      delay = 0;
    } else {
      delay -= placeholder_;
      placeholder_ = 0;
      if (rung == top) delay = 0;  // at the top the buffer cap decides
    }
    d.rung = rung;
    d.delayS = delay;
  }
  d.add("placeholder_s", placeholder_).add("throughput_rung", forThroughput).add("safe_bps", safe);
  const int cap = insufficientBufferCap(in, segmentsSeen_ - 1, &d);
  if (d.rung > cap) {
    d.rung = cap;
    d.delayS = 0;
    d.reason = "bola: insufficient buffer for the rung at this throughput (0.7 x estimate x buffer / segment)";
  }
  current_ = d.rung;
  return d;
}

}  // namespace rs::player
