#include "license/licenserole.h"

#include "core/roles/pendingrole.h"

namespace rs::license {

std::unique_ptr<roles::Role> createLicenseRole() {
  return std::make_unique<roles::PendingRole>(QStringLiteral("license"), QStringLiteral("ClearKey licenses, HLS keys and key rotation are not implemented"));
}

}  // namespace rs::license
