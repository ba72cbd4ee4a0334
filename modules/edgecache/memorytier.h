#pragma once
// The hot tier: whole objects in memory, bounded in bytes, evicting by a pluggable
// policy. Thread-safe (one mutex; lookups are a hash find).

#include "edgecache/cachedobject.h"
#include "edgecache/policy.h"

#include <QHash>
#include <functional>
#include <memory>
#include <mutex>

namespace rs::edgecache {

class MemoryTier {
 public:
  MemoryTier(qint64 maxBytes, qint64 maxObjectBytes, std::unique_ptr<EvictionPolicy> policy);

  std::shared_ptr<const MemoryObject> lookup(const QString &key);  // touches the policy
  std::shared_ptr<const MemoryObject> peek(const QString &key) const;  // does not
  // Stores (replacing an existing key), evicting until it fits. False when the object
  // is larger than maxObjectBytes or maxBytes.
  bool insert(std::shared_ptr<const MemoryObject> object);
  bool remove(const QString &key);
  int removePrefix(const QString &prefix);

  qint64 bytes() const;
  qint64 maxBytes() const { return maxBytes_; }
  qsizetype objects() const;
  quint64 evictions() const;
  QString policyName() const;
  // Every key, for the heartbeat's title list.
  QStringList keys() const;
  // Called (under no lock) with each evicted key; set once before use.
  void onEvict(std::function<void(const QString &key)> fn) { onEvict_ = std::move(fn); }

 private:
  const qint64 maxBytes_, maxObjectBytes_;
  mutable std::mutex mutex_;
  std::unique_ptr<EvictionPolicy> policy_;
  QHash<QString, std::shared_ptr<const MemoryObject>> objects_;
  qint64 bytes_ = 0;
  quint64 evictions_ = 0;
  std::function<void(const QString &)> onEvict_;
};

}  // namespace rs::edgecache
