#pragma once
// The large tier: objects as files under <dir>/objects, bounded in bytes, surviving
// restarts and kill -9. Written to <dir>/tmp, fsynced and renamed, so a half-written
// object never has its final name; indexed from the file headers on open; the CRC-32
// of a body is checked the first time it is read after open. Thread-safe.
// File format: docs/delivery.md ("Disk tier layout").

#include "core/http/response.h"
#include "core/status.h"
#include "edgecache/cachedobject.h"
#include "edgecache/policy.h"

#include <QHash>
#include <memory>
#include <mutex>
#include <optional>

namespace rs::edgecache {

class DiskTier {
 public:
  DiskTier(QString dir, qint64 maxBytes, std::unique_ptr<EvictionPolicy> policy);
  ~DiskTier();

  // Creates the directories, empties tmp/, indexes objects/ (dropping files whose
  // length disagrees with their header, and evicting down to maxBytes if the limit
  // shrank). Counts what it dropped in `dropped`.
  Status open(int *dropped = nullptr);

  struct Hit {
    ObjectMeta meta;
    http::FileBody body;  // the open file, offset at the first body byte, length = size
  };
  // A verified object, or nothing (absent, or it failed its check and was deleted).
  // Touches the policy.
  std::optional<Hit> lookup(const QString &key);
  bool contains(const QString &key) const;
  // Writes the object (tmp + fsync + rename), evicting others so the tier never
  // exceeds maxBytes, also while the write is in progress. An error (ENOSPC, EFBIG,
  // EIO) leaves the tier as it was and is returned.
  Status insert(const ObjectMeta &meta, const QByteArray &body);
  bool remove(const QString &key);
  int removePrefix(const QString &prefix);

  qint64 bytes() const;  // sum of object file sizes (header included)
  qint64 maxBytes() const { return maxBytes_; }
  qsizetype objects() const;
  quint64 evictions() const;
  quint64 writeErrors() const;
  QStringList keys() const;
  QString directory() const { return dir_; }
  // The object file a key is stored in (for tests and tools).
  QString pathFor(const QString &key) const;

 private:
  struct Entry {
    qint64 fileBytes = 0;
    bool verified = false;
  };
  // Under mutex_: drop an entry the policy chose (counted), or one that failed its
  // check or was purged (the policy is told).
  void evictLocked(const QString &key);
  void discardLocked(const QString &key, bool unlinkFile);

  const QString dir_;
  const qint64 maxBytes_;
  mutable std::mutex mutex_;
  std::unique_ptr<EvictionPolicy> policy_;
  QHash<QString, Entry> index_;
  qint64 bytes_ = 0;
  qint64 reserved_ = 0;  // bytes of writes in progress: bytes_ + reserved_ <= maxBytes_
  quint64 evictions_ = 0, writeErrors_ = 0;
};

}  // namespace rs::edgecache
