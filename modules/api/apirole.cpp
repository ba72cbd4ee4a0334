#include "api/apirole.h"

#include "core/http/fileserver.h"
#include "core/http/server.h"
#include "core/log/log.h"
#include "core/net/httpclient.h"
#include "core/roles/rolehost.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QPointer>
#include <memory>

namespace rs {
Q_LOGGING_CATEGORY(lcApi, "rs.api")
}

namespace rs::api {

namespace {

http::Response resource(const QString &name) {
  QFile f(QStringLiteral(":/web/") + name);
  if (!f.open(QIODevice::ReadOnly)) return http::Response::error(ErrorCode::NotFound, QStringLiteral("no such page"));
  http::Response r = http::Response::text(200, f.readAll(), http::contentTypeFor(name));
  r.headers.add("Cache-Control", "no-cache");
  r.headers.add("Content-Security-Policy", "default-src 'self'; connect-src 'self'; img-src 'self' data:");
  r.headers.add("X-Content-Type-Options", "nosniff");
  return r;
}

// Gathers /control/v1/instances, then asks each instance's /healthz, and answers once
// every probe came back (or timed out).
void collectStatus(net::HttpClient *client, QUrl control, http::TraceContext trace, http::Responder responder) {
  net::ClientOptions o;
  o.timeoutMs = 2000;
  o.trace = trace;
  client->get(control.resolved(QUrl(QStringLiteral("/control/v1/instances"))), o,
              [client, control, o, responder](net::ClientReply reply) {
    if (!reply.ok()) {
      responder.send(http::Response::error(ErrorCode::BadGateway,
                                           QStringLiteral("control at %1 did not answer: %2")
                                               .arg(control.toString(), reply.error.isEmpty() ? QStringLiteral("HTTP %1").arg(reply.status) : reply.error)));
      return;
    }
    const QJsonArray instances = reply.json().object().value(QStringLiteral("instances")).toArray();
    struct Pending {
      QJsonArray out;
      int left = 0;
    };
    auto pending = std::make_shared<Pending>();
    pending->left = int(instances.size());
    auto finish = [control, responder, pending] {
      responder.send(http::Response::json(QJsonObject{{QStringLiteral("control"), control.toString()},
                                                      {QStringLiteral("instances"), pending->out}}));
    };
    if (instances.isEmpty()) {
      finish();
      return;
    }
    for (const QJsonValue &v : instances) {
      QJsonObject inst = v.toObject();
      const QString url = inst.value(QStringLiteral("url")).toString();
      if (url.isEmpty()) {
        // No listener of its own: its heartbeat is its health.
        inst.insert(QStringLiteral("health"), QStringLiteral("heartbeating"));
        pending->out.append(inst);
        if (--pending->left == 0) finish();
        continue;
      }
      inst.insert(QStringLiteral("metricsUrl"), QString(url + QStringLiteral("/metrics")));
      client->get(QUrl(url + QStringLiteral("/healthz")), o, [inst, pending, finish](net::ClientReply h) mutable {
        inst.insert(QStringLiteral("health"), h.ok() ? QStringLiteral("ok")
                                                     : (h.error.isEmpty() ? QStringLiteral("HTTP %1").arg(h.status) : h.error));
        pending->out.append(inst);
        if (--pending->left == 0) finish();
      });
    }
  });
}

class ApiRole final : public roles::Role {
 public:
  Status start(roles::RoleContext &ctx) override {
    net::HttpClient *client = ctx.host->client();
    const QUrl control = ctx.controlUrl;
    ctx.router->get(QStringLiteral("/"), [](http::Request &) { return resource(QStringLiteral("index.html")); });
    ctx.router->get(QStringLiteral("/ui/{file}"), [](http::Request &req) { return resource(req.param(QStringLiteral("file"))); });
    ctx.router->addAsync("GET", QStringLiteral("/api/v1/status"), [client, control](http::Request &req, http::Responder r) {
      collectStatus(client, control, req.trace, std::move(r));
    });
    return Status::ok();
  }
};
}  // namespace

std::unique_ptr<roles::Role> createApiRole() { return std::make_unique<ApiRole>(); }

}  // namespace rs::api
