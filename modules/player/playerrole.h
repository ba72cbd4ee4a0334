#pragma once
// The player role. No listener; headless sessions and load generation.

#include "core/roles/roles.h"

namespace rs::player {
std::unique_ptr<roles::Role> createPlayerRole();
}
