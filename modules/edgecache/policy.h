#pragma once
// Which object to evict next. A policy sees only keys and sizes; the tier owns the
// bytes. Policies are not thread-safe: the tier that owns one locks around it.

#include <QString>
#include <QStringList>
#include <memory>

namespace rs::edgecache {

class EvictionPolicy {
 public:
  virtual ~EvictionPolicy() = default;
  virtual QString name() const = 0;
  // A new key entered the tier (never one already present).
  virtual void insert(const QString &key, qint64 size) = 0;
  // A lookup found the key.
  virtual void touch(const QString &key) = 0;
  // The tier dropped the key for another reason (purge, corruption).
  virtual void remove(const QString &key) = 0;
  // The key to evict now; the policy forgets it. Empty when the policy holds nothing.
  virtual QString evict() = 0;
  virtual qsizetype size() const = 0;
  // The byte budget of the owning tier. Only policies that split the cache into
  // parts of a given share (S3-FIFO) need it; the tiers call it once, before use.
  virtual void setCapacity(qint64 bytes) { Q_UNUSED(bytes); }
};

// "lru", "sieve" or "s3fifo"; null for an unknown name.
std::unique_ptr<EvictionPolicy> makePolicy(const QString &name);
QStringList policyNames();

}  // namespace rs::edgecache
