#pragma once
// BOLA-E as dash.js runs it (dash.js src/streaming/rules/abr/BolaRule.js, v5), from
// Spiteri, Urgaonkar, Sitaraman, "BOLA: Near-Optimal Bitrate Adaptation for Online
// Videos" (INFOCOM 2016) and Spiteri, Sitaraman, Sparacio, "From Theory to Practice:
// Improving Bitrate Adaptation in the DASH Reference Player" (MMSys 2018):
// - utilities ln(bitrate) (shifted so the lowest is 1); Vp and gp put the lowest rung
//   below 10 s of buffer and the highest at max(18 s, 10 s + 2 s per rung);
// - each segment the rung maximising (Vp·(u + gp) − B) / bitrate, B the buffer plus
//   a placeholder buffer (BOLA-PL): start-up sets it so the throughput-picked rung is
//   what BOLA would pick, waiting (a full buffer) adds to it, a stall empties it;
// - BOLA-O: never step up above both the throughput rung and the current one;
// - a delay before the next request when even the chosen rung wants less buffer;
// - dash.js's InsufficientBufferRule beside it (at most 0.7 × throughput × B / segment
//   duration once two segments are in, the lowest rung on an empty buffer).

#include "player/abr/abr.h"

#include <vector>

namespace rs::player {

class Bola final : public AbrAlgorithm {
 public:
  static constexpr double kMinimumBufferS = 10;          // MINIMUM_BUFFER_S
  static constexpr double kBufferPerLevelS = 2;          // MINIMUM_BUFFER_PER_BITRATE_LEVEL_S
  static constexpr double kStableBufferS = 18;           // dash.js bufferTimeDefault
  static constexpr double kPlaceholderDecay = 0.99;      // PLACEHOLDER_BUFFER_DECAY
  static constexpr double kInsufficientFactor = 0.7;     // insufficientBufferRule throughputSafetyFactor
  static constexpr int kInsufficientIgnore = 2;          // … segmentIgnoreCount

  const char *name() const override { return "bola"; }
  Decision choose(const AbrInput &in) override;
  void onStall() override;
  void onAbandon(const AbrInput &in, int fromRung) override;

  // Exposed for tests: BOLA's parameters for a ladder, and the buffer levels between
  // which it prefers a rung.
  struct Params {
    double vp = 0, gp = 0;
    std::vector<double> utilities;  // ln(b_i / b_0)
  };
  static Params paramsFor(const std::vector<double> &bitrates);
  static int rungFor(const Params &p, const std::vector<double> &bitrates, double buffer);
  static double minBufferFor(const Params &p, const std::vector<double> &bitrates, int rung);
  static double maxBufferFor(const Params &p, int rung) { return p.vp * (p.utilities[std::size_t(rung)] + p.gp); }
  double placeholderS() const { return placeholder_; }
  bool steady() const { return steady_; }

 private:
  void initialise(const std::vector<double> &bitrates);
  Params params_;
  std::vector<double> ladder_;
  bool steady_ = false;
  double placeholder_ = 0;
  int current_ = -1;
  int segmentsSeen_ = 0;
};

// The insufficient-buffer cap alone (dash.js InsufficientBufferRule), shared by BOLA
// and the dynamic hybrid: the highest rung allowed, and writes its inputs into `d`.
int insufficientBufferCap(const AbrInput &in, int segmentsSeen, Decision *d);

}  // namespace rs::player
