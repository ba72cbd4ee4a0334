#pragma once
// Virtual time: a discrete-event queue. run() pops events in (time, insertion) order
// and jumps the clock to each one; nothing sleeps, so a simulation's speed is its
// computation. Deterministic: the same events in give the same order out.

#include "player/engine/clock.h"

#include <queue>
#include <vector>

namespace rs::player {

class VirtualClock final : public Clock {
 public:
  double now() const override { return now_; }
  TimerId at(double when, std::function<void()> fn) override;
  void cancel(TimerId id) override;

  // Runs events until none is left, stop() is called, or the clock passes `until`.
  void run(double until = 1e18);
  void stop() { stopped_ = true; }
  std::uint64_t eventsRun() const { return eventsRun_; }

 private:
  // Callbacks live in reusable slots; a timer id is its slot and the slot's use count,
  // so cancelling is an index, not a hash lookup (a session runs thousands of timers).
  struct Slot {
    std::function<void()> fn;
    std::uint32_t generation = 0;
  };
  struct Event {
    double when;
    std::uint64_t seq;
    std::uint32_t slot, generation;
    bool operator>(const Event &o) const { return when != o.when ? when > o.when : seq > o.seq; }
  };
  std::priority_queue<Event, std::vector<Event>, std::greater<Event>> queue_;
  std::vector<Slot> slots_;
  std::vector<std::uint32_t> free_;
  double now_ = 0;
  std::uint64_t seq_ = 0;
  std::uint64_t eventsRun_ = 0;
  bool stopped_ = false;
};

}  // namespace rs::player
