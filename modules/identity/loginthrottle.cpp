#include "identity/loginthrottle.h"

#include <QMutexLocker>

namespace rs::identity {

namespace {
// Bounds on what an attacker can make us remember.
constexpr int kMaxEntries = 100'000;
constexpr qint64 kKnownForMs = 30LL * 24 * 3600 * 1000;
QString knownKey(const QString &account, const QString &address) { return account + QLatin1Char('\n') + address; }
}  // namespace

LoginThrottle::LoginThrottle(Options o) : o_(o) {}

void LoginThrottle::fail(Entry &e, int free, qint64 maxMs, qint64 nowMs) {
  ++e.failures;
  e.lastMs = nowMs;
  if (e.failures <= free) return;
  const int doublings = qMin(e.failures - free - 1, 30);
  e.notBeforeMs = nowMs + qMin<qint64>(maxMs, qint64(1000) << doublings);
}

qint64 LoginThrottle::retryAfterMs(const QString &account, const QString &address, qint64 nowMs) {
  QMutexLocker l(&mutex_);
  qint64 wait = 0;
  if (auto it = addresses_.constFind(address); it != addresses_.cend()) wait = qMax(wait, it->notBeforeMs - nowMs);
  const bool known = known_.value(knownKey(account, address), -kKnownForMs) > nowMs - kKnownForMs;
  if (!known) {
    if (auto it = accounts_.constFind(account); it != accounts_.cend()) wait = qMax(wait, it->notBeforeMs - nowMs);
  }
  return qMax<qint64>(0, wait);
}

void LoginThrottle::failed(const QString &account, const QString &address, qint64 nowMs) {
  QMutexLocker l(&mutex_);
  trim(nowMs);
  fail(addresses_[address], o_.freeAddressFailures, o_.addressMaxMs, nowMs);
  fail(accounts_[account], o_.freeAccountFailures, qMin(o_.accountMaxMs, o_.addressMaxMs), nowMs);
}

void LoginThrottle::succeeded(const QString &account, const QString &address, qint64 nowMs) {
  QMutexLocker l(&mutex_);
  addresses_.remove(address);
  accounts_.remove(account);
  known_.insert(knownKey(account, address), nowMs);
}

void LoginThrottle::trim(qint64 nowMs) {
  // Entries quiet for twice the longest wait are forgotten; when an attacker fills
  // the tables anyway, the oldest half goes.
  const qint64 quiet = 2 * o_.addressMaxMs;
  for (QHash<QString, Entry> *table : {&addresses_, &accounts_}) {
    if (table->size() < kMaxEntries) continue;
    for (auto it = table->begin(); it != table->end();) it = nowMs - it->lastMs > quiet ? table->erase(it) : std::next(it);
    if (table->size() >= kMaxEntries) {
      std::vector<qint64> ages;
      for (const Entry &e : *table) ages.push_back(e.lastMs);
      std::nth_element(ages.begin(), ages.begin() + ages.size() / 2, ages.end());
      const qint64 cut = ages[ages.size() / 2];
      for (auto it = table->begin(); it != table->end();) it = it->lastMs <= cut ? table->erase(it) : std::next(it);
    }
  }
  if (known_.size() >= kMaxEntries) {
    for (auto it = known_.begin(); it != known_.end();) it = *it < nowMs - kKnownForMs ? known_.erase(it) : std::next(it);
  }
}

}  // namespace rs::identity
