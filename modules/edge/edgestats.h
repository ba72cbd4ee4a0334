#pragma once
// The edge's counters: what /edge/v1/stats, the heartbeat load and /metrics report
// (names in docs/delivery.md, "Edge metrics"). Lock-free on the request path.

#include <QUrl>
#include <atomic>

namespace rs::metrics { class Registry; class Counter; }

namespace rs::edge {

class EdgeStats {
 public:
  explicit EdgeStats(metrics::Registry &registry);

  enum class Result { Hit, Miss, Stale, Negative, Error };
  enum class Tier { Memory, Disk };
  // One answered /media request; bodyBytes is what the response carries (0 for HEAD).
  void answered(Result result, qint64 bodyBytes);
  void hit(Tier tier);
  void coalesced();
  void fetchedBytes(qint64 bytes, bool prefetch);
  // One attempt at one upstream: "ok", "error", "timeout" or "not_found".
  void upstreamAttempt(const QUrl &upstream, const char *outcome);
  void upstreamTimeToLastByte(const QUrl &upstream, double seconds);

  qint64 requests() const;
  qint64 hits() const;
  qint64 misses() const;
  qint64 stale() const;
  qint64 bytesServed() const { return bytesServed_.load(std::memory_order_relaxed); }
  qint64 bytesFetched() const { return bytesFetched_.load(std::memory_order_relaxed); }
  // Answers from cache (HIT or STALE) over answers that needed the object (plus MISS).
  double objectHitRatio() const;
  double byteHitRatio() const;

  metrics::Registry &registry() { return registry_; }

 private:
  metrics::Registry &registry_;
  metrics::Counter *results_[5];
  metrics::Counter *tiers_[2];
  metrics::Counter *bytesServedTotal_, *bytesFetchedTotal_, *coalescedTotal_, *prefetchBytesTotal_;
  std::atomic<qint64> bytesServed_{0}, bytesFromCache_{0}, bytesFetched_{0};
};

}  // namespace rs::edge
