#include "player/engine/bandwidthestimator.h"

#include <algorithm>
#include <cmath>

namespace rs::player {

namespace {

// EWMA with a half-life in units of `weight`; starts at 0, corrected on read.
void update(double *estimate, double value, double weight, double halfLife) {
  const double alpha = std::exp2(-weight / halfLife);
  *estimate = (1 - alpha) * value + alpha * *estimate;
}

double corrected(double estimate, double totalWeight, double halfLife) {
  if (totalWeight <= 0) return 0;
  const double halves = totalWeight / halfLife;
  return halves > 60 ? estimate : estimate / (1 - std::exp2(-halves));  // past 60 halvings the start-up bias is gone
}

}  // namespace

void BandwidthEstimator::addSample(std::int64_t bytes, double seconds, double latencyS) {
  if (latencyS >= 0) {
    update(&latFast_, latencyS, 1, 1);
    update(&latSlow_, latencyS, 1, 2);
    latWeight_ += 1;
    latency_ = std::max(corrected(latFast_, latWeight_, 1), corrected(latSlow_, latWeight_, 2));
  }
  if (bytes < config_.minBytes) return;
  seconds = std::max(seconds, 0.001);
  const double bps = double(bytes) * 8 / seconds;
  if (count_ > 0) {
    const double predicted = harmonicMeanBps();
    const double error = std::abs(predicted - bps) / bps;
    errors_[std::size_t(errorCount_ % kWindow)] = error;
    ++errorCount_;
  }
  window_[std::size_t(count_ % kWindow)] = bps;
  ++count_;
  last_ = bps;
  update(&fast_, bps, seconds, config_.fastHalfLifeS);
  update(&slow_, bps, seconds, config_.slowHalfLifeS);
  weight_ += seconds;
  fastCorrected_ = corrected(fast_, weight_, config_.fastHalfLifeS);
  slowCorrected_ = corrected(slow_, weight_, config_.slowHalfLifeS);
  harmonic_ = computeHarmonic();
}

double BandwidthEstimator::computeHarmonic() const {
  const int n = std::min(count_, kWindow);
  if (n == 0) return 0;
  double inverse = 0;
  for (int i = 0; i < n; ++i) inverse += 1 / window_[std::size_t(i)];
  return n / inverse;
}

double BandwidthEstimator::maxRecentError() const {
  const int n = std::min(errorCount_, kWindow);
  double worst = 0;
  for (int i = 0; i < n; ++i) worst = std::max(worst, errors_[std::size_t(i)]);
  return worst;
}

}  // namespace rs::player
