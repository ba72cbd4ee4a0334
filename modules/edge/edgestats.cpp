#include "edge/edgestats.h"

#include "core/metrics/metrics.h"

namespace rs::edge {

EdgeStats::EdgeStats(metrics::Registry &r) : registry_(r) {
  static const char *const results[] = {"hit", "miss", "stale", "negative", "error"};
  for (int i = 0; i < 5; ++i)
    results_[i] = &r.counter("reelstack_edge_requests_total", "Requests for /media by cache result.", {{"result", results[i]}});
  tiers_[0] = &r.counter("reelstack_edge_hits_total", "Cache hits by the tier that held the object.", {{"tier", "memory"}});
  tiers_[1] = &r.counter("reelstack_edge_hits_total", "Cache hits by the tier that held the object.", {{"tier", "disk"}});
  bytesServedTotal_ = &r.counter("reelstack_edge_bytes_served_total", "Body bytes of /media answers.");
  bytesFetchedTotal_ = &r.counter("reelstack_edge_bytes_fetched_total", "Body bytes received from upstreams.");
  coalescedTotal_ = &r.counter("reelstack_edge_coalesced_total", "Requests that joined a fetch already in flight.");
  prefetchBytesTotal_ = &r.counter("reelstack_edge_prefetch_bytes_total", "Body bytes fetched by prefetch jobs.");
  r.gaugeCallback("reelstack_edge_object_hit_ratio", "Answers from cache (HIT or STALE) over all cacheable answers.",
                  [this] { return objectHitRatio(); });
  r.gaugeCallback("reelstack_edge_byte_hit_ratio", "Body bytes answered from cache over all body bytes answered.",
                  [this] { return byteHitRatio(); });
}

void EdgeStats::answered(Result result, qint64 bodyBytes) {
  results_[int(result)]->inc();
  if (bodyBytes <= 0) return;
  bytesServed_.fetch_add(bodyBytes, std::memory_order_relaxed);
  bytesServedTotal_->inc(double(bodyBytes));
  if (result == Result::Hit || result == Result::Stale) bytesFromCache_.fetch_add(bodyBytes, std::memory_order_relaxed);
}

void EdgeStats::hit(Tier tier) { tiers_[int(tier)]->inc(); }

void EdgeStats::coalesced() { coalescedTotal_->inc(); }

void EdgeStats::fetchedBytes(qint64 bytes, bool prefetch) {
  if (bytes <= 0) return;
  bytesFetched_.fetch_add(bytes, std::memory_order_relaxed);
  bytesFetchedTotal_->inc(double(bytes));
  if (prefetch) prefetchBytesTotal_->inc(double(bytes));
}

void EdgeStats::upstreamAttempt(const QUrl &upstream, const char *outcome) {
  registry_.counter("reelstack_edge_upstream_fetches_total", "Fetch attempts per upstream and outcome.",
                    {{"upstream", upstream.toString()}, {"outcome", outcome}}).inc();
}

void EdgeStats::upstreamTimeToLastByte(const QUrl &upstream, double seconds) {
  registry_.histogram("reelstack_edge_upstream_seconds", "Time from request to the last body byte, per upstream.",
                      metrics::defaultBuckets(), {{"upstream", upstream.toString()}}).observe(seconds);
}

qint64 EdgeStats::requests() const {
  double sum = 0;
  for (const metrics::Counter *c : results_) sum += c->value();
  return qint64(sum);
}
qint64 EdgeStats::hits() const { return qint64(results_[int(Result::Hit)]->value()); }
qint64 EdgeStats::misses() const { return qint64(results_[int(Result::Miss)]->value()); }
qint64 EdgeStats::stale() const { return qint64(results_[int(Result::Stale)]->value()); }

double EdgeStats::objectHitRatio() const {
  const double fromCache = results_[int(Result::Hit)]->value() + results_[int(Result::Stale)]->value();
  const double all = fromCache + results_[int(Result::Miss)]->value();
  return all > 0 ? fromCache / all : 0.0;
}

double EdgeStats::byteHitRatio() const {
  const qint64 all = bytesServed_.load(std::memory_order_relaxed);
  return all > 0 ? double(bytesFromCache_.load(std::memory_order_relaxed)) / double(all) : 0.0;
}

}  // namespace rs::edge
