#pragma once
// One upstream download of one key, shared by every request that wants it (coalescing)
// and readable while it is written (read-while-writer): each waiting connection sends
// the bytes already here and asks notify() to wake it for more. With a Content-Length
// the whole body is allocated up front, so data pointers stay valid while bytes arrive
// and the finished buffer becomes the cached body without a copy.
// Thread-safe: the fetcher thread writes, connections on worker threads read.

#include "core/http/response.h"
#include "core/status.h"
#include "edgecache/cachedobject.h"

#include <QByteArray>
#include <QUrl>
#include <atomic>
#include <functional>
#include <mutex>
#include <vector>

namespace rs::edge {

class Fetch final : public http::BodySource {
 public:
  enum class State { Waiting, Streaming, Complete, Failed };

  Fetch(QString key, bool prefetch);

  const QString &key() const { return key_; }
  bool startedByPrefetch() const { return prefetch_; }
  // Prefetched objects go to disk whatever admission says; a client's fetch that a
  // prefetch joins gets the same treatment.
  void forceDisk() { forceDisk_ = true; }
  bool diskForced() const { return forceDisk_; }
  // Purged while in flight: waiters are still served, nothing is stored.
  void dropWhenDone() { drop_ = true; }
  bool dropped() const { return drop_; }
  // The upstream allows keeping the response (no no-store/private); set before begin().
  void setStorable(bool storable) { storable_ = storable; }
  // A finished fetch that may be handed to requests other than its waiters.
  bool reusable() const { return storable_ && !drop_; }

  // ---- Writer side (the fetcher thread) ----
  // The upstream's head: a 200 with the headers to keep. contentLength < 0: unknown
  // (chunked), the body grows and readers wait for the end.
  void begin(edgecache::ObjectMeta meta, qint64 contentLength, QByteArray upstreamXCache, QUrl upstream);
  // Room for the next bytes (contentLength known) or null (unknown: use append).
  char *writeArea(qint64 *room);
  void commit(qint64 n);                     // n bytes were written into writeArea; the last completes
  void append(const char *data, qint64 n);   // copies
  qint64 received() const { return received_; }
  // Ends the body (with a Content-Length, the last commit already did). Fails instead
  // when fewer bytes than the Content-Length arrived.
  void complete();
  void fail(const Status &why);

  // ---- Reader side (any thread) ----
  State state() const;
  bool headKnown() const;  // begin() ran
  edgecache::ObjectMeta meta() const;  // size = Content-Length, or final size once complete
  qint64 contentLength() const;         // -1 while unknown
  QByteArray upstreamXCache() const;
  QUrl upstream() const;
  Status failure() const;
  QByteArray body() const;  // the complete body (shares the buffer); empty before

  // Runs fn once when a response can start: the head with a known length is here, or
  // the fetch completed or failed. At once (on the caller's thread) if already so;
  // otherwise on the fetcher thread.
  void onReady(std::function<void()> fn);
  // Runs fn once the fetch completed or failed.
  void onDone(std::function<void()> fn);

  View view(qint64 offset, qint64 max) const override;
  void notify(qint64 offset, std::function<void()> wake) override;

 private:
  struct Waiter {
    qint64 offset;
    std::function<void()> wake;
  };
  bool readyLocked() const;
  void wakeAvailable();
  void fireAll(std::unique_lock<std::mutex> &lock);

  const QString key_;
  const bool prefetch_;
  std::atomic<bool> forceDisk_{false}, drop_{false}, storable_{true};

  mutable std::mutex mutex_;
  State state_ = State::Waiting;
  bool headKnown_ = false;
  edgecache::ObjectMeta meta_;
  qint64 contentLength_ = -1;
  QByteArray upstreamXCache_;
  QUrl upstream_;
  Status failure_;
  QByteArray buffer_;
  std::vector<Waiter> waiters_;
  std::vector<std::function<void()>> onReady_, onDone_;

  // Lock-free for view(): data_ is published before available_ grows past 0.
  std::atomic<const char *> data_{nullptr};
  std::atomic<qint64> available_{0};
  std::atomic<bool> failed_{false};
  std::atomic<bool> complete_{false};  // nothing past available_ will ever come
  char *write_ = nullptr;  // writer only
  qint64 received_ = 0;    // writer only
};

}  // namespace rs::edge
