#pragma once
// Steering over HTTP: GET /control/v1/edges, GET /control/v1/steer and POST
// /control/v1/playback (docs/delivery.md, "Control HTTP interface").

#include "control/instanceregistry.h"
#include "control/regionmap.h"
#include "control/views.h"
#include "core/http/router.h"

namespace rs::control {

struct SteerSettings {
  RegionMap regions;
  double overloadFraction = 0.9;    // steer-overload
  qint64 defaultIntervalMs = 2000;  // heartbeat interval of edges that do not say
};

// The registry and views must outlive the router's listener.
void addSteerRoutes(http::Router &router, InstanceRegistry &registry, Views &views, SteerSettings settings);

}  // namespace rs::control
