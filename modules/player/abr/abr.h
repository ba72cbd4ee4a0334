#pragma once
// The ABR interface: before each video segment the engine hands an algorithm what it
// knows (buffer, estimate, ladder, what came before) and gets back a rung with its
// reason. Algorithms are small classes, each citing where it comes from; makeAbr()
// builds one by name.

#include "player/engine/bandwidthestimator.h"
#include "player/engine/sizemodel.h"
#include "player/manifest/presentation.h"

#include <QString>
#include <QStringList>
#include <array>
#include <memory>
#include <vector>

namespace rs::player {

struct AbrInput {
  double now = 0;
  int segment = 0;                 // index of the segment to fetch
  const std::vector<SegmentTiming> *timeline = nullptr;  // the video timeline (all rungs share it)
  const std::vector<double> *bitrates = nullptr;         // bits/s per rung, ascending
  int lastRung = -1;               // rung of the previous video segment; -1 before the first
  int startRung = 0;               // what fast start picks without an estimate
  double bufferS = 0;              // playable media ahead of the playhead
  double bufferCapS = 30;
  bool playing = false;            // false at start-up and while stalled
  // Seconds since the previous video download finished (time the engine waited, e.g.
  // because the buffer was full); -1 when a download finished just now or none did.
  double idleS = -1;
  const BandwidthEstimator *estimate = nullptr;
  const SizeModel *sizes = nullptr;

  double segmentDuration() const { return (*timeline)[std::size_t(segment)].duration; }
  int rungs() const { return int(bitrates->size()); }
  int segmentsLeft() const { return int(timeline->size()) - segment; }
  // The highest rung whose bitrate is at most `bps` (0 when none is).
  int highestBelow(double bps) const;
};

struct Decision {
  struct Input {
    const char *name = "";
    double value = 0;
  };
  int rung = 0;
  double delayS = 0;        // wait this long first (BOLA keeps the buffer from overfilling)
  const char *reason = "";  // why, in words (static text: decisions are made thousands of times a second)
  std::array<Input, 8> inputs{};
  int inputCount = 0;

  Decision &add(const char *name, double value) {
    if (inputCount < int(inputs.size())) inputs[std::size_t(inputCount++)] = {name, value};
    return *this;
  }
};

class AbrAlgorithm {
 public:
  virtual ~AbrAlgorithm() = default;
  virtual const char *name() const = 0;
  virtual Decision choose(const AbrInput &in) = 0;
  // Playback ran dry.
  virtual void onStall() {}
  // The engine abandoned a download of `fromRung` and re-fetches at a lower rung.
  virtual void onAbandon(const AbrInput &, int /*fromRung*/) {}
};

// "throughput", "bba", "bola", "dynamic", "mpc" (ours; the default).
QStringList abrNames();
QString defaultAbr();
std::unique_ptr<AbrAlgorithm> makeAbr(QStringView name);

}  // namespace rs::player
