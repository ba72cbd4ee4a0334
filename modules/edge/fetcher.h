#pragma once
// Runs upstream downloads on a thread of their own (its own QNetworkAccessManager:
// no proxy, HTTP/1.1, no redirects, no cookies), streaming each body into its Fetch as
// it arrives. Timeouts: connect (until the request is sent), first byte (until the
// response head), between bytes (reset by every read). A connect error, a timeout
// before the head or a 5xx moves on to the next upstream of the pool's fetchOrder()
// (an answer marks its upstream up, a refused connection down); a failure mid-body
// fails the fetch (its waiters see a truncated body) and nothing is cached.
// The health checks run on the same thread.

#include "core/status.h"

#include <QThread>
#include <atomic>
#include <functional>
#include <memory>

namespace rs::edge {

class EdgeStats;
class Fetch;
class HealthChecker;
class UpstreamPool;

struct FetchTimeouts {
  int connectMs = 2000;
  int firstByteMs = 10000;
  int betweenBytesMs = 10000;
};

struct FetchHooks {
  // After fetch->complete(), on the fetcher thread: store it.
  std::function<void(const std::shared_ptr<Fetch> &)> completed;
  // Before fetch->fail(why), on the fetcher thread: forget it (a 404 is remembered).
  std::function<void(const std::shared_ptr<Fetch> &, const Status &why)> failing;
  // The Authorization upstream requests carry (the edge's service credential), on
  // the fetcher thread; unset or empty: none.
  std::function<QByteArray()> authorization;
};

class Fetcher {
 public:
  Fetcher(UpstreamPool &pool, EdgeStats &stats, FetchTimeouts timeouts, FetchHooks hooks);
  ~Fetcher();
  Fetcher(const Fetcher &) = delete;
  Fetcher &operator=(const Fetcher &) = delete;

  // Starts the thread, and health checks every healthIntervalMs.
  void start(int healthIntervalMs);
  // Fails every fetch in flight (their clients' connections close) and stops the
  // thread. Idempotent.
  void stop();
  // Any thread. The fetch must be new (Waiting).
  void run(std::shared_ptr<Fetch> fetch);

 private:
  class Worker;
  UpstreamPool &pool_;
  QThread thread_;
  Worker *worker_ = nullptr;
  HealthChecker *checker_ = nullptr;
  FetchTimeouts timeouts_;
  FetchHooks hooks_;
  std::atomic<bool> running_{false};
};

// Objects above this are refused (502): every body is held in memory while it arrives.
inline constexpr qint64 kMaxObjectBytes = qint64(1) << 30;

}  // namespace rs::edge
