#include "edge/upstreampool.h"

namespace rs::edge {

void UpstreamPool::setUrls(const QList<QUrl> &urls) {
  QList<QUrl> added;
  {
    std::lock_guard lock(mutex_);
    std::vector<Upstream> next;
    for (const QUrl &u : urls) {
      auto it = std::find_if(list_.begin(), list_.end(), [&](const Upstream &x) { return x.url == u; });
      if (it != list_.end()) {
        next.push_back(*it);
      } else {
        Upstream fresh;
        fresh.url = u;
        next.push_back(fresh);
      }
      if (!everSeen_.contains(u)) {
        everSeen_.append(u);
        added.append(u);
      }
    }
    list_ = std::move(next);
    updateAnyHealthy();
  }
  if (onAdded_)
    for (const QUrl &u : added) onAdded_(u);
}

std::vector<UpstreamPool::Upstream> UpstreamPool::snapshot() const {
  std::lock_guard lock(mutex_);
  return list_;
}

QList<QUrl> UpstreamPool::urls() const {
  std::lock_guard lock(mutex_);
  QList<QUrl> out;
  for (const Upstream &u : list_) out.append(u.url);
  return out;
}

QList<QUrl> UpstreamPool::fetchOrder() const {
  std::lock_guard lock(mutex_);
  QList<QUrl> out;
  for (const Upstream &u : list_)
    if (u.healthy) out.append(u.url);
  if (out.isEmpty())
    for (const Upstream &u : list_) out.append(u.url);
  return out;
}

bool UpstreamPool::anyHealthy() const { return anyHealthy_.load(std::memory_order_acquire); }

void UpstreamPool::updateAnyHealthy() {
  anyHealthy_.store(std::any_of(list_.begin(), list_.end(), [](const Upstream &u) { return u.healthy; }),
                    std::memory_order_release);
}

bool UpstreamPool::isHealthy(const QUrl &url) const {
  std::lock_guard lock(mutex_);
  for (const Upstream &u : list_)
    if (u.url == url) return u.healthy;
  return false;
}

bool UpstreamPool::empty() const {
  std::lock_guard lock(mutex_);
  return list_.empty();
}

void UpstreamPool::reportCheck(const QUrl &url, bool healthy, const QString &error, qint64 nowMs) {
  std::lock_guard lock(mutex_);
  for (Upstream &u : list_) {
    if (u.url != url) continue;
    u.healthy = healthy;
    u.lastCheckMs = nowMs;
    u.lastError = error;
  }
  updateAnyHealthy();
}

void UpstreamPool::markDown(const QUrl &url, const QString &error) {
  std::lock_guard lock(mutex_);
  for (Upstream &u : list_) {
    if (u.url != url) continue;
    u.healthy = false;
    u.lastError = error;
  }
  updateAnyHealthy();
}

void UpstreamPool::markUp(const QUrl &url) {
  std::lock_guard lock(mutex_);
  for (Upstream &u : list_) {
    if (u.url != url) continue;
    u.healthy = true;
    u.lastError.clear();
  }
  updateAnyHealthy();
}

QUrl objectUrl(const QUrl &base, const QString &key) {
  QUrl u = base;
  u.setPath(base.path(QUrl::FullyDecoded) + key, QUrl::DecodedMode);
  return u;
}

}  // namespace rs::edge
