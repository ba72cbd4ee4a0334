#pragma once
// The public titles API: GET /api/v1/titles[/{id}] (viewers), PATCH (name, public) and
// DELETE /api/v1/titles/{id} (admins), answered from control's catalogue over HTTP.
// Ready titles gain absolute URLs on the origin that carry a playback token for the
// caller: "manifests" {dash, hls}, "poster" and "thumbnails".

#include "api/mediatokens.h"
#include "core/http/router.h"

#include <QJsonObject>
#include <QUrl>

namespace rs::roles { class RoleHost; }

namespace rs::api {

void mountTitles(http::Router &router, roles::RoleHost &host, const QUrl &control, MediaTokens tokens);

// The title with its asset URLs under <origin>/m/<token>/<id>/ when it is ready and an
// origin is known; otherwise unchanged. An empty token gives /media/ URLs.
QJsonObject withPlaybackUrls(QJsonObject title, const QUrl &origin, const QString &token);

}  // namespace rs::api
