#pragma once
// The player role: with --player-target it runs the viewer-journey load generator and
// ends the process when the run is over; without, it waits (headless sessions and
// simulations are the `platform play` and `platform simulate` commands).

#include "core/roles/roles.h"

namespace rs::player {
std::unique_ptr<roles::Role> createPlayerRole();
}
