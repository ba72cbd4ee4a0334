#pragma once
// The public titles API: GET /api/v1/titles[/{id}] and DELETE /api/v1/titles/{id},
// answered from control's catalogue over HTTP. Ready titles gain absolute URLs on the
// origin: "manifests" {dash, hls}, "poster" and "thumbnails".

#include "core/http/router.h"

#include <QJsonObject>
#include <QUrl>

namespace rs::roles { class RoleHost; }

namespace rs::api {

void mountTitles(http::Router &router, roles::RoleHost &host, const QUrl &control);

// The title with its asset URLs under <origin>/media/<id>/ when it is ready and an
// origin is known; otherwise unchanged.
QJsonObject withPlaybackUrls(QJsonObject title, const QUrl &origin);

// <base>/media/<titleId>/<asset>, each path segment percent-encoded.
QString mediaUrl(const QUrl &base, const QString &titleId, const QString &asset);

}  // namespace rs::api
