#pragma once
// The simulation page's API: GET /api/v1/simulation/traces lists the bundled traces;
// POST /api/v1/simulation {title, trace, abr: [names] | "all", rttMs, bufferCapS,
// seconds} runs the player's engine in virtual time on the title's real segment sizes
// (read once per title from the origin with HEAD requests, then remembered) and
// answers one report per algorithm (docs/player.md, "The report").

#include "core/http/router.h"

#include <QUrl>

namespace rs::roles { class RoleHost; }

namespace rs::api {

void mountSimulation(http::Router &router, roles::RoleHost &host, const QUrl &control);

}  // namespace rs::api
