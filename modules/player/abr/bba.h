#pragma once
// BBA-0, the buffer-based algorithm of Huang et al., "A Buffer-Based Approach to Rate
// Adaptation: Evidence from a Large Video Streaming Service" (SIGCOMM 2014): the
// lowest rung while the buffer is below the reservoir, the highest above reservoir +
// cushion, and in between a linear map f(B) from buffer to bitrate that the rung only
// follows once f(B) crosses the next rung up or down (so it does not oscillate).
// Reservoir 5 s and cushion 10 s as in the Pensieve study's BB baseline, shrunk to
// fit a smaller buffer cap.

#include "player/abr/abr.h"

namespace rs::player {

class Bba final : public AbrAlgorithm {
 public:
  static constexpr double kReservoirS = 5;
  static constexpr double kCushionS = 10;
  const char *name() const override { return "bba"; }
  Decision choose(const AbrInput &in) override;
};

}  // namespace rs::player
