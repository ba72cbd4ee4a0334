#pragma once
// The simulator's Transport: documents from memory and media by their real sizes,
// delivered through a SimLink in virtual time. Unknown names answer 404 after a round
// trip, as a server would.

#include "player/engine/transport.h"
#include "player/sim/simlink.h"
#include "player/sim/titlemedia.h"

#include <unordered_map>

namespace rs::player {

class SimTransport final : public Transport {
 public:
  SimTransport(SimLink &link, VirtualClock &clock, const TitleMedia &title) : link_(link), clock_(clock), title_(title) {}
  FetchId fetch(const FetchRequest &request, std::function<void(FetchResult)> done) override;
  FetchProgress progress(FetchId id) override;
  void abort(FetchId id) override;

 private:
  struct Pending {
    SimLink::FlowId flow;
    std::int64_t size;
  };
  SimLink &link_;
  VirtualClock &clock_;
  const TitleMedia &title_;
  std::unordered_map<FetchId, Pending> pending_;
  FetchId next_ = 1;
};

}  // namespace rs::player
