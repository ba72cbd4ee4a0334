#include "player/sim/simlink.h"

#include <algorithm>

namespace rs::player {

namespace {
constexpr double kDoneBytes = 1e-6;
}

SimLink::~SimLink() {
  if (timer_) clock_.cancel(timer_);
}

SimLink::Flow *SimLink::find(FlowId id) {
  for (Flow &f : flows_)
    if (f.id == id) return &f;
  return nullptr;
}

void SimLink::advance(double now) {
  if (now <= accountedTo_) return;
  int active = 0;
  for (const Flow &f : flows_) active += f.active;
  if (active > 0) {
    const double share = (trace_.bytesAt(now, &hint_) - trace_.bytesAt(accountedTo_, &hint_)) / active;
    for (Flow &f : flows_)
      if (f.active) f.remaining = std::max(0.0, f.remaining - share);
  }
  accountedTo_ = now;
}

SimLink::FlowId SimLink::open(double bytes, Done done) {
  const double now = clock_.now();
  advance(now);
  const FlowId id = next_++;
  flows_.push_back({id, bytes, bytes, now + rtt_, false, std::move(done)});
  reschedule();
  return id;
}

void SimLink::close(FlowId id) {
  advance(clock_.now());
  flows_.erase(std::remove_if(flows_.begin(), flows_.end(), [id](const Flow &f) { return f.id == id; }), flows_.end());
  reschedule();
}

double SimLink::delivered(FlowId id) {
  advance(clock_.now());
  const Flow *f = find(id);
  return f ? f->size - f->remaining : 0;
}

double SimLink::firstByteAt(FlowId id) const {
  for (const Flow &f : flows_)
    if (f.id == id) return f.active || clock_.now() >= f.startAt ? f.startAt : -1;
  return -1;
}

void SimLink::reschedule() {
  if (timer_) clock_.cancel(timer_);
  timer_ = 0;
  if (flows_.empty()) return;
  const double now = clock_.now();
  double next = 1e300;
  int active = 0;
  double smallest = 1e300;
  for (const Flow &f : flows_) {
    if (!f.active) next = std::min(next, f.startAt);
    else {
      ++active;
      smallest = std::min(smallest, f.remaining);
    }
  }
  if (active > 0) {
    // With `active` flows sharing it, the smallest finishes when the link has carried
    // `active` times its remainder.
    const double at = trace_.timeAtBytes(trace_.bytesAt(now, &hint_) + smallest * active);
    next = std::min(next, std::max(now, at));
  }
  timer_ = clock_.at(next, [this] {
    timer_ = 0;
    onTimer();
  });
}

void SimLink::onTimer() {
  const double now = clock_.now();
  advance(now);
  std::vector<std::pair<Done, std::pair<double, double>>> finished;
  for (Flow &f : flows_) {
    if (!f.active && f.startAt <= now) f.active = true;
    if (f.active && f.remaining <= kDoneBytes * std::max(1.0, f.size)) {
      finished.push_back({std::move(f.done), {f.startAt, now}});
      f.size = -1;  // marked for removal
    }
  }
  flows_.erase(std::remove_if(flows_.begin(), flows_.end(), [](const Flow &f) { return f.size < 0; }), flows_.end());
  reschedule();
  // Callbacks last: they may open or close flows.
  for (auto &[done, times] : finished) done(times.first, times.second);
}

}  // namespace rs::player
