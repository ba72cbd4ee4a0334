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

void getTitles(const Deps &d, const http::TraceContext &trace, http::Responder responder) {
  d.client->get(controlUrl(d, QStringLiteral("/control/v1/titles")), options(trace), [d, trace, responder](net::ClientReply r) {
    if (!r.ok()) return responder.send(relayFailure(d, r));
    const QJsonArray titles = r.json().object().value(QStringLiteral("titles")).toArray();
    const bool anyReady = std::any_of(titles.begin(), titles.end(), [](const QJsonValue &v) { return isReady(v.toObject()); });
    auto answer = [titles, responder](const QUrl &origin) {
      QJsonArray out;
      for (const QJsonValue &v : titles) out.append(withPlaybackUrls(v.toObject(), origin));
      responder.send(http::Response::json(QJsonObject{{QStringLiteral("titles"), out}}));
    };
    if (!anyReady) return answer(QUrl());
    d.origins->find(trace, [answer](OriginLocator::Origin o) { answer(o.publicUrl); });
  });
}

void getTitle(const Deps &d, const QString &id, const http::TraceContext &trace, http::Responder responder) {
  const QUrl url = controlUrl(d, QStringLiteral("/control/v1/titles/") + QString::fromLatin1(QUrl::toPercentEncoding(id)));
  d.client->get(url, options(trace), [d, trace, responder](net::ClientReply r) {
    if (!r.ok()) return responder.send(relayFailure(d, r));
    const QJsonObject title = r.json().object();
    if (!isReady(title)) return responder.send(http::Response::json(title));
    d.origins->find(trace, [title, responder](OriginLocator::Origin o) {
      responder.send(http::Response::json(withPlaybackUrls(title, o.publicUrl)));
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

QString mediaUrl(const QUrl &base, const QString &titleId, const QString &asset) {
  QString url = base.toString(QUrl::StripTrailingSlash) + QStringLiteral("/media/") +
                QString::fromLatin1(QUrl::toPercentEncoding(titleId));
  for (const QString &segment : asset.split(QLatin1Char('/')))
    url += QLatin1Char('/') + QString::fromLatin1(QUrl::toPercentEncoding(segment));
  return url;
}

QJsonObject withPlaybackUrls(QJsonObject title, const QUrl &origin) {
  if (!isReady(title) || !origin.isValid() || origin.isEmpty()) return title;
  const QString id = title.value(QStringLiteral("id")).toString();
  const QJsonObject assets = title.value(QStringLiteral("assets")).toObject();
  auto url = [&](const char *key) -> QJsonValue {
    const QString asset = assets.value(QLatin1String(key)).toString();
    return asset.isEmpty() ? QJsonValue() : QJsonValue(mediaUrl(origin, id, asset));
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

void mountTitles(http::Router &router, roles::RoleHost &host, const QUrl &control) {
  const Deps d{host.client(), control, makeOriginLocator(host, control)};

  router.addAsync("GET", QStringLiteral("/api/v1/titles"),
                  [d](http::Request &req, http::Responder r) { getTitles(d, req.trace, std::move(r)); });
  router.addAsync("GET", QStringLiteral("/api/v1/titles/{id}"), [d](http::Request &req, http::Responder r) {
    getTitle(d, req.param(QStringLiteral("id")), req.trace, std::move(r));
  });
  router.addAsync("DELETE", QStringLiteral("/api/v1/titles/{id}"), [d](http::Request &req, http::Responder r) {
    deleteTitle(d, req.param(QStringLiteral("id")), req.trace, std::move(r));
  });
}

}  // namespace rs::api
