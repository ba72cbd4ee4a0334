#pragma once
// The monitor role. Today: listener and registration only.

#include "core/roles/roles.h"

namespace rs::monitor {
std::unique_ptr<roles::Role> createMonitorRole();
}
