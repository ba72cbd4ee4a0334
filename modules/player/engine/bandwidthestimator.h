#pragma once
// The engine's bandwidth estimate from finished downloads: a dual EWMA (fast and slow
// half-lives in seconds of download time, as dash.js and Shaka do) and a sliding
// window of the last samples (harmonic mean and its recent prediction error, for
// robust MPC).
//
// Latency is kept apart: a sample's throughput is the bytes after the first read over
// the time from that first read to the last byte, so the request's round trip (and
// the server's think time) never lowers the throughput, and short segments are not
// punished for latency. The latency itself (request → first byte) has its own EWMA,
// which algorithms that predict download times (MPC) add back per request.

#include <array>
#include <cstdint>

namespace rs::player {

struct EstimatorConfig {
  double fastHalfLifeS = 3;  // dash.js throughputFastHalfLifeSeconds
  double slowHalfLifeS = 8;  // dash.js throughputSlowHalfLifeSeconds
  std::int64_t minBytes = 16000;  // smaller downloads say more about latency than bandwidth (Shaka's minBytes)
};

class BandwidthEstimator {
 public:
  static constexpr int kWindow = 5;  // robust MPC's past five chunks

  explicit BandwidthEstimator(EstimatorConfig config = {}) : config_(config) {}

  // One finished download: `bytes` in `seconds` (first read to last byte), and the
  // `latencyS` from request to first byte.
  void addSample(std::int64_t bytes, double seconds, double latencyS);

  bool hasEstimate() const { return count_ > 0; }
  int samples() const { return count_; }
  double fastBps() const { return fastCorrected_; }  // bias-corrected EWMAs, bits/s (0 without samples)
  double slowBps() const { return slowCorrected_; }
  // min(fast, slow): quick to fall, slow to rise (dash.js's "safe average" before its
  // safety factor).
  double safeBps() const { return fastCorrected_ < slowCorrected_ ? fastCorrected_ : slowCorrected_; }
  double harmonicMeanBps() const { return harmonic_; }  // of the last kWindow samples
  // Largest |prediction − actual| / actual of the last kWindow samples, where the
  // prediction was the harmonic mean before each one arrived.
  double maxRecentError() const;
  double lastBps() const { return last_; }
  double latencyS() const { return latency_; }  // max of a fast and a slow latency EWMA; 0 without samples

 private:
  double computeHarmonic() const;
  // Read thousands of times per simulated session, written once per segment: kept.
  double fastCorrected_ = 0, slowCorrected_ = 0, harmonic_ = 0, latency_ = 0;
  EstimatorConfig config_;
  double fast_ = 0, slow_ = 0, weight_ = 0;
  double latFast_ = 0, latSlow_ = 0, latWeight_ = 0;
  std::array<double, kWindow> window_{};
  std::array<double, kWindow> errors_{};
  int count_ = 0, errorCount_ = 0;
  double last_ = 0;
};

}  // namespace rs::player
