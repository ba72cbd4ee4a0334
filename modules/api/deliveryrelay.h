#pragma once
// /api/v1/delivery/…: control's edge, steering and fill endpoints relayed for the web
// UI (same origin). Control's status and body pass through; no answer is a 502.

#include "core/http/router.h"

#include <QUrl>

namespace rs::net { class HttpClient; }

namespace rs::api {

void mountDeliveryRelay(http::Router &router, net::HttpClient *client, const QUrl &control);

}  // namespace rs::api
