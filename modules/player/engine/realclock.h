#pragma once
// Wall-clock time on the Qt event loop of the thread that owns it (monotonic, from
// construction), for live sessions.

#include "player/engine/clock.h"

#include <QElapsedTimer>
#include <QObject>
#include <unordered_map>

class QTimer;

namespace rs::player {

class RealClock final : public QObject, public Clock {
  Q_OBJECT
 public:
  explicit RealClock(QObject *parent = nullptr);
  ~RealClock() override;
  double now() const override { return double(elapsed_.nsecsElapsed()) / 1e9; }
  TimerId at(double when, std::function<void()> fn) override;
  void cancel(TimerId id) override;

 private:
  QElapsedTimer elapsed_;
  std::unordered_map<TimerId, QTimer *> timers_;
  TimerId next_ = 1;
};

}  // namespace rs::player
