#include "player/playerrole.h"

#include "core/roles/pendingrole.h"

namespace rs::player {

std::unique_ptr<roles::Role> createPlayerRole() {
  return std::make_unique<roles::PendingRole>(QStringLiteral("player"), QStringLiteral("the load generator is being built"));
}

}  // namespace rs::player
