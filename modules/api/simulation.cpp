#include "api/simulation.h"

#include "api/controlcalls.h"
#include "api/titles.h"
#include "core/auth/servicetoken.h"
#include "core/http/server.h"
#include "core/roles/rolehost.h"
#include "player/abr/abr.h"
#include "player/sim/simulation.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QPointer>
#include <QThreadPool>
#include <cmath>
#include <list>
#include <mutex>

namespace rs::api {

namespace {

constexpr int kCachedTitles = 8;
constexpr int kMaxRunning = 2;  // simulations are CPU: a few at once, the rest wait their turn

struct Request {
  QString title;
  QString trace;
  QStringList abr;
  player::SimulationOptions options;
};

Result<Request> parseRequest(const QByteArray &body) {
  QJsonParseError err;
  const QJsonDocument doc = QJsonDocument::fromJson(body, &err);
  if (err.error != QJsonParseError::NoError || !doc.isObject())
    return Status(ErrorCode::BadRequest, QStringLiteral("body must be a JSON object"));
  const QJsonObject o = doc.object();
  Request r;
  r.title = o.value(QStringLiteral("title")).toString();
  r.trace = o.value(QStringLiteral("trace")).toString();
  if (r.title.isEmpty() || r.trace.isEmpty()) return Status(ErrorCode::BadRequest, QStringLiteral("'title' and 'trace' are required"));
  const QJsonValue abr = o.value(QStringLiteral("abr"));
  if (abr.isUndefined() || abr == QJsonValue(QStringLiteral("all"))) r.abr = player::abrNames();
  else if (abr.isString()) r.abr << abr.toString();
  else for (const QJsonValue &v : abr.toArray()) r.abr << v.toString();
  for (const QString &a : r.abr)
    if (!player::abrNames().contains(a))
      return Status(ErrorCode::BadRequest, QStringLiteral("unknown abr '%1'; known: %2").arg(a, player::abrNames().join(QStringLiteral(", "))));
  if (r.abr.isEmpty()) return Status(ErrorCode::BadRequest, QStringLiteral("'abr' names no algorithm"));
  auto number = [&](const char *key, double fallback, double lo, double hi) -> Result<double> {
    const QJsonValue v = o.value(QLatin1String(key));
    if (v.isUndefined()) return fallback;
    if (!v.isDouble() || v.toDouble() < lo || v.toDouble() > hi)
      return Status(ErrorCode::BadRequest, QStringLiteral("'%1' must be a number from %2 to %3").arg(QLatin1String(key)).arg(lo).arg(hi));
    return v.toDouble();
  };
  auto rtt = number("rttMs", 80, 0, 10000);
  auto cap = number("bufferCapS", 30, 1, 3600);
  auto seconds = number("seconds", 0, 0, 86400);
  for (const Status &s : {rtt.status(), cap.status(), seconds.status()}) RS_RETURN_IF_ERROR(s);
  r.options.rttS = *rtt / 1000;
  r.options.bufferCapS = *cap;
  r.options.watchS = *seconds;
  return r;
}

// Segment sizes per title, probed once: a title's files never change once published
// (a republish gets new segment files and a new title state).
class SizeCache {
 public:
  std::shared_ptr<const player::TitleMedia> find(const QString &title) {
    std::lock_guard lock(mutex_);
    for (auto it = entries_.begin(); it != entries_.end(); ++it) {
      if (it->first != title) continue;
      entries_.splice(entries_.begin(), entries_, it);
      return it->second;
    }
    return nullptr;
  }
  void put(const QString &title, std::shared_ptr<const player::TitleMedia> media) {
    std::lock_guard lock(mutex_);
    entries_.emplace_front(title, std::move(media));
    while (entries_.size() > kCachedTitles) entries_.pop_back();
  }

 private:
  std::mutex mutex_;
  std::list<std::pair<QString, std::shared_ptr<const player::TitleMedia>>> entries_;
};

struct Deps {
  ControlDeps control;
  QPointer<player::TitleProbe> probe;  // lives on the role host's thread
  const auth::ServiceCredential *credential;  // the probe reads the origin as a service
  std::shared_ptr<SizeCache> cache;
  std::shared_ptr<QThreadPool> pool;
};

void run(const Deps &d, const Request &q, std::shared_ptr<const player::TitleMedia> media, const http::Responder &responder) {
  d.pool->start([q, media, responder] {
    auto trace = player::Trace::load(q.trace);
    if (!trace) return responder.send(http::Response::error(ErrorCode::BadRequest, trace.status().message()));
    QJsonArray reports;
    for (const QString &abr : q.abr) {
      const player::SimulationResult r = player::simulate(*media, *trace, abr, q.options);
      reports.append(player::reportJson(r.log));
    }
    responder.send(http::Response::json(QJsonObject{{QStringLiteral("title"), q.title},
                                                    {QStringLiteral("trace"), trace->name()},
                                                    {QStringLiteral("traceMeanMbps"), std::round(trace->meanMbps() * 1000) / 1000},
                                                    {QStringLiteral("rttMs"), q.options.rttS * 1000},
                                                    {QStringLiteral("bufferCapS"), q.options.bufferCapS},
                                                    {QStringLiteral("reports"), reports}}));
  });
}

void simulate(const Deps &d, const Request &q, const http::TraceContext &trace, const http::Responder &responder) {
  if (auto cached = d.cache->find(q.title)) return run(d, q, cached, responder);
  const QUrl titleUrl = d.control.control.resolved(
      QUrl(QStringLiteral("/control/v1/titles/") + QString::fromLatin1(QUrl::toPercentEncoding(q.title))));
  d.control.client->get(titleUrl, controlCallOptions(trace), [d, q, trace, responder](net::ClientReply r) {
    if (isControlRefusal(r)) return responder.send(http::Response::text(r.status, r.body, "application/json"));
    if (!r.ok()) return responder.send(http::Response::error(ErrorCode::BadGateway, QStringLiteral("control did not answer: %1").arg(r.describe())));
    const QJsonObject title = r.json().object();
    if (title.value(QStringLiteral("state")).toString() != QLatin1String("ready"))
      return responder.send(http::Response::error(ErrorCode::Conflict, QStringLiteral("title '%1' is not ready").arg(q.title)));
    const QString asset = title.value(QStringLiteral("assets")).toObject().value(QStringLiteral("dash")).toString();
    d.control.origins->find(trace, [d, q, asset, responder](OriginLocator::Origin o) {
      if (!o.isValid()) return responder.send(http::Response::error(ErrorCode::BadGateway, QStringLiteral("no origin is known")));
      const QUrl manifest(mediaUrl(o.callUrl, q.title, asset.isEmpty() ? QStringLiteral("manifest.mpd") : asset));
      if (!d.probe) return responder.send(http::Response::error(ErrorCode::Unavailable, QStringLiteral("shutting down")));
      d.probe->probe(manifest, d.credential->authorization(), [d, q, responder](Result<player::TitleMedia> media) {
        if (!media) return responder.send(http::Response::error(ErrorCode::BadGateway, media.status().message()));
        auto shared = std::make_shared<const player::TitleMedia>(std::move(*media));
        d.cache->put(q.title, shared);
        run(d, q, shared, responder);
      });
    });
  });
}

QJsonArray tracesJson() {
  QJsonArray out;
  for (const player::BundledTrace &b : player::bundledTraces()) {
    auto t = player::Trace::load(b.name);
    if (!t) continue;
    out.append(QJsonObject{{QStringLiteral("name"), b.name},
                           {QStringLiteral("set"), b.set},
                           {QStringLiteral("source"), b.source},
                           {QStringLiteral("seconds"), std::round(t->periodS())},
                           {QStringLiteral("meanMbps"), std::round(t->meanMbps() * 1000) / 1000}});
  }
  return out;
}

}  // namespace

void mountSimulation(http::Router &router, roles::RoleHost &host, const QUrl &control) {
  auto pool = std::make_shared<QThreadPool>();
  pool->setMaxThreadCount(kMaxRunning);
  Deps d{{host.client(), control, makeOriginLocator(host, control), {}}, new player::TitleProbe(&host), &host.serviceCredential(),
         std::make_shared<SizeCache>(), pool};
  const QJsonArray traces = tracesJson();
  // Students simulate too: any signed-in viewer (runs are bounded and pooled).
  router.get(QStringLiteral("/api/v1/simulation/traces"), http::Access::Viewer, [traces](http::Request &) {
    return http::Response::json(QJsonObject{{QStringLiteral("traces"), traces},
                                            {QStringLiteral("abr"), QJsonArray::fromStringList(player::abrNames())},
                                            {QStringLiteral("defaultAbr"), player::defaultAbr()}});
  });
  router.addAsync("POST", QStringLiteral("/api/v1/simulation"), {http::Access::Viewer, 4096}, [d](http::Request &req, http::Responder r) {
    auto q = parseRequest(req.body);
    if (!q) return r.send(http::Response::error(q.status().code(), q.status().message()));
    // The probe and the control calls belong to the host's thread.
    QMetaObject::invokeMethod(d.probe.data(), [d, q = *q, trace = req.trace, r] { simulate(d, q, trace, r); }, Qt::QueuedConnection);
  });
}

}  // namespace rs::api
