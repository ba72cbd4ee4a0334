#include "control/catalogueroutes.h"

#include "control/jsonfields.h"
#include "core/metrics/metrics.h"

namespace rs::control {

namespace {

http::Response answer(const Result<QJsonObject> &r, int status = 200) {
  return r ? http::Response::json(r.value(), status) : http::Response::error(r.status());
}

// Parses the body as a JSON object and hands it to fn, or answers 400.
template <typename Fn>
http::Response withBody(const http::Request &req, Fn fn) {
  auto body = parseJsonObject(req.body);
  if (!body) return http::Response::error(body.status());
  return fn(*body);
}

// Control is called by the stack's own roles only: people reach it through the api.
const http::RouteOptions kService{http::Access::Service};
// Title bodies carry probe output; job completions carry every rendition.
const http::RouteOptions kJsonBody{http::Access::Service, 1024 * 1024};

}  // namespace

void addCatalogueRoutes(http::Router &router, Catalogue &catalogue, JobQueue &jobs, metrics::Registry *metrics) {
  Catalogue *c = &catalogue;
  JobQueue *q = &jobs;

  router.post(QStringLiteral("/control/v1/titles"), kJsonBody, [c](http::Request &req) {
    return withBody(req, [&](const QJsonObject &b) { return answer(c->create(b), 201); });
  });
  router.get(QStringLiteral("/control/v1/titles"), kService, [c](http::Request &req) {
    auto list = c->list(req.queryValue(u"sha256"));
    if (!list) return http::Response::error(list.status());
    return http::Response::json(QJsonObject{{QStringLiteral("titles"), *list}});
  });
  router.get(QStringLiteral("/control/v1/titles/{id}"), kService,
             [c](http::Request &req) { return answer(c->get(req.param(QStringLiteral("id")))); });
  router.get(QStringLiteral("/control/v1/public-titles"), kService, [c](http::Request &) {
    auto ids = c->publicTitles();
    if (!ids) return http::Response::error(ids.status());
    return http::Response::json(QJsonObject{{QStringLiteral("titles"), QJsonArray::fromStringList(*ids)}});
  });
  router.add("PATCH", QStringLiteral("/control/v1/titles/{id}"), kJsonBody, [c](http::Request &req) {
    return withBody(req, [&](const QJsonObject &b) { return answer(c->patch(req.param(QStringLiteral("id")), b)); });
  });
  router.del(QStringLiteral("/control/v1/titles/{id}"), kService, [c](http::Request &req) {
    const Status s = c->remove(req.param(QStringLiteral("id")));
    return s ? http::Response::noContent() : http::Response::error(s);
  });

  metrics::Counter *claims = nullptr;
  if (metrics) {
    claims = &metrics->counter("control_job_claims_total", "Encode jobs handed to workers (each attempt counts).");
    for (const char *state : {"queued", "running"}) {
      metrics->gaugeCallback("control_jobs", "Encode jobs by state.", [q, state] {
        auto n = q->count(QLatin1String(state));
        return n ? double(*n) : 0.0;
      }, {{"state", state}});
    }
  }

  router.post(QStringLiteral("/control/v1/jobs"), kJsonBody, [q](http::Request &req) {
    return withBody(req, [&](const QJsonObject &b) { return answer(q->create(b), 201); });
  });
  router.get(QStringLiteral("/control/v1/jobs/{id}"), kService,
             [q](http::Request &req) { return answer(q->get(req.param(QStringLiteral("id")))); });
  router.post(QStringLiteral("/control/v1/jobs/claim"), kService, [q, claims](http::Request &req) {
    return withBody(req, [&](const QJsonObject &b) {
      auto job = q->claim(b);
      if (!job) return http::Response::error(job.status());
      if (!*job) return http::Response::noContent();
      if (claims) claims->inc();
      return http::Response::json(**job);
    });
  });
  router.post(QStringLiteral("/control/v1/jobs/{id}/progress"), kService, [q](http::Request &req) {
    return withBody(req, [&](const QJsonObject &b) { return answer(q->progress(req.param(QStringLiteral("id")), b)); });
  });
  router.post(QStringLiteral("/control/v1/jobs/{id}/complete"), kJsonBody, [q](http::Request &req) {
    return withBody(req, [&](const QJsonObject &b) { return answer(q->complete(req.param(QStringLiteral("id")), b)); });
  });
  router.post(QStringLiteral("/control/v1/jobs/{id}/fail"), kService, [q](http::Request &req) {
    return withBody(req, [&](const QJsonObject &b) { return answer(q->fail(req.param(QStringLiteral("id")), b)); });
  });
}

}  // namespace rs::control
