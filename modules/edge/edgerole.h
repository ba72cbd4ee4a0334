#pragma once
// The edge role: a caching reverse proxy for /media/ in front of an origin or a parent
// edge, with its stats, prefetch and purge APIs (docs/delivery.md, "Edge HTTP interface").

#include "core/roles/roles.h"

namespace rs::edge {
std::unique_ptr<roles::Role> createEdgeRole();
}
