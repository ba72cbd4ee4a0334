#pragma once
// The upstreams an edge fetches from, in the order they are tried, and whether each is
// healthy. Health comes from active checks (HealthChecker), from refused connections
// and from answers: fetches go to healthy upstreams first; when every upstream is
// marked down they are tried anyway (nginx does the same), so an edge started with
// its upstream is not stuck answering 502 until the next check. Thread-safe.

#include <QList>
#include <QString>
#include <QUrl>
#include <atomic>
#include <functional>
#include <mutex>
#include <vector>

namespace rs::edge {

class UpstreamPool {
 public:
  struct Upstream {
    QUrl url;
    // Never checked counts as healthy: a new upstream is used at once, not after
    // its first check.
    bool healthy = true;
    qint64 lastCheckMs = 0;
    QString lastError;
  };

  // Replaces the list (configured, or discovered from control); URLs already known
  // keep their health. Calls onAdded for each URL seen for the first time.
  void setUrls(const QList<QUrl> &urls);
  void onAdded(std::function<void(const QUrl &)> fn) { onAdded_ = std::move(fn); }

  std::vector<Upstream> snapshot() const;
  QList<QUrl> urls() const;
  // The failover order of one fetch: the healthy upstreams in configured order; when
  // none is healthy, all of them (a check's verdict is up to an interval old, and a
  // refused connection costs a client far less than a 502 it did not need).
  QList<QUrl> fetchOrder() const;
  bool anyHealthy() const;
  bool isHealthy(const QUrl &url) const;
  bool empty() const;

  // An active check's verdict.
  void reportCheck(const QUrl &url, bool healthy, const QString &error, qint64 nowMs);
  // A fetch could not even connect (refused, unknown host): down until a check passes
  // or a fetch gets an answer.
  void markDown(const QUrl &url, const QString &error);
  // The upstream answered a fetch (200 or 404): it is up, whatever the last check said.
  void markUp(const QUrl &url);

 private:
  void updateAnyHealthy();  // under mutex_

  mutable std::mutex mutex_;
  std::vector<Upstream> list_;
  // Asked on every request (a cached copy is STALE while no upstream is healthy).
  std::atomic<bool> anyHealthy_{false};
  QList<QUrl> everSeen_;
  std::function<void(const QUrl &)> onAdded_;
};

// The URL of `key` ("/media/t_1/seg-1.m4s") below an upstream base URL.
QUrl objectUrl(const QUrl &base, const QString &key);

}  // namespace rs::edge
