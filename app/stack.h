#pragma once
// The role modules this binary is built with, handed to the role registry; the one
// place that knows every module by name.

#include "core/roles/roles.h"

namespace rs::app {
void provideBuiltRoles(roles::RoleRegistry &registry);
}
