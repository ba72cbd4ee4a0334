#pragma once
// The control role: the control plane every other role registers with. It holds the
// instance registry, the title catalogue and the encode job queue; steering joins it.

#include "core/roles/roles.h"

namespace rs::control {
std::unique_ptr<roles::Role> createControlRole();
}
