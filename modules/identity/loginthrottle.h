#pragma once
// Failed logins back off, per client address and per account, so a password cannot
// be guessed at network speed; refused attempts do not count (an attacker cannot push
// the wait out forever), a success clears both, and an address an account logged in
// from before is not held back by that account's backoff, so a flood of guesses from
// elsewhere never locks the real user out. In memory: a restart forgets it all.

#include <QHash>
#include <QMutex>
#include <QString>

namespace rs::identity {

class LoginThrottle {
 public:
  struct Options {
    int freeAddressFailures = 5;    // then 1 s, 2 s, 4 s … per further failure
    int freeAccountFailures = 10;
    qint64 addressMaxMs = 900'000;  // --login-backoff-max
    qint64 accountMaxMs = 60'000;   // at most addressMaxMs
  };
  explicit LoginThrottle(Options o);

  // 0 when this attempt may be tried now, else how long (ms) to wait.
  qint64 retryAfterMs(const QString &account, const QString &address, qint64 nowMs);
  void failed(const QString &account, const QString &address, qint64 nowMs);
  void succeeded(const QString &account, const QString &address, qint64 nowMs);

 private:
  struct Entry {
    int failures = 0;
    qint64 notBeforeMs = 0;
    qint64 lastMs = 0;
  };
  static void fail(Entry &e, int free, qint64 maxMs, qint64 nowMs);
  void trim(qint64 nowMs);

  const Options o_;
  QMutex mutex_;
  QHash<QString, Entry> addresses_;
  QHash<QString, Entry> accounts_;
  QHash<QString, qint64> known_;  // "account\naddress" → last success
};

}  // namespace rs::identity
