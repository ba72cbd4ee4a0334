#pragma once
// Fill planning over HTTP: GET /control/v1/fill, POST /control/v1/fill/run and
// PUT|DELETE /control/v1/fill/pins/{title} (docs/delivery.md).

#include "control/fillrunner.h"
#include "control/pins.h"
#include "core/http/router.h"

namespace rs::control {

struct FillSettings {
  int intervalSeconds = 300;  // fill-interval, for the answer only: the runner schedules
  int topN = 10;              // fill-top-n
};

// The runner and pins must outlive the router's listener.
void addFillRoutes(http::Router &router, FillRunner &runner, Pins &pins, FillSettings settings);

}  // namespace rs::control
