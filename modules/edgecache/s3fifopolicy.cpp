// S3-FIFO (Yang et al., SOSP '23): a small FIFO S (10 % of the cache), a main FIFO M
// (the other 90 %) and a ghost FIFO G of recently evicted keys. New keys enter S, or
// M when G remembers them. Most objects are requested once, so S filters them out
// after a short stay without ever touching M; an object hit while in S (the paper's
// and libCacheSim's threshold: freq > 1) is promoted to M, anything else leaves S
// for G. M is a CLOCK with a 2-bit counter: an object with freq > 0 is reinserted at
// the head with freq - 1.
//
// The shares are in bytes, not objects: the tiers are bounded in bytes and objects
// range from 2 KB playlists to multi-MB segments, so an object count would let a few
// large objects crowd S. The tier tells the policy its byte budget (setCapacity);
// without it the policy takes the bytes it currently holds as the budget. G is
// bounded like M (90 % of the budget, counting the sizes of the forgotten objects),
// as in libCacheSim's ghost-size-ratio, so it remembers about as many keys as M holds.
//
// evict() returns exactly one key; moving objects between queues on the way does not
// count. (The paper's evictS may evict from M while promoting and then still evict
// from S — two evictions per call; here the tier simply calls again if it needs to.)

#include "edgecache/policies.h"

#include <QHash>
#include <algorithm>
#include <list>

namespace rs::edgecache {
namespace {

class S3FifoPolicy final : public EvictionPolicy {
 public:
  QString name() const override { return QStringLiteral("s3fifo"); }

  void setCapacity(qint64 bytes) override { capacity_ = std::max<qint64>(0, bytes); }

  void insert(const QString &key, qint64 size) override {
    size = std::max<qint64>(0, size);
    if (auto it = pos_.find(key); it != pos_.end()) {
      bytesOf(it.value()->inMain) += size - it.value()->size;
      it.value()->size = size;
      touch(key);
      return;
    }
    bool toMain = false;
    if (auto g = ghostPos_.find(key); g != ghostPos_.end()) {
      ghostBytes_ -= g.value()->size;
      ghost_.erase(g.value());
      ghostPos_.erase(g);
      toMain = true;
    }
    auto &queue = toMain ? main_ : small_;
    queue.push_front(Node{key, size, 0, toMain});
    bytesOf(toMain) += size;
    pos_.insert(key, queue.begin());
  }

  void touch(const QString &key) override {
    auto it = pos_.find(key);
    if (it != pos_.end() && it.value()->freq < 3) ++it.value()->freq;
  }

  void remove(const QString &key) override {
    if (auto it = pos_.find(key); it != pos_.end()) {
      const Iter node = it.value();
      bytesOf(node->inMain) -= node->size;
      (node->inMain ? main_ : small_).erase(node);
      pos_.erase(it);
    } else if (auto g = ghostPos_.find(key); g != ghostPos_.end()) {
      ghostBytes_ -= g.value()->size;
      ghost_.erase(g.value());
      ghostPos_.erase(g);
    }
  }

  QString evict() override {
    for (;;) {
      if (small_.empty() && main_.empty()) return {};
      const qint64 budget = capacity_ > 0 ? capacity_ : smallBytes_ + mainBytes_;
      const qint64 mainTarget = budget - budget / 10;
      if (!main_.empty() && (mainBytes_ > mainTarget || small_.empty())) {
        const Iter tail = std::prev(main_.end());
        if (tail->freq > 0) {
          --tail->freq;
          main_.splice(main_.begin(), main_, tail);
          continue;
        }
        return drop(tail);
      }
      const Iter tail = std::prev(small_.end());
      if (tail->freq > 1) {
        tail->freq = 0;
        tail->inMain = true;
        smallBytes_ -= tail->size;
        mainBytes_ += tail->size;
        main_.splice(main_.begin(), small_, tail);
        continue;
      }
      remember(tail->key, tail->size, mainTarget);
      return drop(tail);
    }
  }

  qsizetype size() const override { return pos_.size(); }

 private:
  struct Node {
    QString key;
    qint64 size;
    quint8 freq;
    bool inMain;
  };
  using Iter = std::list<Node>::iterator;
  struct Ghost {
    QString key;
    qint64 size;
  };

  qint64 &bytesOf(bool inMain) { return inMain ? mainBytes_ : smallBytes_; }

  QString drop(Iter node) {
    QString key = std::move(node->key);
    bytesOf(node->inMain) -= node->size;
    (node->inMain ? main_ : small_).erase(node);
    pos_.remove(key);
    return key;
  }

  void remember(const QString &key, qint64 size, qint64 limit) {
    ghost_.push_front(Ghost{key, size});
    ghostPos_.insert(key, ghost_.begin());
    ghostBytes_ += size;
    // Also bounded in keys, as in the paper (as many as the cache holds): sizes
    // alone would let empty bodies pile up without limit.
    while (!ghost_.empty() && (ghostBytes_ > limit || qsizetype(ghost_.size()) > std::max<qsizetype>(pos_.size(), 1))) {
      ghostBytes_ -= ghost_.back().size;
      ghostPos_.remove(ghost_.back().key);
      ghost_.pop_back();
    }
  }

  // front = head (newest), back = tail (next to leave)
  std::list<Node> small_, main_;
  QHash<QString, Iter> pos_;
  std::list<Ghost> ghost_;
  QHash<QString, std::list<Ghost>::iterator> ghostPos_;
  qint64 capacity_ = 0, smallBytes_ = 0, mainBytes_ = 0, ghostBytes_ = 0;
};

}  // namespace

std::unique_ptr<EvictionPolicy> makeS3FifoPolicy() { return std::make_unique<S3FifoPolicy>(); }

}  // namespace rs::edgecache
