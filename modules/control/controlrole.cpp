#include "control/controlrole.h"

#include "control/catalogue.h"
#include "control/catalogueroutes.h"
#include "control/fillplanner.h"
#include "control/fillroutes.h"
#include "control/fillrunner.h"
#include "control/instanceregistry.h"
#include "control/jobqueue.h"
#include "control/pins.h"
#include "control/regionmap.h"
#include "control/steerroutes.h"
#include "control/views.h"
#include "core/config/config.h"
#include "core/log/log.h"
#include "core/metrics/metrics.h"
#include "core/roles/rolehost.h"
#include "core/store/database.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QTimer>

namespace rs {
Q_LOGGING_CATEGORY(lcControl, "rs.control")
}

namespace rs::control {

namespace {
qint64 nowMs() { return QDateTime::currentMSecsSinceEpoch(); }

// A process signs as "<its roles joined by +>" and its process id; each of its roles
// registers as "<host>-<role>-<process id>". Any other combination is someone
// registering in another's name.
Status checkHeartbeatIdentity(const QString &instance, const QString &role, const http::Principal &caller) {
  const QStringList roles = caller.name.split(QLatin1Char('+'));
  if (!roles.contains(role))
    return Status(ErrorCode::Forbidden, QStringLiteral("this credential is for role(s) %1, not %2").arg(caller.name, role));
  if (caller.id.isEmpty() || !instance.endsWith(QLatin1Char('-') + caller.id))
    return Status(ErrorCode::Forbidden, QStringLiteral("instance %1 is not the process this credential names").arg(instance));
  return Status::ok();
}

class ControlRole final : public roles::Role {
 public:
  Status start(roles::RoleContext &ctx) override {
    const QString path = ctx.dataDir + QStringLiteral("/control/control.db");
    auto db = store::Database::open(path, controlMigrations());
    RS_RETURN_IF_ERROR(db.status());
    db_ = std::move(*db);
    auto interval = ctx.config.number(u"heartbeat-interval", 0.1, 3600);
    auto missed = ctx.config.integer(u"instance-expiry", 1, 1000);
    RS_RETURN_IF_ERROR(interval.status());
    RS_RETURN_IF_ERROR(missed.status());
    expiryMs_ = qint64(*interval * 1000 * *missed);
    registry_ = std::make_unique<InstanceRegistry>(*db_, expiryMs_);

    auto maxAttempts = ctx.config.integer(u"job-max-attempts", 1, 1000);
    auto lease = ctx.config.number(u"job-lease", 0.05, 86400);
    RS_RETURN_IF_ERROR(maxAttempts.status());
    RS_RETURN_IF_ERROR(lease.status());
    catalogue_ = std::make_unique<Catalogue>(*db_);
    jobs_ = std::make_unique<JobQueue>(*db_, *catalogue_, QueueOptions{*maxAttempts, qint64(*lease * 1000)});
    addCatalogueRoutes(*ctx.router, *catalogue_, *jobs_, ctx.metrics);
    RS_RETURN_IF_ERROR(startDelivery(ctx, qint64(*interval * 1000)));

    auto *heartbeats = &ctx.metrics->counter("control_heartbeats_total", "Heartbeats received from role instances.");
    ctx.metrics->gaugeCallback("control_instances_live", "Role instances heard from within the expiry window.", [this] {
      auto l = registry_->list(nowMs());
      return l ? double(l->size()) : 0.0;
    });

    // Registration is what steering trusts: only holders of the cluster key, and each
    // only as itself (the instance id carries the id of the process that signed).
    ctx.router->post(QStringLiteral("/control/v1/heartbeat"), {http::Access::Service, 64 * 1024},
                     [this, heartbeats](http::Request &req) {
      QJsonParseError err;
      const QJsonDocument doc = QJsonDocument::fromJson(req.body, &err);
      if (err.error != QJsonParseError::NoError || !doc.isObject())
        return http::Response::error(ErrorCode::BadRequest, QStringLiteral("body must be a JSON object: %1").arg(err.errorString()));
      const http::Principal caller = req.principal;
      auto admit = [&caller](const QString &id, const QString &role) { return checkHeartbeatIdentity(id, role, caller); };
      if (Status s = registry_->heartbeat(doc.object(), nowMs(), admit); !s.isOk()) return http::Response::error(s);
      heartbeats->inc();
      return http::Response::noContent();
    });

    ctx.router->get(QStringLiteral("/control/v1/instances"), http::Access::Service, [this](http::Request &req) {
      const bool all = req.queryValue(u"all") == QLatin1String("1");
      auto list = registry_->list(nowMs(), req.queryValue(u"role"), all);
      if (!list) return http::Response::error(list.status());
      return http::Response::json(QJsonObject{{QStringLiteral("instances"), *list},
                                              {QStringLiteral("defaultExpiryMs"), expiryMs_}});
    });

    pruneTimer_.setInterval(60'000);
    QObject::connect(&pruneTimer_, &QTimer::timeout, [this] {
      if (Status s = registry_->prune(nowMs()); !s.isOk()) qCWarning(lcControl) << s.message();
    });
    pruneTimer_.start();
    // Claims notice dead workers too, but titles should not show "encoding" for a
    // worker that is gone while no one is claiming.
    reapTimer_.setInterval(1000);
    QObject::connect(&reapTimer_, &QTimer::timeout, [this] {
      auto n = jobs_->reapExpired();
      if (!n) qCWarning(lcControl) << n.status().message();
      else if (*n > 0) qCInfo(lcControl) << *n << "job lease(s) expired: requeued or failed";
    });
    reapTimer_.start();
    qCInfo(lcControl).noquote() << "registry, catalogue and job queue at" << path << "| instance expiry" << expiryMs_
                                << "ms | job max attempts" << *maxAttempts;
    return Status::ok();
  }

  void stop() override {
    pruneTimer_.stop();
    reapTimer_.stop();
    fill_.reset();
    planner_.reset();
    pins_.reset();
    views_.reset();
    jobs_.reset();
    catalogue_.reset();
    registry_.reset();
    db_.reset();
  }

 private:
  // Steering and fill planning (docs/delivery.md): config errors stop control
  // from starting, so a typo in steer-regions never steers everyone to "default".
  Status startDelivery(roles::RoleContext &ctx, qint64 heartbeatIntervalMs) {
    auto regions = RegionMap::parse(ctx.config.value(u"steer-regions"));
    RS_RETURN_IF_ERROR(regions.status());
    auto overload = ctx.config.number(u"steer-overload", 0, 1000);
    auto fillInterval = ctx.config.integer(u"fill-interval", 0, 7 * 86400);
    auto topN = ctx.config.integer(u"fill-top-n", 0, 10000);
    for (const Status &s : {overload.status(), fillInterval.status(), topN.status()}) RS_RETURN_IF_ERROR(s);

    views_ = std::make_unique<Views>(*db_);
    pins_ = std::make_unique<Pins>(*db_);
    planner_ = std::make_unique<FillPlanner>(*db_, *pins_);
    FillRunner::Options fo;
    fo.topN = *topN;
    fo.defaultIntervalMs = heartbeatIntervalMs;
    fill_ = std::make_unique<FillRunner>(*registry_, *planner_, ctx.host->client(), fo);
    fill_->schedule(*fillInterval);

    const int regionCount = regions->size();
    addSteerRoutes(*ctx.router, *registry_, *views_, SteerSettings{std::move(*regions), *overload, heartbeatIntervalMs});
    addFillRoutes(*ctx.router, *fill_, *pins_, FillSettings{*fillInterval, *topN});
    qCInfo(lcControl).noquote() << "steering:" << regionCount << "region prefix(es), overload at" << *overload
                                << "of capacity | fill: top" << *topN << "per region"
                                << (*fillInterval > 0 ? QStringLiteral("every %1 s").arg(*fillInterval)
                                                      : QStringLiteral("on demand only"));
    return Status::ok();
  }

  std::unique_ptr<store::Database> db_;
  std::unique_ptr<InstanceRegistry> registry_;
  std::unique_ptr<Catalogue> catalogue_;
  std::unique_ptr<JobQueue> jobs_;
  std::unique_ptr<Views> views_;
  std::unique_ptr<Pins> pins_;
  std::unique_ptr<FillPlanner> planner_;
  std::unique_ptr<FillRunner> fill_;
  QTimer pruneTimer_;
  QTimer reapTimer_;
  qint64 expiryMs_ = 0;
};
}  // namespace

std::unique_ptr<roles::Role> createControlRole() { return std::make_unique<ControlRole>(); }

}  // namespace rs::control
