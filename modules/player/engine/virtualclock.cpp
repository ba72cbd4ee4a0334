#include "player/engine/virtualclock.h"

namespace rs::player {

Clock::TimerId VirtualClock::at(double when, std::function<void()> fn) {
  const TimerId id = next_++;
  queue_.push({when < now_ ? now_ : when, id});
  pending_.emplace(id, std::move(fn));
  return id;
}

void VirtualClock::run(double until) {
  stopped_ = false;
  while (!stopped_ && !queue_.empty()) {
    const Event e = queue_.top();
    if (e.when > until) break;
    queue_.pop();
    auto it = pending_.find(e.seq);
    if (it == pending_.end()) continue;  // cancelled
    std::function<void()> fn = std::move(it->second);
    pending_.erase(it);
    now_ = e.when;
    ++eventsRun_;
    fn();
  }
}

}  // namespace rs::player
