#pragma once
// Virtual time: a discrete-event queue. run() pops events in (time, insertion) order
// and jumps the clock to each one; nothing sleeps, so a simulation's speed is its
// computation. Deterministic: the same events in give the same order out.

#include "player/engine/clock.h"

#include <queue>
#include <unordered_map>
#include <vector>

namespace rs::player {

class VirtualClock final : public Clock {
 public:
  double now() const override { return now_; }
  TimerId at(double when, std::function<void()> fn) override;
  void cancel(TimerId id) override { pending_.erase(id); }

  // Runs events until none is left, stop() is called, or the clock passes `until`.
  void run(double until = 1e18);
  void stop() { stopped_ = true; }
  std::uint64_t eventsRun() const { return eventsRun_; }

 private:
  struct Event {
    double when;
    std::uint64_t seq;  // also the timer id
    bool operator>(const Event &o) const { return when != o.when ? when > o.when : seq > o.seq; }
  };
  std::priority_queue<Event, std::vector<Event>, std::greater<Event>> queue_;
  std::unordered_map<TimerId, std::function<void()>> pending_;
  double now_ = 0;
  std::uint64_t next_ = 1;
  std::uint64_t eventsRun_ = 0;
  bool stopped_ = false;
};

}  // namespace rs::player
