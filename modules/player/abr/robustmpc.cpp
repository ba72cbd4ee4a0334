#include "player/abr/robustmpc.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace rs::player {

namespace {

constexpr int kMaxRungs = 16;

// Buffer below this at the end of a plan costs like rebuffering would: a plan that
// ends with an empty buffer has only postponed the stall past the horizon. 12 s and
// half the rebuffer penalty were the best of a sweep over the 123 traces of the FCC
// and HSDPA collection outside data/traces/held-out (simulated, 10-minute title).
constexpr double kTerminalBufferS = 12;
constexpr double kTerminalWeight = 0.5;  // fraction of the rebuffer penalty per missing second

// With a deep buffer a wrong prediction costs less: the error discount weighs fully up
// to 15 s of buffer and half at 30 s (the same sweep: fewer stalls and higher QoE than
// the fixed discount).
double errorWeight(double bufferS) { return std::clamp(1 - 0.5 * (bufferS - 15) / 15, 0.5, 1.0); }

struct Search {
  int horizon = 0, rungs = 0;
  double cap = 0;
  bool drains = true;     // false at start-up: the buffer does not play while it fills
  bool stalled = false;
  std::array<double, kMaxRungs> q{};  // Mbit/s per rung
  double qMax = 0;
  std::array<std::array<double, kMaxRungs>, RobustMpc::kHorizon> dt{};  // download s
  std::array<double, RobustMpc::kHorizon> dur{};
  // reach[n][r]: the most utility n more steps can add after rung r, each step at most
  // one rung up: Σ q[min(r + j, top)].
  std::array<std::array<double, kMaxRungs>, RobustMpc::kHorizon + 1> reach{};
  double best = -1e300;
  int bestFirst = 0;
  long nodes = 0;

  void dfs(int k, int prev, int first, double buffer, double score, double prevQ) {
    if (k == horizon) {
      const double shortfall = std::max(0.0, std::min(kTerminalBufferS, cap - dur[0]) - buffer);
      score -= kTerminalWeight * RobustMpc::kRebufferPenalty * shortfall;
      if (score > best) {
        best = score;
        bestFirst = first;
      }
      return;
    }
    const double bound = k == 0 ? double(horizon) * qMax : reach[std::size_t(horizon - k)][std::size_t(prev)];
    if (score + bound <= best) return;  // cannot win any more
    const int lo = k == 0 ? 0 : std::max(0, prev - 1);
    const int hi = k == 0 ? rungs - 1 : std::min(rungs - 1, prev + 1);
    // Staying first, then outwards: the best plan is usually near the current rung,
    // and finding it early makes the bound prune the rest.
    const int centre = std::clamp(prev, lo, hi);
    for (int step = 0; step <= 2 * (hi - lo); ++step) {
      const int r = (step & 1) ? centre + (step + 1) / 2 : centre - step / 2;
      if (r < lo || r > hi) continue;  // that side ran out; the other goes on
      ++nodes;
      const double t = dt[std::size_t(k)][std::size_t(r)];
      double rebuffer, next;
      if (k == 0 && !drains) {
        rebuffer = stalled ? t : 0;
        next = buffer + dur[std::size_t(k)];
      } else {
        rebuffer = std::max(0.0, t - buffer);
        next = std::max(0.0, buffer - t) + dur[std::size_t(k)];
      }
      next = std::min(next, cap);
      const double qr = q[std::size_t(r)];
      const double change = prevQ < 0 ? 0 : std::abs(qr - prevQ);
      dfs(k + 1, r, k == 0 ? r : first, next,
          score + qr - RobustMpc::kSwitchPenalty * change - RobustMpc::kRebufferPenalty * rebuffer, qr);
    }
  }
};

}  // namespace

Decision RobustMpc::choose(const AbrInput &in) {
  Decision d;
  if (!in.estimate->hasEstimate()) {
    d.rung = in.startRung;
    d.reason = "mpc: no throughput sample yet, the fast-start rung";
    return d;
  }
  const double harmonic = in.estimate->harmonicMeanBps();
  const double error = in.estimate->maxRecentError();
  const double bw = harmonic / (1 + error * errorWeight(in.bufferS));
  const double latency = in.estimate->latencyS();
  Search s;
  s.rungs = std::min(in.rungs(), kMaxRungs);
  s.horizon = std::min(kHorizon, in.segmentsLeft());
  s.cap = in.bufferCapS;
  s.drains = in.playing;
  s.stalled = !in.playing && in.lastRung >= 0;
  for (int r = 0; r < s.rungs; ++r) {
    s.q[std::size_t(r)] = (*in.bitrates)[std::size_t(r)] / 1e6;
    s.qMax = std::max(s.qMax, s.q[std::size_t(r)]);
  }
  for (int n = 1; n <= s.horizon; ++n)
    for (int r = 0; r < s.rungs; ++r)
      s.reach[std::size_t(n)][std::size_t(r)] = s.reach[std::size_t(n - 1)][std::size_t(std::min(r + 1, s.rungs - 1))] +
                                                s.q[std::size_t(std::min(r + 1, s.rungs - 1))];
  for (int k = 0; k < s.horizon; ++k) {
    const double dur = (*in.timeline)[std::size_t(in.segment + k)].duration;
    s.dur[std::size_t(k)] = dur;
    for (int r = 0; r < s.rungs; ++r)
      s.dt[std::size_t(k)][std::size_t(r)] = latency + in.sizes->expectedBytes(r, dur) * 8 / bw;
  }
  const double prevQ = in.lastRung >= 0 && in.lastRung < s.rungs ? s.q[std::size_t(in.lastRung)] : -1;
  s.dfs(0, in.lastRung, 0, in.bufferS, 0, prevQ);
  d.rung = s.bestFirst;
  d.reason = "mpc: first step of the best 5-segment plan (QoE_lin) at the robust throughput";
  d.add("buffer_s", in.bufferS)
      .add("harmonic_bps", harmonic)
      .add("max_error", error)
      .add("robust_bps", bw)
      .add("latency_s", latency)
      .add("size_ratio", in.sizes->ratio(d.rung))
      .add("plan_qoe", s.best)
      .add("plans_searched", double(s.nodes));
  return d;
}

}  // namespace rs::player
