#pragma once
// The upstreams an edge fetches from, in the order they are tried, and whether each is
// healthy. Health comes from active checks (HealthChecker) and from refused
// connections; fetches only go to healthy upstreams, so with every upstream down the
// edge answers at once instead of waiting for timeouts. Thread-safe.

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
    bool healthy = true;  // optimistic until a check says otherwise
    qint64 lastCheckMs = 0;
    QString lastError;
  };

  // Replaces the list (configured, or discovered from control); URLs already known
  // keep their health. Calls onAdded for each URL seen for the first time.
  void setUrls(const QList<QUrl> &urls);
  void onAdded(std::function<void(const QUrl &)> fn) { onAdded_ = std::move(fn); }

  std::vector<Upstream> snapshot() const;
  QList<QUrl> urls() const;
  // Healthy upstreams in configured order: the failover order of one fetch.
  QList<QUrl> healthyInOrder() const;
  bool anyHealthy() const;
  bool isHealthy(const QUrl &url) const;
  bool empty() const;

  // An active check's verdict.
  void reportCheck(const QUrl &url, bool healthy, const QString &error, qint64 nowMs);
  // A fetch could not even connect (refused, unknown host): down until a check passes.
  void markDown(const QUrl &url, const QString &error);

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
