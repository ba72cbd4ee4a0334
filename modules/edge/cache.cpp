#include "edge/cache.h"

#include "edge/edgelog.h"
#include "edge/fetch.h"

#include <QDateTime>
#include <QSet>
#include <unistd.h>

namespace rs::edge {

namespace {
// Disk hits up to this size are copied into the memory tier: manifests, playlists and
// init segments are asked for constantly; a 2 MiB segment is cheaper from the page
// cache with sendfile than churning the memory tier.
constexpr qint64 kPromoteMaxBytes = 1 << 20;
// Bodies waiting for the disk writer; beyond this an object stays in memory only
// rather than memory growing without bound behind a slow disk.
constexpr qint64 kDiskQueueMaxBytes = qint64(256) << 20;
constexpr int kNegativeMaxEntries = 100000;
}  // namespace

Cache::Cache(Options options) : options_(std::move(options)) {
  memory_ = std::make_unique<edgecache::MemoryTier>(options_.memoryMaxBytes, options_.memoryObjectMaxBytes,
                                                    edgecache::makePolicy(options_.policy));
  if (options_.diskMaxBytes > 0)
    disk_ = std::make_unique<edgecache::DiskTier>(options_.diskDir, options_.diskMaxBytes, edgecache::makePolicy(options_.policy));
  admission_ = edgecache::makeAdmission(options_.admission);
  diskWriter_.setMaxThreadCount(1);
  diskWriter_.setObjectName(QStringLiteral("edge-disk"));
}

Cache::~Cache() { close(); }

Status Cache::open() {
  if (!disk_) return Status::ok();
  int dropped = 0;
  RS_RETURN_IF_ERROR(disk_->open(&dropped));
  qCInfo(lcEdge).noquote() << "disk tier" << options_.diskDir << "holds" << disk_->objects() << "objects,"
                                << disk_->bytes() << "of" << disk_->maxBytes() << "bytes";
  if (dropped > 0) qCWarning(lcEdge).noquote() << "dropped" << dropped << "incomplete object files";
  return Status::ok();
}

void Cache::close() { diskWriter_.waitForDone(); }

Cache::Found Cache::lookup(const QString &key, qint64 nowMs) {
  Found f;
  if (options_.negativeTtlMs > 0) {
    std::lock_guard lock(negativeMutex_);
    auto it = negative_.find(key);
    if (it != negative_.end()) {
      if (it.value() > nowMs) {
        f.kind = Found::Kind::Negative;
        return f;
      }
      negative_.erase(it);
    }
  }
  if (auto m = memory_->lookup(key)) {
    f.kind = Found::Kind::Memory;
    f.meta = m->meta;
    f.memory = std::move(m);
    f.fresh = f.meta.expiresMs > nowMs;
    return f;
  }
  if (!disk_) return f;
  auto hit = disk_->lookup(key);
  if (!hit) return f;
  f.kind = Found::Kind::Disk;
  f.meta = hit->meta;
  f.fresh = f.meta.expiresMs > nowMs;
  if (f.meta.size <= qMin(kPromoteMaxBytes, options_.memoryObjectMaxBytes)) {
    QByteArray body(f.meta.size, Qt::Uninitialized);
    const ssize_t n = f.meta.size == 0 ? 0 : ::pread(hit->body.file->fd(), body.data(), size_t(f.meta.size), hit->body.offset);
    if (n == f.meta.size) {
      auto object = std::make_shared<edgecache::MemoryObject>(edgecache::MemoryObject{f.meta, body});
      memory_->insert(object);
      f.memory = std::move(object);
      return f;
    }
  }
  f.file = hit->body;
  return f;
}

Cache::Joined Cache::join(const QString &key, bool prefetch, quint64 epochSeen) {
  std::lock_guard lock(mutex_);
  if (auto it = inFlight_.find(key); it != inFlight_.end()) {
    const std::shared_ptr<Fetch> &f = it.value();
    // A finished no-store (or purged) response belongs to its own waiters only; anyone
    // later fetches anew (the old fetch's forget() leaves the new entry alone).
    if (f->state() != Fetch::State::Complete || f->reusable()) {
      if (prefetch) f->forceDisk();
      return {f, false};
    }
  }
  if (epoch_.load(std::memory_order_relaxed) != epochSeen) return {};
  auto fetch = std::make_shared<Fetch>(key, prefetch);
  inFlight_[key] = fetch;
  return {fetch, true};
}

void Cache::forget(const std::shared_ptr<Fetch> &fetch) {
  std::lock_guard lock(mutex_);
  auto it = inFlight_.find(fetch->key());
  if (it != inFlight_.end() && it.value() == fetch) inFlight_.erase(it);
  epoch_.fetch_add(1, std::memory_order_release);
}

void Cache::completed(const std::shared_ptr<Fetch> &fetch) {
  const edgecache::ObjectMeta meta = fetch->meta();
  if (!fetch->reusable()) {
    // An older copy must not outlive an answer that says "do not keep this".
    if (!fetch->dropped()) {
      memory_->remove(meta.key);
      if (disk_) disk_->remove(meta.key);
    }
    forget(fetch);
    return;
  }
  const QByteArray body = fetch->body();
  const bool inMemory = memory_->insert(std::make_shared<edgecache::MemoryObject>(edgecache::MemoryObject{meta, body}));
  if (disk_ && (fetch->diskForced() || admission_->admit(meta.key, meta.size))) {
    // An object too large for memory stays joinable until its file is in place, so it
    // is never fetched twice while being written (its body is held by the write queue,
    // bounded by kDiskQueueMaxBytes, anyway). Anything the memory tier took is answered
    // from there: a finished fetch must not become a cache outside the tiers' limits.
    writeToDisk(meta, body, fetch);  // (forgetting twice is harmless; a purge still stops the write)
    if (inMemory) forget(fetch);
    return;
  }
  forget(fetch);
}

void Cache::failing(const std::shared_ptr<Fetch> &fetch, const Status &why) {
  forget(fetch);
  if (why.code() != ErrorCode::NotFound || fetch->dropped()) return;
  // The upstream says the object is gone: so are our copies.
  memory_->remove(fetch->key());
  if (disk_) disk_->remove(fetch->key());
  if (options_.negativeTtlMs <= 0) return;
  std::lock_guard lock(negativeMutex_);
  const qint64 now = QDateTime::currentMSecsSinceEpoch();
  if (negative_.size() >= kNegativeMaxEntries) {
    for (auto it = negative_.begin(); it != negative_.end();) it = it.value() <= now ? negative_.erase(it) : std::next(it);
    if (negative_.size() >= kNegativeMaxEntries) negative_.clear();
  }
  negative_.insert(fetch->key(), now + options_.negativeTtlMs);
}

void Cache::writeToDisk(edgecache::ObjectMeta meta, QByteArray body, std::shared_ptr<Fetch> thenForget) {
  const qint64 size = body.size();
  if (diskQueuedBytes_.fetch_add(size) + size > kDiskQueueMaxBytes) {
    diskQueuedBytes_.fetch_sub(size);
    qCWarning(lcEdge).noquote() << "disk writes are behind; keeping" << meta.key << "in memory only";
    if (thenForget) forget(thenForget);
    return;
  }
  diskWriter_.start([this, meta = std::move(meta), body = std::move(body), fetch = std::move(thenForget), size] {
    if (!fetch || !fetch->dropped()) {  // purged while waiting: leave it out
      const Status s = disk_->insert(meta, body);
      if (!s.isOk()) qCWarning(lcEdge).noquote() << "not stored on disk:" << meta.key << s.message();
    }
    diskQueuedBytes_.fetch_sub(size);
    if (fetch) forget(fetch);
  });
}

void Cache::keepOnDisk(const std::shared_ptr<const edgecache::MemoryObject> &object) {
  if (!disk_ || !object || disk_->contains(object->meta.key)) return;
  writeToDisk(object->meta, object->body, nullptr);
}

QByteArray Cache::readBody(const Found &found) {
  if (found.memory) return found.memory->body;
  if (!found.file || found.file->length > kPromoteMaxBytes * 16) return {};
  QByteArray body(found.file->length, Qt::Uninitialized);
  const ssize_t n = ::pread(found.file->file->fd(), body.data(), size_t(body.size()), found.file->offset);
  return n == body.size() ? body : QByteArray();
}

int Cache::purge(const QString &prefix) {
  QSet<QString> keys;
  for (const QString &k : memory_->keys())
    if (k.startsWith(prefix)) keys.insert(k);
  if (disk_)
    for (const QString &k : disk_->keys())
      if (k.startsWith(prefix)) keys.insert(k);
  for (const QString &k : keys) {
    memory_->remove(k);
    if (disk_) disk_->remove(k);
  }
  {
    std::lock_guard lock(mutex_);
    for (auto it = inFlight_.cbegin(); it != inFlight_.cend(); ++it)
      if (it.key().startsWith(prefix)) it.value()->dropWhenDone();
  }
  {
    std::lock_guard lock(negativeMutex_);
    for (auto it = negative_.begin(); it != negative_.end();) it = it.key().startsWith(prefix) ? negative_.erase(it) : std::next(it);
  }
  return int(keys.size());
}

int Cache::inFlight() const {
  std::lock_guard lock(mutex_);
  int n = 0;
  for (const auto &f : inFlight_) {
    const Fetch::State s = f->state();
    if (s == Fetch::State::Waiting || s == Fetch::State::Streaming) ++n;
  }
  return n;
}

QStringList Cache::titles(int max) const {
  QSet<QString> ids;
  auto add = [&](const QStringList &keys) {
    for (const QString &k : keys) {
      if (!k.startsWith(QLatin1String("/media/"))) continue;
      const qsizetype end = k.indexOf(QLatin1Char('/'), 7);
      if (end > 7) ids.insert(k.mid(7, end - 7));
    }
  };
  add(memory_->keys());
  if (disk_) add(disk_->keys());
  QStringList out(ids.begin(), ids.end());
  out.sort();
  if (out.size() > max) out.resize(max);
  return out;
}

}  // namespace rs::edge
