#pragma once
// The edge's object store around the two tiers: where a key is looked up (negative
// cache → memory → disk, small disk objects promoted to memory), the map of fetches in
// flight that concurrent misses join, and what happens when a fetch ends (memory
// always, disk when admission admits or a prefetch asked; a 404 remembered for a while;
// no-store never kept). Thread-safe.

#include "core/status.h"
#include "edgecache/admission.h"
#include "edgecache/disktier.h"
#include "edgecache/memorytier.h"

#include <QHash>
#include <QThreadPool>
#include <atomic>
#include <memory>
#include <mutex>
#include <optional>

namespace rs::edge {

class Fetch;

class Cache {
 public:
  struct Options {
    qint64 memoryMaxBytes = 0;
    qint64 memoryObjectMaxBytes = 0;
    qint64 diskMaxBytes = 0;  // 0: no disk tier
    QString diskDir;          // <data-dir>/edge/cache
    QString policy;
    QString admission;
    int negativeTtlMs = 5000;
  };
  explicit Cache(Options options);
  ~Cache();

  Status open();  // the disk tier: directories, index
  void close();   // waits for disk writes under way

  struct Found {
    enum class Kind { None, Negative, Memory, Disk } kind = Kind::None;
    edgecache::ObjectMeta meta;
    bool fresh = false;
    // The body: in memory (a memory hit, or a small disk hit promoted), or on disk.
    std::shared_ptr<const edgecache::MemoryObject> memory;
    std::optional<http::FileBody> file;
  };
  Found lookup(const QString &key, qint64 nowMs);

  // Counts every change to the in-flight map; read it before lookup() and hand it to
  // join(), so a fetch that ended in between is noticed.
  quint64 epoch() const { return epoch_.load(std::memory_order_acquire); }
  struct Joined {
    std::shared_ptr<Fetch> fetch;  // null: the object was stored meanwhile, look again
    bool created = false;          // a new fetch: the caller starts it
  };
  Joined join(const QString &key, bool prefetch, quint64 epochSeen);

  // The fetcher's hooks.
  void completed(const std::shared_ptr<Fetch> &fetch);
  void failing(const std::shared_ptr<Fetch> &fetch, const Status &why);

  // Every client request of a key, for second-hit admission.
  void recordRequest(const QString &key) { admission_->recordRequest(key); }
  // A prefetch found the object in memory only: it belongs on disk too.
  void keepOnDisk(const std::shared_ptr<const edgecache::MemoryObject> &object);
  bool onDisk(const QString &key) const { return disk_ && disk_->contains(key); }
  // The whole body of a found object (prefetch reads playlists through this).
  static QByteArray readBody(const Found &found);

  int purge(const QString &prefix);

  edgecache::MemoryTier &memory() { return *memory_; }
  const edgecache::MemoryTier &memory() const { return *memory_; }
  edgecache::DiskTier *disk() const { return disk_.get(); }
  qint64 diskMaxBytes() const { return options_.diskMaxBytes; }
  int inFlight() const;
  QString policyName() const { return options_.policy; }
  QString admissionName() const { return admission_->name(); }
  // Titles ("t_…" of "/media/t_…/…") with any object in either tier, sorted.
  QStringList titles(int max) const;

 private:
  void forget(const std::shared_ptr<Fetch> &fetch);
  void writeToDisk(edgecache::ObjectMeta meta, QByteArray body, std::shared_ptr<Fetch> thenForget);

  const Options options_;
  std::unique_ptr<edgecache::MemoryTier> memory_;
  std::unique_ptr<edgecache::DiskTier> disk_;
  std::unique_ptr<edgecache::Admission> admission_;

  mutable std::mutex mutex_;  // inFlight_ and epoch_ changes
  QHash<QString, std::shared_ptr<Fetch>> inFlight_;
  std::atomic<quint64> epoch_{0};

  mutable std::mutex negativeMutex_;
  QHash<QString, qint64> negative_;  // key → remembered until (wall clock ms)

  QThreadPool diskWriter_;
  std::atomic<qint64> diskQueuedBytes_{0};
};

}  // namespace rs::edge
