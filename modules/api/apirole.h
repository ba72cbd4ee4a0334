#pragma once
// The api role: the web UI and the public REST API. Today: the status page that
// shows every running role and its health, gathered from control.

#include "core/roles/roles.h"

namespace rs::api {
std::unique_ptr<roles::Role> createApiRole();
}
