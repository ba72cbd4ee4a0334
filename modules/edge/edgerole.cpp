#include "edge/edgerole.h"

#include "core/roles/pendingrole.h"

namespace rs::edge {

std::unique_ptr<roles::Role> createEdgeRole() {
  return std::make_unique<roles::PendingRole>(QStringLiteral("edge"), QStringLiteral("the caching proxy, tiers, coalescing and prefetch arrive with the delivery issue"));
}

}  // namespace rs::edge
