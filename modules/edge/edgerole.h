#pragma once
// The edge role. Today: listener and registration; the cache is the delivery issue.

#include "core/roles/roles.h"

namespace rs::edge {
std::unique_ptr<roles::Role> createEdgeRole();
}
