// SIEVE (Zhang et al., NSDI '24): one FIFO queue, a visited bit per object and a
// hand. New objects enter at the head and are never moved; a hit only sets the
// bit. Eviction walks the hand from the tail towards the head, clearing bits, and
// evicts the first object found unvisited; the hand stays there for the next
// eviction and wraps to the tail after passing the head. Keeping survivors in place
// (instead of moving them to the head like LRU or CLOCK's reinsertion) is what lets
// new objects sitting near the head be evicted quickly: "lazy promotion, quick
// demotion".

#include "edgecache/policies.h"

#include <QHash>
#include <list>

namespace rs::edgecache {
namespace {

class SievePolicy final : public EvictionPolicy {
 public:
  QString name() const override { return QStringLiteral("sieve"); }

  void insert(const QString &key, qint64) override {
    if (auto it = pos_.find(key); it != pos_.end()) {
      it.value()->visited = true;
      return;
    }
    queue_.push_front(Node{key, false});
    pos_.insert(key, queue_.begin());
  }

  void touch(const QString &key) override {
    auto it = pos_.find(key);
    if (it != pos_.end()) it.value()->visited = true;
  }

  void remove(const QString &key) override {
    auto it = pos_.find(key);
    if (it == pos_.end()) return;
    if (hand_ == it.value()) hand_ = towardsHead(hand_);
    queue_.erase(it.value());
    pos_.erase(it);
  }

  QString evict() override {
    if (queue_.empty()) return {};
    auto obj = hand_ != queue_.end() ? hand_ : std::prev(queue_.end());
    while (obj->visited) {
      obj->visited = false;
      obj = towardsHead(obj);
      if (obj == queue_.end()) obj = std::prev(queue_.end());  // wrap to the tail
    }
    hand_ = towardsHead(obj);
    QString key = std::move(obj->key);
    queue_.erase(obj);
    pos_.remove(key);
    return key;
  }

  qsizetype size() const override { return pos_.size(); }

 private:
  struct Node {
    QString key;
    bool visited;
  };
  using Iter = std::list<Node>::iterator;

  // The next object towards the head (newer), or end() when `it` is the head.
  Iter towardsHead(Iter it) { return it == queue_.begin() ? queue_.end() : std::prev(it); }

  std::list<Node> queue_;  // front = head (newest), back = tail (oldest)
  QHash<QString, Iter> pos_;
  Iter hand_ = queue_.end();  // end(): start at the tail
};

}  // namespace

std::unique_ptr<EvictionPolicy> makeSievePolicy() { return std::make_unique<SievePolicy>(); }

}  // namespace rs::edgecache
