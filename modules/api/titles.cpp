#include "api/titles.h"

#include "api/controlcalls.h"
#include "api/titlesorigin.h"
#include "core/http/server.h"
#include "core/log/log.h"
#include "core/net/httpclient.h"
#include "core/roles/rolehost.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>


namespace rs::api {

namespace {

using Deps = ControlDeps;

QUrl controlUrl(const Deps &d, const QString &path) { return d.control.resolved(QUrl(path)); }

net::ClientOptions options(const http::TraceContext &trace) { return controlCallOptions(trace); }

// Control's own 4xx answers (404 for an unknown title…) reach the client as they are;
// no answer or a server error is the gateway's problem: 502.
http::Response relayFailure(const Deps &d, const net::ClientReply &r) {
  if (isControlRefusal(r)) return http::Response::text(r.status, r.body, "application/json");
  return http::Response::error(ErrorCode::BadGateway,
                               QStringLiteral("control at %1 did not answer: %2").arg(d.control.toString(), r.describe()));
}

bool isReady(const QJsonObject &t) { return t.value(QStringLiteral("state")).toString() == QLatin1String("ready"); }

// Posters and manifests in the answer open for this caller only: each ready title's
// URLs carry a playback token minted for the caller's session.
QJsonObject forViewer(const Deps &d, const QJsonObject &title, const QUrl &origin, const http::Principal &viewer) {
  if (!isReady(title)) return title;
  const QString id = title.value(QStringLiteral("id")).toString();
  return withPlaybackUrls(title, origin, d.tokens.mint(id, viewer).value);
}

void getTitles(const Deps &d, const http::Request &req, http::Responder responder) {
  const http::TraceContext trace = req.trace;
  const http::Principal viewer = req.principal;
  d.client->get(controlUrl(d, QStringLiteral("/control/v1/titles")), options(trace), [d, trace, viewer, responder](net::ClientReply r) {
    if (!r.ok()) return responder.send(relayFailure(d, r));
    const QJsonArray titles = r.json().object().value(QStringLiteral("titles")).toArray();
    const bool anyReady = std::any_of(titles.begin(), titles.end(), [](const QJsonValue &v) { return isReady(v.toObject()); });
    auto answer = [d, titles, viewer, responder](const QUrl &origin) {
      QJsonArray out;
      for (const QJsonValue &v : titles) out.append(forViewer(d, v.toObject(), origin, viewer));
      responder.send(http::Response::json(QJsonObject{{QStringLiteral("titles"), out}}));
    };
    if (!anyReady) return answer(QUrl());
    d.origins->find(trace, [answer](OriginLocator::Origin o) { answer(o.publicUrl); });
  });
}

void getTitle(const Deps &d, const QString &id, const http::Request &req, http::Responder responder) {
  const QUrl url = controlUrl(d, QStringLiteral("/control/v1/titles/") + QString::fromLatin1(QUrl::toPercentEncoding(id)));
  const http::TraceContext trace = req.trace;
  const http::Principal viewer = req.principal;
  d.client->get(url, options(trace), [d, trace, viewer, responder](net::ClientReply r) {
    if (!r.ok()) return responder.send(relayFailure(d, r));
    const QJsonObject title = r.json().object();
    if (!isReady(title)) return responder.send(http::Response::json(title));
    d.origins->find(trace, [d, title, viewer, responder](OriginLocator::Origin o) {
      responder.send(http::Response::json(forViewer(d, title, o.publicUrl, viewer)));
    });
  });
}

// What an admin may change on a title from outside: its name and whether it plays
// without a token. The rest of control's PATCH belongs to ingest and encoders.
void patchTitle(const Deps &d, const QString &id, const http::Request &req, http::Responder responder) {
  QJsonParseError err;
  const QJsonDocument doc = QJsonDocument::fromJson(req.body, &err);
  const QJsonObject body = doc.object();
  bool ok = err.error == QJsonParseError::NoError && doc.isObject() && !body.isEmpty();
  for (auto it = body.begin(); ok && it != body.end(); ++it)
    ok = (it.key() == QLatin1String("name") && it.value().isString()) || (it.key() == QLatin1String("public") && it.value().isBool());
  if (!ok)
    return responder.send(http::Response::error(ErrorCode::BadRequest,
                                                QStringLiteral("body must be a JSON object with \"name\" (string) and/or \"public\" (boolean)")));
  const QUrl url = controlUrl(d, QStringLiteral("/control/v1/titles/") + QString::fromLatin1(QUrl::toPercentEncoding(id)));
  const QString actor = req.principal.name;
  const http::Principal viewer = req.principal;
  const http::TraceContext trace = req.trace;
  d.client->request("PATCH", url, QJsonDocument(body).toJson(QJsonDocument::Compact), options(req.trace),
                    [d, id, body, actor, viewer, trace, responder](net::ClientReply r) {
    if (!r.ok()) return responder.send(relayFailure(d, r));
    if (body.contains(QStringLiteral("public")))
      qCInfo(lcApi).noquote() << actor << "made title" << id << (body.value(QStringLiteral("public")).toBool() ? "public" : "private");
    // The same shape GET answers, with the caller's media URLs.
    const QJsonObject title = r.json().object();
    if (!isReady(title)) return responder.send(http::Response::json(title));
    d.origins->find(trace, [d, title, viewer, responder](OriginLocator::Origin o) {
      responder.send(http::Response::json(forViewer(d, title, o.publicUrl, viewer)));
    });
  });
}

// Unpublishes at the origin first, so a failure there leaves the title listed and
// the delete can be repeated; then removes it from the catalogue.
void deleteTitle(const Deps &d, const QString &id, const http::TraceContext &trace, http::Responder responder) {
  const QString encoded = QString::fromLatin1(QUrl::toPercentEncoding(id));
  const QUrl titleUrl = controlUrl(d, QStringLiteral("/control/v1/titles/") + encoded);
  auto removeFromCatalogue = [d, titleUrl, trace, responder] {
    d.client->request("DELETE", titleUrl, {}, options(trace), [d, responder](net::ClientReply r) {
      responder.send(r.ok() ? http::Response::noContent() : relayFailure(d, r));
    });
  };
  d.client->get(titleUrl, options(trace), [d, id, encoded, trace, responder, removeFromCatalogue](net::ClientReply r) {
    if (!r.ok()) return responder.send(relayFailure(d, r));
    d.origins->find(trace, [d, id, encoded, trace, responder, removeFromCatalogue](OriginLocator::Origin o) {
      if (!o.isValid()) {
        qCWarning(lcApi).noquote() << "deleting" << id << "without unpublishing: no origin is registered";
        return removeFromCatalogue();
      }
      const QUrl unpublish = o.callUrl.resolved(QUrl(QStringLiteral("/origin/v1/titles/") + encoded));
      d.client->request("DELETE", unpublish, {}, options(trace), [unpublish, responder, removeFromCatalogue](net::ClientReply u) {
        // 404: nothing published (or an origin without the unpublish route); 405: the
        // route exists for other methods only. Either way nothing is left to remove.
        if (u.ok() || u.status == 404 || u.status == 405) return removeFromCatalogue();
        responder.send(http::Response::error(
            ErrorCode::BadGateway, QStringLiteral("origin at %1 could not unpublish: %2").arg(unpublish.toString(), u.describe())));
      });
    });
  });
}

}  // namespace

QJsonObject withPlaybackUrls(QJsonObject title, const QUrl &origin, const QString &token) {
  if (!isReady(title) || !origin.isValid() || origin.isEmpty()) return title;
  const QString id = title.value(QStringLiteral("id")).toString();
  const QJsonObject assets = title.value(QStringLiteral("assets")).toObject();
  auto url = [&](const char *key) -> QJsonValue {
    const QString asset = assets.value(QLatin1String(key)).toString();
    return asset.isEmpty() ? QJsonValue() : QJsonValue(mediaUrl(origin, id, asset, token));
  };
  QJsonObject manifests;
  for (const char *key : {"dash", "hls"}) {
    if (const QJsonValue u = url(key); u.isString()) manifests.insert(QLatin1String(key), u);
  }
  title.insert(QStringLiteral("manifests"), manifests);
  if (const QJsonValue u = url("poster"); u.isString()) title.insert(QStringLiteral("poster"), u);
  if (const QJsonValue u = url("thumbnails"); u.isString()) title.insert(QStringLiteral("thumbnails"), u);
  return title;
}

void mountTitles(http::Router &router, roles::RoleHost &host, const QUrl &control, MediaTokens tokens) {
  const Deps d{host.client(), control, makeOriginLocator(host, control), tokens};

  router.addAsync("GET", QStringLiteral("/api/v1/titles"), http::Access::Viewer,
                  [d](http::Request &req, http::Responder r) { getTitles(d, req, std::move(r)); });
  router.addAsync("GET", QStringLiteral("/api/v1/titles/{id}"), http::Access::Viewer, [d](http::Request &req, http::Responder r) {
    getTitle(d, req.param(QStringLiteral("id")), req, std::move(r));
  });
  router.addAsync("PATCH", QStringLiteral("/api/v1/titles/{id}"), {http::Access::Admin, 16 * 1024},
                  [d](http::Request &req, http::Responder r) { patchTitle(d, req.param(QStringLiteral("id")), req, std::move(r)); });
  router.addAsync("DELETE", QStringLiteral("/api/v1/titles/{id}"), http::Access::Admin, [d](http::Request &req, http::Responder r) {
    deleteTitle(d, req.param(QStringLiteral("id")), req.trace, std::move(r));
  });
}

}  // namespace rs::api
