#include "player/engine/realclock.h"

#include <QTimer>
#include <cmath>

namespace rs::player {

RealClock::RealClock(QObject *parent) : QObject(parent) { elapsed_.start(); }

RealClock::~RealClock() {
  for (auto &[id, t] : timers_) delete t;
}

Clock::TimerId RealClock::at(double when, std::function<void()> fn) {
  const TimerId id = next_++;
  auto *t = new QTimer(this);
  t->setSingleShot(true);
  // Precise: a coarse timer may fire 5 % late, which the buffer model would see as
  // playback running slow.
  t->setTimerType(Qt::PreciseTimer);
  const double ms = std::max(0.0, (when - now()) * 1000.0);
  connect(t, &QTimer::timeout, this, [this, id, fn = std::move(fn)] {
    auto it = timers_.find(id);
    if (it == timers_.end()) return;
    it->second->deleteLater();
    timers_.erase(it);
    fn();
  });
  timers_.emplace(id, t);
  t->start(int(std::ceil(std::min(ms, 2.0e9))));
  return id;
}

void RealClock::cancel(TimerId id) {
  auto it = timers_.find(id);
  if (it == timers_.end()) return;
  it->second->stop();
  it->second->deleteLater();
  timers_.erase(it);
}

}  // namespace rs::player
