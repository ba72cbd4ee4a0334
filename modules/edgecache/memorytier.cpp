#include "edgecache/memorytier.h"

#include <vector>

namespace rs::edgecache {

MemoryTier::MemoryTier(qint64 maxBytes, qint64 maxObjectBytes, std::unique_ptr<EvictionPolicy> policy)
    : maxBytes_(std::max<qint64>(0, maxBytes)),
      maxObjectBytes_(std::max<qint64>(0, maxObjectBytes)),
      policy_(policy ? std::move(policy) : makePolicy(QStringLiteral("lru"))) {
  policy_->setCapacity(maxBytes_);
}

std::shared_ptr<const MemoryObject> MemoryTier::lookup(const QString &key) {
  std::lock_guard lock(mutex_);
  auto it = objects_.constFind(key);
  if (it == objects_.constEnd()) return nullptr;
  policy_->touch(key);
  return it.value();
}

std::shared_ptr<const MemoryObject> MemoryTier::peek(const QString &key) const {
  std::lock_guard lock(mutex_);
  return objects_.value(key);
}

bool MemoryTier::insert(std::shared_ptr<const MemoryObject> object) {
  if (!object) return false;
  const QString key = object->meta.key;
  const qint64 size = object->body.size();
  QStringList evicted;
  // Freed after the lock is released: dropping the last reference to a large body
  // is a munmap, not something other lookups should wait for.
  std::vector<std::shared_ptr<const MemoryObject>> dropped;
  bool stored = false;
  {
    std::lock_guard lock(mutex_);
    // A newer version replaces the old one even when it cannot be stored: keeping
    // the old one would serve an object the upstream has since changed.
    if (auto it = objects_.find(key); it != objects_.end()) {
      bytes_ -= it.value()->body.size();
      dropped.push_back(std::move(it.value()));
      objects_.erase(it);
      policy_->remove(key);
    }
    if (size <= maxObjectBytes_ && size <= maxBytes_) {
      while (bytes_ + size > maxBytes_) {
        const QString victim = policy_->evict();
        if (victim.isNull()) break;  // cannot happen while bytes_ > 0: every object is in the policy
        if (auto it = objects_.find(victim); it != objects_.end()) {
          bytes_ -= it.value()->body.size();
          dropped.push_back(std::move(it.value()));
          objects_.erase(it);
          ++evictions_;
          evicted << victim;
        }
      }
      objects_.insert(key, std::move(object));
      policy_->insert(key, size);
      bytes_ += size;
      stored = true;
    }
  }
  if (onEvict_)
    for (const QString &k : std::as_const(evicted)) onEvict_(k);
  return stored;
}

bool MemoryTier::remove(const QString &key) {
  std::lock_guard lock(mutex_);
  auto it = objects_.find(key);
  if (it == objects_.end()) return false;
  bytes_ -= it.value()->body.size();
  objects_.erase(it);
  policy_->remove(key);
  return true;
}

int MemoryTier::removePrefix(const QString &prefix) {
  std::lock_guard lock(mutex_);
  int removed = 0;
  for (auto it = objects_.begin(); it != objects_.end();) {
    if (it.key().startsWith(prefix)) {
      bytes_ -= it.value()->body.size();
      policy_->remove(it.key());
      it = objects_.erase(it);
      ++removed;
    } else {
      ++it;
    }
  }
  return removed;
}

qint64 MemoryTier::bytes() const {
  std::lock_guard lock(mutex_);
  return bytes_;
}

qsizetype MemoryTier::objects() const {
  std::lock_guard lock(mutex_);
  return objects_.size();
}

quint64 MemoryTier::evictions() const {
  std::lock_guard lock(mutex_);
  return evictions_;
}

QString MemoryTier::policyName() const { return policy_->name(); }

QStringList MemoryTier::keys() const {
  std::lock_guard lock(mutex_);
  return objects_.keys();
}

}  // namespace rs::edgecache
