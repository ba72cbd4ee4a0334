#pragma once
// Runs the playback engine against a bandwidth trace in virtual time: the same Session
// as a live `platform play`, with a VirtualClock and a SimTransport over a SimLink.
// Deterministic: the same title, trace and options give the same log, bit for bit.

#include "player/engine/session.h"
#include "player/sim/titlemedia.h"
#include "player/sim/trace.h"

namespace rs::player {

struct SimulationOptions {
  double rttS = 0.08;
  double bufferCapS = 30;
  double watchS = 0;      // 0: the whole title
  double startBps = 0;
  bool abandonment = true;
};

struct SimulationResult {
  SessionLog log;
  std::uint64_t events = 0;  // virtual-clock events it took
};

// `abr` must be one of abrNames().
SimulationResult simulate(const TitleMedia &title, const Trace &trace, QStringView abr, const SimulationOptions &options);

}  // namespace rs::player
