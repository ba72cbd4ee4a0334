#include "control/steerroutes.h"

#include "control/edges.h"
#include "control/jsonfields.h"
#include "control/steering.h"

#include <QDateTime>
#include <QJsonArray>

namespace rs::control {

namespace {

qint64 nowMs() { return QDateTime::currentMSecsSinceEpoch(); }

struct Deps {
  InstanceRegistry *registry;
  Views *views;
  std::shared_ptr<const SteerSettings> settings;
};

// How a viewer is placed: the region asked for, else its address's region.
struct Placement {
  QString region;
  QString source;   // "query", "address" or "default"
  QString address;  // as steered (IPv4-mapped IPv6 shown as IPv4)
};

Result<Placement> place(const SteerSettings &s, const QString &region, const QString &addressText, const QHostAddress &peer) {
  QHostAddress address = peer;
  if (!addressText.isEmpty() && !address.setAddress(addressText))
    return Status(ErrorCode::BadRequest, QStringLiteral("address '%1' is not an IP address").arg(addressText.left(100)));
  address = unmapped(address);
  if (!region.isEmpty()) {
    if (!isRegionName(region))
      return Status(ErrorCode::BadRequest, QStringLiteral("region '%1' is not a region name").arg(region.left(100)));
    return Placement{region, QStringLiteral("query"), address.toString()};
  }
  const RegionMap::Lookup found = s.regions.lookup(address);
  return Placement{found.region, found.matched ? QStringLiteral("address") : QStringLiteral("default"), address.toString()};
}

Result<QJsonObject> steerAnswer(const Deps &d, const QString &title, const Placement &p) {
  auto edges = listEdges(*d.registry, nowMs(), d.settings->defaultIntervalMs);
  RS_RETURN_IF_ERROR(edges.status());
  return QJsonObject{
      {QStringLiteral("title"), title},
      {QStringLiteral("region"), p.region},
      {QStringLiteral("regionSource"), p.source},
      {QStringLiteral("address"), p.address},
      {QStringLiteral("edges"), rankedEdgesToJson(steer(*edges, title, p.region, d.settings->overloadFraction))},
  };
}

Status checkTitle(const QString &title) {
  if (title.isEmpty()) return Status(ErrorCode::BadRequest, QStringLiteral("title is required"));
  if (title.size() > 200) return Status(ErrorCode::BadRequest, QStringLiteral("title is longer than 200 characters"));
  return Status::ok();
}

http::Response answer(const Result<QJsonObject> &r) {
  return r ? http::Response::json(r.value()) : http::Response::error(r.status());
}

}  // namespace

void addSteerRoutes(http::Router &router, InstanceRegistry &registry, Views &views, SteerSettings settings) {
  const Deps d{&registry, &views, std::make_shared<const SteerSettings>(std::move(settings))};

  router.get(QStringLiteral("/control/v1/edges"), http::Access::Service, [d](http::Request &) {
    auto edges = listEdges(*d.registry, nowMs(), d.settings->defaultIntervalMs);
    if (!edges) return http::Response::error(edges.status());
    QJsonArray out;
    for (const Edge &e : *edges) out.append(edgeToJson(e));
    return http::Response::json(QJsonObject{{QStringLiteral("edges"), out},
                                            {QStringLiteral("heartbeatIntervalMs"), d.settings->defaultIntervalMs}});
  });

  // Unknown titles are steered too: the catalogue check is the api's (it answers 404
  // and 409 before asking), and steering needs nothing from the catalogue.
  router.get(QStringLiteral("/control/v1/steer"), http::Access::Service, [d](http::Request &req) {
    const QString title = req.queryValue(u"title");
    if (Status s = checkTitle(title); !s) return http::Response::error(s);
    auto p = place(*d.settings, req.queryValue(u"region"), req.queryValue(u"address"), req.peer);
    if (!p) return http::Response::error(p.status());
    return answer(steerAnswer(d, title, *p));
  });

  router.post(QStringLiteral("/control/v1/playback"), http::Access::Service, [d](http::Request &req) {
    auto body = parseJsonObject(req.body);
    if (!body) return http::Response::error(body.status());
    FieldReader f(*body);
    f.allowOnly({QStringLiteral("title"), QStringLiteral("address"), QStringLiteral("region")});
    const QString title = f.string(u"title", true, 200);
    const QString address = f.string(u"address", false, 100);
    const QString region = f.string(u"region", false, 64);
    if (!f.status()) return http::Response::error(f.status());
    if (Status s = checkTitle(title); !s) return http::Response::error(s);
    auto p = place(*d.settings, region, address, req.peer);
    if (!p) return http::Response::error(p.status());
    if (Status s = d.views->count(title, p->region); !s) return http::Response::error(s);
    return answer(steerAnswer(d, title, *p));
  });
}

}  // namespace rs::control
