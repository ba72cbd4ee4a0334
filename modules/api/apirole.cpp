#include "api/apirole.h"

#include "api/deliveryrelay.h"
#include "api/playback.h"
#include "api/simulation.h"
#include "api/titles.h"
#include "api/webui.h"
#include "core/http/server.h"
#include "core/log/log.h"
#include "core/net/httpclient.h"
#include "core/roles/rolehost.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QPointer>
#include <memory>

namespace rs {
Q_LOGGING_CATEGORY(lcApi, "rs.api")
}

namespace rs::api {

namespace {

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
    mountWebUi(*ctx.router);
    ctx.router->addAsync("GET", QStringLiteral("/api/v1/status"), [client, control](http::Request &req, http::Responder r) {
      collectStatus(client, control, req.trace, std::move(r));
    });
    mountTitles(*ctx.router, *ctx.host, control);
    mountPlayback(*ctx.router, *ctx.host, control);
    mountDeliveryRelay(*ctx.router, client, control);
    mountSimulation(*ctx.router, *ctx.host, control);
    return Status::ok();
  }
};
}  // namespace

std::unique_ptr<roles::Role> createApiRole() { return std::make_unique<ApiRole>(); }

}  // namespace rs::api
