#pragma once
// One shared bottleneck whose rate follows a Trace, in virtual time. Each request's
// first byte arrives one round trip after it was sent; from then on the active
// downloads share the link's rate equally (processor sharing, like TCP flows through
// one bottleneck, roughly). Events happen only when a download starts, ends or is
// aborted, so a session costs a handful of events per segment.

#include "player/engine/virtualclock.h"
#include "player/sim/trace.h"

#include <functional>
#include <vector>

namespace rs::player {

class SimLink {
 public:
  using FlowId = std::uint64_t;
  using Done = std::function<void(double firstByteAt, double finishedAt)>;

  SimLink(const Trace &trace, VirtualClock &clock, double rttS) : trace_(trace), clock_(clock), rtt_(rttS) {}
  ~SimLink();

  FlowId open(double bytes, Done done);
  void close(FlowId id);
  // Bytes of the flow delivered so far, and when its first byte came (-1: not yet).
  double delivered(FlowId id);
  double firstByteAt(FlowId id) const;
  double rttS() const { return rtt_; }

 private:
  struct Flow {
    FlowId id;
    double size, remaining;
    double startAt;  // first byte
    bool active;
    Done done;
  };
  void advance(double now);
  void reschedule();
  void onTimer();
  Flow *find(FlowId id);

  const Trace &trace_;
  VirtualClock &clock_;
  double rtt_;
  std::vector<Flow> flows_;
  double accountedTo_ = 0;  // active flows' progress is counted up to here
  std::size_t hint_ = 0;    // where in the trace the last lookup was
  Clock::TimerId timer_ = 0;
  FlowId next_ = 1;
};

}  // namespace rs::player
