#pragma once
// The catalogue and job queue over HTTP: /control/v1/titles… and /control/v1/jobs…
// (docs/media-pipeline.md, "Control REST API").

#include "control/catalogue.h"
#include "control/jobqueue.h"
#include "core/http/router.h"

namespace rs::metrics { class Registry; }

namespace rs::control {

// The catalogue and queue must outlive the router's listener.
void addCatalogueRoutes(http::Router &router, Catalogue &catalogue, JobQueue &jobs, metrics::Registry *metrics);

}  // namespace rs::control
