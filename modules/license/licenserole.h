#pragma once
// The license role. Today: listener and registration only.

#include "core/roles/roles.h"

namespace rs::license {
std::unique_ptr<roles::Role> createLicenseRole();
}
