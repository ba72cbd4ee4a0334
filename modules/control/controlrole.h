#pragma once
// The control role: the control plane every other role registers with. Today it
// holds the instance registry; steering, fill planning and the job queue join it.

#include "core/roles/roles.h"

namespace rs::control {
std::unique_ptr<roles::Role> createControlRole();
}
