#pragma once
// Time for the playback engine: a real clock for live sessions and a virtual one for
// trace simulation, so the same engine code runs in both and a simulated ten-minute
// session takes milliseconds.

#include <cstdint>
#include <functional>

namespace rs::player {

class Clock {
 public:
  using TimerId = std::uint64_t;
  virtual ~Clock() = default;
  // Seconds since the clock started.
  virtual double now() const = 0;
  // Runs `fn` at `when` (at once, from the event loop, if that is past). Ids are never 0.
  virtual TimerId at(double when, std::function<void()> fn) = 0;
  virtual void cancel(TimerId id) = 0;
  TimerId after(double seconds, std::function<void()> fn) { return at(now() + seconds, std::move(fn)); }
};

// A timer slot: cancels what it holds when set again or destroyed.
class TimerSlot {
 public:
  explicit TimerSlot(Clock &clock) : clock_(clock) {}
  ~TimerSlot() { clear(); }
  TimerSlot(const TimerSlot &) = delete;
  TimerSlot &operator=(const TimerSlot &) = delete;
  void at(double when, std::function<void()> fn) {
    clear();
    id_ = clock_.at(when, [this, fn = std::move(fn)] {
      id_ = 0;
      fn();
    });
  }
  void after(double seconds, std::function<void()> fn) { at(clock_.now() + seconds, std::move(fn)); }
  void clear() {
    if (id_) clock_.cancel(id_);
    id_ = 0;
  }
  bool active() const { return id_ != 0; }

 private:
  Clock &clock_;
  Clock::TimerId id_ = 0;
};

}  // namespace rs::player
