#include "api/apirole.h"

#include "api/accountroutes.h"
#include "api/deliveryrelay.h"
#include "api/playback.h"
#include "api/simulation.h"
#include "api/titles.h"
#include "api/webui.h"
#include "core/http/server.h"
#include "core/log/log.h"
#include "core/net/httpclient.h"
#include "core/auth/listenerauth.h"
#include "core/config/config.h"
#include "core/roles/rolehost.h"
#include "identity/accountstore.h"
#include "identity/accountverifier.h"
#include "identity/bootstrap.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QPointer>
#include <QTimer>
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
    RS_RETURN_IF_ERROR(startAccounts(ctx));
    mountWebUi(*ctx.router);
    ctx.router->addAsync("GET", QStringLiteral("/api/v1/status"), http::Access::Admin, [client, control](http::Request &req, http::Responder r) {
      collectStatus(client, control, req.trace, std::move(r));
    });
    auto ttl = ctx.config.integer(u"playback-token-ttl", 10, 86400);
    RS_RETURN_IF_ERROR(ttl.status());
    const MediaTokens tokens{&ctx.host->keys(), *ttl};
    mountTitles(*ctx.router, *ctx.host, control, tokens);
    mountPlayback(*ctx.router, *ctx.host, control, tokens);
    mountDeliveryRelay(*ctx.router, client, control);
    mountSimulation(*ctx.router, *ctx.host, control);
    return Status::ok();
  }

  void stop() override {
    pruneTimer_.stop();
    if (routes_) routes_->drain();
  }

 private:
  // Accounts live with the api (BRIEF.md): its own database, the first admin, the
  // local bootstrap token, and the verifier its listener asks about cookies and tokens.
  Status startAccounts(roles::RoleContext &ctx) {
    auto n = ctx.config.number(u"scrypt-n", 1024, 1e12);
    auto r = ctx.config.integer(u"scrypt-r", 1, 64);
    auto p = ctx.config.integer(u"scrypt-p", 1, 16);
    auto minLength = ctx.config.integer(u"password-min-length", 1, 1024);
    auto idle = ctx.config.number(u"session-idle", 1, 1e9);
    auto max = ctx.config.number(u"session-max", 1, 1e9);
    auto backoff = ctx.config.number(u"login-backoff-max", 1, 86400);
    for (const Status &s : {n.status(), r.status(), p.status(), minLength.status(), idle.status(), max.status(), backoff.status()})
      RS_RETURN_IF_ERROR(s);
    auto scrypt = identity::checkScryptParams(quint64(*n), quint32(*r), quint32(*p));
    RS_RETURN_IF_ERROR(scrypt.status());
    identity::AccountStore::Options o{*scrypt, *minLength, qint64(*idle * 1000), qint64(*max * 1000)};
    auto store = identity::AccountStore::open(identity::AccountStore::defaultPath(ctx.dataDir), o, true);
    RS_RETURN_IF_ERROR(store.status());
    store_ = std::move(*store);
    bool created = false;
    RS_RETURN_IF_ERROR(identity::ensureFirstAdmin(*store_, ctx.dataDir, &created));
    if (created)
      qCWarning(lcApi).noquote() << "first start: created the account 'admin'; its password is in"
                                 << identity::adminPasswordPath(ctx.dataDir) << "(change it after signing in)";
    RS_RETURN_IF_ERROR(identity::ensureLocalToken(*store_, ctx.dataDir));
    ctx.auth->setUserVerifier(std::make_shared<identity::AccountVerifier>(store_));

    AccountRoutesOptions ro;
    ro.dataDir = ctx.dataDir;
    // Secure exactly when the listener that sets the cookie speaks TLS.
    ro.secureCookies = ctx.host->schemeFor(QStringLiteral("api")) == QLatin1String("https");
    ro.throttle.addressMaxMs = qint64(*backoff * 1000);
    routes_ = std::make_unique<AccountRoutes>(store_, ro);
    routes_->mount(*ctx.router);
    pruneTimer_.setInterval(600'000);
    QObject::connect(&pruneTimer_, &QTimer::timeout, [store = store_] { store->prune(); });
    pruneTimer_.start();
    return Status::ok();
  }

  std::shared_ptr<identity::AccountStore> store_;
  std::unique_ptr<AccountRoutes> routes_;
  QTimer pruneTimer_;
};
}  // namespace

std::unique_ptr<roles::Role> createApiRole() { return std::make_unique<ApiRole>(); }

}  // namespace rs::api
