#include "control/fillroutes.h"

#include "control/jsonfields.h"
#include "core/http/server.h"

#include <QJsonArray>

namespace rs::control {

void addFillRoutes(http::Router &router, FillRunner &runner, Pins &pins, FillSettings settings) {
  FillRunner *r = &runner;
  Pins *p = &pins;

  router.get(QStringLiteral("/control/v1/fill"), http::Access::Service, [r, p, settings](http::Request &) {
    auto list = p->list();
    if (!list) return http::Response::error(list.status());
    auto plan = r->currentPlan();
    if (!plan) return http::Response::error(plan.status());
    QJsonArray pinsJson;
    for (const Pin &pin : *list) pinsJson.append(pin.toJson());
    return http::Response::json(QJsonObject{{QStringLiteral("intervalSeconds"), settings.intervalSeconds},
                                            {QStringLiteral("topN"), settings.topN},
                                            {QStringLiteral("pins"), pinsJson},
                                            {QStringLiteral("plan"), planToJson(*plan)},
                                            {QStringLiteral("lastRun"), r->lastRun()}});
  });

  router.addAsync("POST", QStringLiteral("/control/v1/fill/run"), http::Access::Service, [r](http::Request &, http::Responder responder) {
    r->run(QStringLiteral("manual"), [responder](Result<QJsonObject> run) {
      responder.send(run ? http::Response::json(run.value()) : http::Response::error(run.status()));
    });
  });

  // Body {"regions":["eu"]}; no body, no regions or an empty list pin it everywhere.
  router.put(QStringLiteral("/control/v1/fill/pins/{title}"), http::Access::Service, [p](http::Request &req) {
    QStringList regions;
    if (!req.body.trimmed().isEmpty()) {
      auto body = parseJsonObject(req.body);
      if (!body) return http::Response::error(body.status());
      FieldReader f(*body);
      f.allowOnly({QStringLiteral("regions")});
      for (const QJsonValue &v : f.array(u"regions")) {
        if (!v.isString()) f.fail(QStringLiteral("field 'regions' must be an array of strings"));
        regions << v.toString();
      }
      if (!f.status()) return http::Response::error(f.status());
    }
    auto pin = p->put(req.param(QStringLiteral("title")), regions);
    return pin ? http::Response::json(pin->toJson()) : http::Response::error(pin.status());
  });

  router.del(QStringLiteral("/control/v1/fill/pins/{title}"), http::Access::Service, [p](http::Request &req) {
    const Status s = p->remove(req.param(QStringLiteral("title")));
    return s ? http::Response::noContent() : http::Response::error(s);
  });
}

}  // namespace rs::control
