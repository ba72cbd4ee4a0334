#pragma once
// Prometheus metrics (text exposition format 0.0.4): counters, gauges, histograms and
// render-time callbacks in one Registry per process, cheap enough for the hot path.

#include <QAnyStringView>
#include <QByteArray>
#include <QByteArrayView>
#include <QString>
#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

namespace rs::metrics {

inline constexpr char kContentType[] = "text/plain; version=0.0.4; charset=utf-8";

// A label pair; both parts are stored as UTF-8. Written {"code", value} at call sites,
// where value may be a QString, QByteArray or a literal.
struct Label {
  Label(QAnyStringView n, QAnyStringView v) : name(n.toString().toUtf8()), value(v.toString().toUtf8()) {}
  QByteArray name;
  QByteArray value;
  bool operator==(const Label &) const = default;
};
using Labels = std::vector<Label>;

// Monotonic. inc() is a lock-free atomic add.
class Counter {
 public:
  void inc(double by = 1.0);  // negative amounts are ignored: counters never go down
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

class Gauge {
 public:
  void set(double v) { value_.store(v, std::memory_order_relaxed); }
  void inc(double by = 1.0) { value_.fetch_add(by, std::memory_order_relaxed); }
  void dec(double by = 1.0) { value_.fetch_sub(by, std::memory_order_relaxed); }
  void setToCurrentTime();  // seconds since the epoch
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

// Fixed upper bounds (le, inclusive); observe() is lock-free: one atomic increment of
// the bucket the value falls in and one atomic add to the sum. Cumulative counts are
// computed at render time, and _count is their total, so "+Inf" always equals _count.
class Histogram {
 public:
  explicit Histogram(std::vector<double> upperBounds);  // sorted, deduplicated, +Inf dropped
  void observe(double v);
  const std::vector<double> &upperBounds() const { return bounds_; }
  // Cumulative counts per bound, plus a last entry for +Inf (== count).
  std::vector<std::uint64_t> cumulativeCounts() const;
  double sum() const { return sum_.load(std::memory_order_relaxed); }

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> counts_;  // bounds_.size() + 1 (+Inf)
  std::atomic<double> sum_{0.0};
};

std::vector<double> defaultBuckets();  // .005 … 10 seconds, as the Prometheus clients use
std::vector<double> exponentialBuckets(double start, double factor, int count);
std::vector<double> linearBuckets(double start, double width, int count);

// Families are keyed by name and rendered in registration order with one # HELP and
// one # TYPE line each; the help text of the first registration wins. Asking again
// for the same name and labels returns the same object, so independent components may
// register the same series. References stay valid for the Registry's lifetime.
//
// Misuse is a programming error: an invalid metric or label name, a counter name not
// ending in "_total", a histogram with an "le" label, or one name used with two types
// (or two bucket layouts) asserts in debug builds; release builds log it and hand back
// a detached metric that is never rendered.
//
// Callbacks run inside render() under the registry lock: they must be quick and must
// not call back into the Registry. Registering the same callback series again replaces
// the function.
class Registry {
 public:
  Registry();
  ~Registry();
  Registry(const Registry &) = delete;
  Registry &operator=(const Registry &) = delete;

  Counter &counter(QByteArrayView name, QAnyStringView help, const Labels &labels = {});
  Gauge &gauge(QByteArrayView name, QAnyStringView help, const Labels &labels = {});
  Histogram &histogram(QByteArrayView name, QAnyStringView help, std::vector<double> buckets = defaultBuckets(),
                       const Labels &labels = {});
  void gaugeCallback(QByteArrayView name, QAnyStringView help, std::function<double()> fn,
                     const Labels &labels = {});
  void counterCallback(QByteArrayView name, QAnyStringView help, std::function<double()> fn,
                       const Labels &labels = {});

  // The exposition text; serve it with kContentType.
  QByteArray render() const;

 private:
  struct Series;
  struct Family;
  enum class Type { Counter, Gauge, Histogram };
  Series *find(Type type, QByteArrayView name, QAnyStringView help, const Labels &labels,
               const std::vector<double> *buckets);

  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<Family>> families_;
  std::deque<Counter> orphanCounters_;  // handed out on misuse, never rendered
  std::deque<Gauge> orphanGauges_;
  std::deque<std::unique_ptr<Histogram>> orphanHistograms_;
};

// Standard process_* metrics, sampled at render time from /proc and getrusage():
// process_cpu_seconds_total, process_resident_memory_bytes,
// process_virtual_memory_bytes, process_open_fds, process_max_fds,
// process_start_time_seconds.
void addProcessMetrics(Registry &registry);

// Prometheus number formatting: integers without a fraction, otherwise the shortest
// text that round-trips; "+Inf", "-Inf", "NaN".
QByteArray formatValue(double v);

}  // namespace rs::metrics
