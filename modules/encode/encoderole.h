#pragma once
// The encode role. No listener; claims jobs from control once the media pipeline lands.

#include "core/roles/roles.h"

namespace rs::encode {
std::unique_ptr<roles::Role> createEncodeRole();
}
