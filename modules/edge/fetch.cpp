#include "edge/fetch.h"

#include <cstring>

namespace rs::edge {

Fetch::Fetch(QString key, bool prefetch) : key_(std::move(key)), prefetch_(prefetch), forceDisk_(prefetch) {}

void Fetch::begin(edgecache::ObjectMeta meta, qint64 contentLength, QByteArray upstreamXCache, QUrl upstream) {
  std::unique_lock lock(mutex_);
  if (state_ != State::Waiting) return;
  meta_ = std::move(meta);
  meta_.key = key_;
  contentLength_ = contentLength;
  upstreamXCache_ = std::move(upstreamXCache);
  upstream_ = std::move(upstream);
  if (contentLength >= 0) {
    meta_.size = contentLength;
    buffer_ = QByteArray(contentLength, Qt::Uninitialized);
    write_ = buffer_.data();
    data_.store(buffer_.constData(), std::memory_order_release);
  }
  headKnown_ = true;
  state_ = State::Streaming;
  if (!readyLocked()) return;
  std::vector<std::function<void()>> ready;
  ready.swap(onReady_);
  lock.unlock();
  for (auto &fn : ready) fn();
}

char *Fetch::writeArea(qint64 *room) {
  if (contentLength_ < 0 || !write_) {
    *room = 0;
    return nullptr;
  }
  *room = contentLength_ - received_;
  return write_ + received_;
}

void Fetch::commit(qint64 n) {
  if (n <= 0) return;
  received_ += n;
  // The last byte completes the fetch before any reader can see it, so a client that
  // has read the whole body never finds the fetch still "in flight" (a MISS) after.
  if (contentLength_ >= 0 && received_ >= contentLength_) {
    complete();
    return;
  }
  available_.store(received_, std::memory_order_release);
  wakeAvailable();
}

void Fetch::append(const char *data, qint64 n) {
  if (n <= 0) return;
  if (contentLength_ >= 0) {
    qint64 room = 0;
    char *to = writeArea(&room);
    const qint64 take = qMin(room, n);
    if (take > 0) {
      std::memcpy(to, data, size_t(take));
      commit(take);
    }
    return;
  }
  // Unknown length: readers start only once it is complete, so the buffer may move.
  buffer_.append(data, n);
  received_ += n;
}

void Fetch::complete() {
  std::unique_lock lock(mutex_);
  if (state_ == State::Complete || state_ == State::Failed) return;
  if (!headKnown_ || (contentLength_ >= 0 && received_ != contentLength_)) {
    const QString why = QStringLiteral("upstream body ended after %1 of %2 bytes").arg(received_).arg(contentLength_);
    lock.unlock();
    fail(Status(ErrorCode::BadGateway, why));
    return;
  }
  if (contentLength_ < 0) {
    contentLength_ = received_;
    meta_.size = received_;
    data_.store(buffer_.constData(), std::memory_order_release);
  }
  write_ = nullptr;  // from here on the buffer is shared, never written
  state_ = State::Complete;
  // Bytes first, then "complete": view() reads in the other order, so a reader that
  // sees complete also sees every byte (else it would end a body early).
  available_.store(received_, std::memory_order_release);
  complete_.store(true, std::memory_order_release);
  fireAll(lock);
}

void Fetch::fail(const Status &why) {
  std::unique_lock lock(mutex_);
  if (state_ == State::Complete || state_ == State::Failed) return;
  state_ = State::Failed;
  failure_ = why;
  write_ = nullptr;
  failed_.store(true, std::memory_order_release);
  fireAll(lock);
}

void Fetch::fireAll(std::unique_lock<std::mutex> &lock) {
  std::vector<std::function<void()>> ready, done;
  std::vector<Waiter> waiters;
  ready.swap(onReady_);
  done.swap(onDone_);
  waiters.swap(waiters_);
  lock.unlock();
  for (auto &fn : ready) fn();
  for (Waiter &w : waiters) w.wake();
  for (auto &fn : done) fn();
}

void Fetch::wakeAvailable() {
  std::vector<Waiter> due;
  {
    std::lock_guard lock(mutex_);
    const qint64 avail = available_.load(std::memory_order_relaxed);
    auto keep = std::partition(waiters_.begin(), waiters_.end(), [avail](const Waiter &w) { return w.offset >= avail; });
    std::move(keep, waiters_.end(), std::back_inserter(due));
    waiters_.erase(keep, waiters_.end());
  }
  for (Waiter &w : due) w.wake();
}

bool Fetch::readyLocked() const {
  return state_ == State::Complete || state_ == State::Failed || (headKnown_ && contentLength_ >= 0);
}

Fetch::State Fetch::state() const {
  std::lock_guard lock(mutex_);
  return state_;
}

bool Fetch::headKnown() const {
  std::lock_guard lock(mutex_);
  return headKnown_;
}

edgecache::ObjectMeta Fetch::meta() const {
  std::lock_guard lock(mutex_);
  return meta_;
}

qint64 Fetch::contentLength() const {
  std::lock_guard lock(mutex_);
  return contentLength_;
}

QByteArray Fetch::upstreamXCache() const {
  std::lock_guard lock(mutex_);
  return upstreamXCache_;
}

QUrl Fetch::upstream() const {
  std::lock_guard lock(mutex_);
  return upstream_;
}

Status Fetch::failure() const {
  std::lock_guard lock(mutex_);
  return failure_;
}

QByteArray Fetch::body() const {
  std::lock_guard lock(mutex_);
  return state_ == State::Complete ? buffer_ : QByteArray();
}

void Fetch::onReady(std::function<void()> fn) {
  {
    std::lock_guard lock(mutex_);
    if (!readyLocked()) {
      onReady_.push_back(std::move(fn));
      return;
    }
  }
  fn();
}

void Fetch::onDone(std::function<void()> fn) {
  {
    std::lock_guard lock(mutex_);
    if (state_ != State::Complete && state_ != State::Failed) {
      onDone_.push_back(std::move(fn));
      return;
    }
  }
  fn();
}

http::BodySource::View Fetch::view(qint64 offset, qint64 max) const {
  // "complete" before the byte count (complete() stores them the other way round).
  const bool complete = complete_.load(std::memory_order_acquire);
  const qint64 avail = available_.load(std::memory_order_acquire);
  if (offset < avail) return {data_.load(std::memory_order_acquire) + offset, qMin(max, avail - offset), false};
  // Past the end of a complete body is as final as a failure: the reader must stop.
  if (complete || failed_.load(std::memory_order_acquire)) return {nullptr, 0, true};
  return {};
}

void Fetch::notify(qint64 offset, std::function<void()> wake) {
  {
    std::lock_guard lock(mutex_);
    // A complete fetch never grows again: wake at once rather than never.
    const bool now = offset < available_.load(std::memory_order_relaxed) || state_ == State::Failed ||
                     state_ == State::Complete;
    if (!now) {
      waiters_.push_back({offset, std::move(wake)});
      return;
    }
  }
  wake();
}

}  // namespace rs::edge
