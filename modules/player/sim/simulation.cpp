#include "player/sim/simulation.h"

#include "player/sim/simtransport.h"

namespace rs::player {

SimulationResult simulate(const TitleMedia &title, const Trace &trace, QStringView abr, const SimulationOptions &options) {
  VirtualClock clock;
  SimLink link(trace, clock, options.rttS);
  SimTransport transport(link, clock, title);
  SessionOptions o;
  o.manifestUrl = title.manifestUrl;
  o.bufferCapS = options.bufferCapS;
  o.watchS = options.watchS;
  o.startBps = options.startBps;
  o.abandonment = options.abandonment;
  // A session that cannot finish (a trace of near-silence) still ends.
  o.maxWallS = 20 * std::max(60.0, title.presentation.duration) + 600;
  SimulationResult out;
  {
    Session session(o, clock, transport, makeAbr(abr));
    session.onFinished = [&clock] { clock.stop(); };
    session.start();
    clock.run();
    out.log = session.log();
  }
  out.events = clock.eventsRun();
  return out;
}

}  // namespace rs::player
