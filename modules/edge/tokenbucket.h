#pragma once
// Bytes per second with a one-second burst. Spending may go into debt (an object is
// fetched whole); the next one waits until the debt is paid back.

#include <QElapsedTimer>
#include <QtGlobal>

namespace rs::edge {

class TokenBucket {
 public:
  explicit TokenBucket(double bytesPerSecond) : rate_(bytesPerSecond), tokens_(bytesPerSecond) { clock_.start(); }

  void spend(qint64 bytes) {
    refill();
    tokens_ -= double(bytes);
  }
  // Milliseconds until the balance is back to zero; 0 when there is credit now.
  int waitMs() {
    refill();
    return tokens_ >= 0 ? 0 : int(-tokens_ / rate_ * 1000.0) + 1;
  }

 private:
  void refill() {
    const qint64 ns = clock_.nsecsElapsed();
    tokens_ = qMin(rate_, tokens_ + double(ns - lastNs_) / 1e9 * rate_);
    lastNs_ = ns;
  }
  const double rate_;
  double tokens_;
  QElapsedTimer clock_;
  qint64 lastNs_ = 0;
};

}  // namespace rs::edge
