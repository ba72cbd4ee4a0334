#pragma once
// The api role: the web UI and the public REST API — titles, playback start (steered
// by control), the status page of every running role, and control's delivery
// endpoints relayed for the UI.

#include "core/roles/roles.h"

namespace rs::api {
std::unique_ptr<roles::Role> createApiRole();
}
