#include "player/engine/virtualclock.h"

namespace rs::player {

Clock::TimerId VirtualClock::at(double when, std::function<void()> fn) {
  std::uint32_t slot;
  if (!free_.empty()) {
    slot = free_.back();
    free_.pop_back();
  } else {
    slot = std::uint32_t(slots_.size());
    slots_.emplace_back();
  }
  Slot &s = slots_[slot];
  s.fn = std::move(fn);
  ++s.generation;
  queue_.push({when < now_ ? now_ : when, seq_++, slot, s.generation});
  return (TimerId(s.generation) << 32) | (TimerId(slot) + 1);  // never 0
}

void VirtualClock::cancel(TimerId id) {
  const std::uint32_t slot = std::uint32_t(id & 0xffffffffu) - 1;
  const std::uint32_t generation = std::uint32_t(id >> 32);
  if (slot >= slots_.size() || slots_[slot].generation != generation || !slots_[slot].fn) return;
  slots_[slot].fn = nullptr;
  ++slots_[slot].generation;  // the queued event no longer matches
  free_.push_back(slot);
}

void VirtualClock::run(double until) {
  stopped_ = false;
  while (!stopped_ && !queue_.empty()) {
    const Event e = queue_.top();
    if (e.when > until) break;
    queue_.pop();
    Slot &s = slots_[e.slot];
    if (s.generation != e.generation || !s.fn) continue;  // cancelled
    std::function<void()> fn = std::move(s.fn);
    s.fn = nullptr;
    ++s.generation;
    free_.push_back(e.slot);
    now_ = e.when;
    ++eventsRun_;
    fn();
  }
}

}  // namespace rs::player
