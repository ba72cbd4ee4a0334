#pragma once
// POST /api/v1/titles/{id}/playback: where a signed-in viewer plays a title from.
// Control steers the viewer (and counts the view); the answer lists the steered edges'
// manifest URLs in order, with the origin last so a player can always fall back, each
// carrying a playback token; POST …/playback/renew keeps the token fresh.

#include "api/mediatokens.h"
#include "core/http/router.h"

#include <QHostAddress>
#include <QUrl>

namespace rs::roles { class RoleHost; }

namespace rs::api {

void mountPlayback(http::Router &router, roles::RoleHost &host, const QUrl &control, MediaTokens tokens);

// The viewer's address as control steers by it: an IPv4 peer of a dual-stack
// listener (::ffff:a.b.c.d) as plain IPv4.
QString viewerAddress(const QHostAddress &peer);

}  // namespace rs::api
