#include "api/deliveryrelay.h"

#include "api/controlcalls.h"
#include "api/playback.h"
#include "core/http/server.h"
#include "core/net/httpclient.h"

namespace rs::api {

namespace {

struct Relay {
  net::HttpClient *client;
  QUrl control;

  // A fill run waits for every edge's prefetch answer (up to ~3 s each, in parallel).
  // query: already percent-encoded.
  void operator()(const QByteArray &method, const QString &path, const QString &query, const QByteArray &body,
                  const http::TraceContext &trace, const http::Responder &responder, int timeoutMs = 5000) const {
    QUrl url = control.resolved(QUrl(path));
    if (!query.isEmpty()) url.setQuery(query, QUrl::StrictMode);
    const QUrl c = control;
    client->request(method, url, body, controlCallOptions(trace, timeoutMs), [c, responder](net::ClientReply r) {
      if (r.status == 0)
        return responder.send(http::Response::error(
            ErrorCode::BadGateway, QStringLiteral("control at %1 did not answer: %2").arg(c.toString(), r.describe())));
      if (r.status == 204) return responder.send(http::Response::noContent());
      responder.send(http::Response::text(r.status, r.body, "application/json"));
    });
  }
};

QString encoded(const QString &value) { return QString::fromLatin1(QUrl::toPercentEncoding(value)); }

QString pinPath(const http::Request &req) {
  return QStringLiteral("/control/v1/fill/pins/") + encoded(req.param(QStringLiteral("title")));
}

}  // namespace

void mountDeliveryRelay(http::Router &router, net::HttpClient *client, const QUrl &control) {
  const Relay relay{client, control};
  // The delivery page is the operator's: every relay is admin-only.
  const http::Access admin = http::Access::Admin;

  router.addAsync("GET", QStringLiteral("/api/v1/delivery/edges"), admin, [relay](http::Request &req, http::Responder r) {
    relay("GET", QStringLiteral("/control/v1/edges"), {}, {}, req.trace, r);
  });
  // The viewer's own address goes along: steering places the viewer, not the api.
  router.addAsync("GET", QStringLiteral("/api/v1/delivery/steer"), admin, [relay](http::Request &req, http::Responder r) {
    QString q = QStringLiteral("title=") + encoded(req.queryValue(u"title")) + QStringLiteral("&address=") +
                encoded(viewerAddress(req.peer));
    if (const QString region = req.queryValue(u"region"); !region.isEmpty()) q += QStringLiteral("&region=") + encoded(region);
    relay("GET", QStringLiteral("/control/v1/steer"), q, {}, req.trace, r);
  });
  router.addAsync("GET", QStringLiteral("/api/v1/delivery/fill"), admin, [relay](http::Request &req, http::Responder r) {
    relay("GET", QStringLiteral("/control/v1/fill"), {}, {}, req.trace, r);
  });
  router.addAsync("POST", QStringLiteral("/api/v1/delivery/fill/run"), admin, [relay](http::Request &req, http::Responder r) {
    relay("POST", QStringLiteral("/control/v1/fill/run"), {}, {}, req.trace, r, 15000);
  });
  router.addAsync("PUT", QStringLiteral("/api/v1/delivery/fill/pins/{title}"), {admin, 16 * 1024},
                  [relay](http::Request &req, http::Responder r) { relay("PUT", pinPath(req), {}, req.body, req.trace, r); });
  router.addAsync("DELETE", QStringLiteral("/api/v1/delivery/fill/pins/{title}"), admin, [relay](http::Request &req, http::Responder r) {
    relay("DELETE", pinPath(req), {}, {}, req.trace, r);
  });
}

}  // namespace rs::api
