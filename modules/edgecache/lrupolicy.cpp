// Least recently used: a list ordered by last access, most recent at the front.
// std::list + a hash of iterators gives O(1) touch (splice) and evict (back).

#include "edgecache/policies.h"

#include <QHash>
#include <list>

namespace rs::edgecache {
namespace {

class LruPolicy final : public EvictionPolicy {
 public:
  QString name() const override { return QStringLiteral("lru"); }

  void insert(const QString &key, qint64) override {
    if (auto it = pos_.find(key); it != pos_.end()) {
      order_.splice(order_.begin(), order_, it.value());
      return;
    }
    order_.push_front(key);
    pos_.insert(key, order_.begin());
  }

  void touch(const QString &key) override {
    auto it = pos_.find(key);
    if (it != pos_.end()) order_.splice(order_.begin(), order_, it.value());
  }

  void remove(const QString &key) override {
    auto it = pos_.find(key);
    if (it == pos_.end()) return;
    order_.erase(it.value());
    pos_.erase(it);
  }

  QString evict() override {
    if (order_.empty()) return {};
    QString key = std::move(order_.back());
    order_.pop_back();
    pos_.remove(key);
    return key;
  }

  qsizetype size() const override { return pos_.size(); }

 private:
  std::list<QString> order_;
  QHash<QString, std::list<QString>::iterator> pos_;
};

}  // namespace

std::unique_ptr<EvictionPolicy> makeLruPolicy() { return std::make_unique<LruPolicy>(); }

}  // namespace rs::edgecache
