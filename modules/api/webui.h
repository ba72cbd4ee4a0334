#pragma once
// The web UI (ui/, built by ui/build.mjs and compiled in under :/ui/): `/` answers
// index.html, `/ui/{*path}` the other files. Pages are hash routes (#/title/<id>), so
// no other server routes are needed.

#include "core/http/router.h"

namespace rs::api {
void mountWebUi(http::Router &router);
}
