#include "edgecache/admission.h"

#include <QHash>
#include <QList>
#include <algorithm>
#include <mutex>

namespace rs::edgecache {
namespace {

class AlwaysAdmission final : public Admission {
 public:
  QString name() const override { return QStringLiteral("always"); }
  void recordRequest(const QString &) override {}
  bool admit(const QString &, qint64) override { return true; }
};

// A doorkeeper: the last `memory` distinct keys requested, each with its request
// count. A ring of keys in arrival order bounds the memory; a key requested again
// keeps its place, so it is forgotten `memory` distinct keys after its first
// request — a one-hit wonder cannot stay in by being looked at once more and again.
class SecondHitAdmission final : public Admission {
 public:
  explicit SecondHitAdmission(int memory) : ring_(std::max(1, memory)) {}

  QString name() const override { return QStringLiteral("second-hit"); }

  void recordRequest(const QString &key) override {
    std::lock_guard lock(mutex_);
    if (auto it = counts_.find(key); it != counts_.end()) {
      if (it.value() < 2) ++it.value();
      return;
    }
    QString &slot = ring_[next_];
    if (filled_ == ring_.size()) counts_.remove(slot);
    else ++filled_;
    slot = key;
    counts_.insert(key, 1);
    next_ = (next_ + 1) % ring_.size();
  }

  bool admit(const QString &key, qint64) override {
    std::lock_guard lock(mutex_);
    return counts_.value(key, 0) >= 2;
  }

 private:
  std::mutex mutex_;
  QList<QString> ring_;
  qsizetype next_ = 0, filled_ = 0;
  QHash<QString, int> counts_;
};

}  // namespace

std::unique_ptr<Admission> makeAdmission(const QString &name, int memory) {
  if (name == u"always") return std::make_unique<AlwaysAdmission>();
  if (name == u"second-hit") return std::make_unique<SecondHitAdmission>(memory);
  return nullptr;
}

}  // namespace rs::edgecache
