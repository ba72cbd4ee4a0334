#pragma once
// The control role: the control plane every other role registers with. It holds the
// instance registry, the title catalogue, the encode job queue, steering and fill planning.

#include "core/roles/roles.h"

namespace rs::control {
std::unique_ptr<roles::Role> createControlRole();
}
