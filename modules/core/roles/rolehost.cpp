#include "core/roles/rolehost.h"

#include "core/auth/clusterkeys.h"
#include "core/auth/listenerauth.h"
#include "core/auth/servicetoken.h"
#include "core/http/server.h"
#include "core/log/log.h"
#include "core/metrics/metrics.h"
#include "core/net/httpclient.h"
#include "core/tls/localca.h"
#include "core/tls/settings.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>
#include <QSysInfo>
#include <QUuid>
#include <unistd.h>

namespace rs::roles {

struct RoleHost::Listener {
  std::shared_ptr<http::Router> router = std::make_shared<http::Router>();
  std::unique_ptr<metrics::Registry> metrics = std::make_unique<metrics::Registry>();
  std::unique_ptr<http::HttpServer> server;
  std::shared_ptr<auth::ListenerAuth> auth;
  QStringList roles;  // the role that owns it and any mounted on it
};

struct RoleHost::Running {
  std::unique_ptr<Role> role;
  QString instanceId;
  Listener *listener = nullptr;  // own or mounted-on; null for roles without one
  qint64 heartbeatsOk = 0;
};

QString resolveDataDir(const QString &configured) {
  QString p = configured;
  if (p == QLatin1String("~") || p.startsWith(QLatin1String("~/"))) p = QDir::homePath() + p.mid(1);
  return QDir(p).absolutePath();
}

RoleHost::RoleHost(const config::Config &config, const RoleRegistry &registry, QObject *parent)
    : QObject(parent), config_(config), registry_(registry) {
  processId_ = QUuid::createUuid().toString(QUuid::Id128).left(8);
  connect(&heartbeatTimer_, &QTimer::timeout, this, &RoleHost::heartbeat);
}

RoleHost::~RoleHost() { shutdown(0); }

QString RoleHost::instanceId(const QString &role) const {
  const auto it = running_.find(role);
  return it == running_.end() ? QString() : it->second->instanceId;
}

QUrl RoleHost::localUrl(const QString &role) const {
  const auto it = running_.find(role);
  if (it == running_.end() || !it->second->listener) return {};
  const bool tls = it->second->listener->server->isTls();
  QUrl u;
  u.setScheme(tls ? QStringLiteral("https") : QStringLiteral("http"));
  u.setHost(QStringLiteral("127.0.0.1"));
  u.setPort(it->second->listener->server->boundPort());
  return u;
}

QString RoleHost::schemeFor(const QString &role) const {
  if (const auto it = running_.find(role); it != running_.end() && it->second->listener)
    return it->second->listener->server->isTls() ? QStringLiteral("https") : QStringLiteral("http");
  // Not here: assume the other machine runs with the same TLS settings as this one.
  auto c = tls::listenerCertificate(config_, dataDir_, role);
  return c && c->enabled() ? QStringLiteral("https") : QStringLiteral("http");
}

Status RoleHost::reloadTls() {
  Status first = Status::ok();
  for (auto &[name, l] : listeners_) {
    if (Status s = l->server->reloadTls(); !s.isOk()) {
      qCWarning(lcCore).noquote() << name << "TLS reload failed, the old certificate stays in service:" << s.message();
      if (first.isOk()) first = s;
    }
  }
  return first;
}

QUrl RoleHost::publicUrl(const QString &role) const {
  QUrl u = localUrl(role);
  if (!u.isEmpty()) u.setHost(config_.value(u"public-host"));
  return u;
}

Status RoleHost::start() {
  auto resolved = registry_.resolve(config_.value(u"role"));
  RS_RETURN_IF_ERROR(resolved.status());
  order_ = *resolved;

  dataDir_ = resolveDataDir(config_.value(u"data-dir"));
  if (!QDir().mkpath(dataDir_))
    return Status(ErrorCode::IoError, QStringLiteral("cannot create data directory %1").arg(dataDir_));

  // A typo in a security switch must not silently pick a side.
  for (const auto &[key, allowed] : {std::pair{u"metrics-auth", QStringList{QStringLiteral("none"), QStringLiteral("service")}},
                                     std::pair{u"media-auth", QStringList{QStringLiteral("on"), QStringLiteral("off")}}}) {
    if (!allowed.contains(config_.value(key)))
      return Status(ErrorCode::BadRequest, QStringLiteral("--%1 must be %2, not '%3'")
                                               .arg(QString::fromUtf16(key), allowed.join(QStringLiteral(" or ")), config_.value(key)));
  }
  RS_RETURN_IF_ERROR(openKeys());

  accessLog_ = std::make_unique<log::AccessLog>();
  QString accessPath = config_.value(u"access-log");
  accessPath.replace(QLatin1String("<data-dir>"), dataDir_);
  RS_RETURN_IF_ERROR(accessLog_->open(accessPath));

  http::ServerOptions base;
  auto workers = config_.integer(u"workers", 0, 256);
  auto maxConn = config_.integer(u"max-connections", 1, 1'000'000);
  auto maxLine = config_.integer(u"max-request-line", 256, 1 << 20);
  auto maxHeaderBytes = config_.integer(u"max-header-bytes", 1024, 1 << 24);
  auto maxHeaderCount = config_.integer(u"max-header-count", 1, 10000);
  auto maxBody = config_.number(u"max-body", 1, 1e15);
  auto headerTimeout = config_.number(u"header-timeout", 0.1, 3600);
  auto bodyTimeout = config_.number(u"body-timeout", 0.1, 3600);
  auto idleTimeout = config_.number(u"idle-timeout", 0.1, 86400);
  auto sendTimeout = config_.number(u"send-timeout", 0.1, 3600);
  auto heartbeatSec = config_.number(u"heartbeat-interval", 0.1, 3600);
  for (const Status &s : {workers.status(), maxConn.status(), maxLine.status(), maxHeaderBytes.status(),
                          maxHeaderCount.status(), maxBody.status(), headerTimeout.status(), bodyTimeout.status(),
                          idleTimeout.status(), sendTimeout.status(), heartbeatSec.status()}) {
    RS_RETURN_IF_ERROR(s);
  }
  base.workers = *workers;
  base.maxConnections = *maxConn;
  base.parser.maxRequestLine = *maxLine;
  base.parser.maxHeaderBytes = *maxHeaderBytes;
  base.parser.maxHeaderCount = *maxHeaderCount;
  base.maxBodyBytes = qint64(*maxBody);
  base.headerTimeoutMs = int(*headerTimeout * 1000);
  base.bodyTimeoutMs = int(*bodyTimeout * 1000);
  base.idleTimeoutMs = int(*idleTimeout * 1000);
  base.sendTimeoutMs = int(*sendTimeout * 1000);
  base.accessLog = accessLog_.get();
  // Clients first: everything this process calls (the roles' own calls included)
  // verifies TLS peers against the system store plus the stack's CA.
  QString caFile = config_.value(u"tls-ca");
  caFile.replace(QLatin1String("<data-dir>"), dataDir_);
  if (!config_.isSet(u"tls-ca")) caFile = tls::clientCaFile(QString(), dataDir_);
  RS_RETURN_IF_ERROR(tls::installClientTrust(caFile));

  // 1. Bind every listener first, so actual ports (also for ":0") are known to all.
  for (const QString &name : order_) {
    const RoleInfo *info = findRole(name);
    if (info->defaultPort == 0) continue;
    auto listen = config::parseListen(config_.value(QString(name + QStringLiteral("-listen"))));
    RS_RETURN_IF_ERROR(listen.status());
    auto l = std::make_unique<Listener>();
    metrics::addProcessMetrics(*l->metrics);
    http::ServerOptions o = base;
    auto cert = tls::listenerCertificate(config_, dataDir_, name);
    RS_RETURN_IF_ERROR(cert.status());
    o.tlsCertificate = cert->certificate;
    o.tlsPrivateKey = cert->privateKey;
    o.name = name;
    o.address = listen->address;
    o.port = listen->port;
    o.metrics = l->metrics.get();
    l->auth = std::make_shared<auth::ListenerAuth>(*keys_);
    o.authenticator = l->auth;
    l->server = std::make_unique<http::HttpServer>(o, l->router);
    RS_RETURN_IF_ERROR(l->server->bind());
    l->roles << name;
    listeners_[name] = std::move(l);
  }

  client_ = new net::HttpClient(this);
  credential_ = std::make_unique<auth::ServiceCredential>(*keys_, order_.join(QLatin1Char('+')), processId_);
  client_->setAuthorization([cred = credential_.get()] { return cred->authorization(); });
  for (const QString &name : order_) {
    auto r = std::make_unique<Running>();
    r->instanceId = QStringLiteral("%1-%2-%3").arg(QSysInfo::machineHostName().section(QLatin1Char('.'), 0, 0), name, processId_);
    const RoleInfo *info = findRole(name);
    if (listeners_.count(name)) r->listener = listeners_[name].get();
    else if (!info->mountsOn.isEmpty() && listeners_.count(info->mountsOn)) {
      r->listener = listeners_[info->mountsOn].get();
      r->listener->roles << name;
    }
    running_[name] = std::move(r);
  }
  if (running_.count(QStringLiteral("control"))) controlUrl_ = localUrl(QStringLiteral("control"));
  else controlUrl_ = QUrl(config_.isSet(u"control") ? config_.value(u"control")
                                                    : schemeFor(QStringLiteral("control")) + QStringLiteral("://127.0.0.1:8083"));
  if (!controlUrl_.isValid() || controlUrl_.host().isEmpty())
    return Status(ErrorCode::BadRequest, QStringLiteral("--control '%1' is not a URL").arg(config_.value(u"control")));

  // 2. Start the roles (they declare their routes), dependencies first.
  for (const QString &name : order_) {
    Running &r = *running_[name];
    r.role = registry_.create(name);
    RoleContext ctx{config_, dataDir_, r.instanceId, controlUrl_,
                    r.listener ? r.listener->router.get() : nullptr,
                    r.listener ? r.listener->metrics.get() : nullptr,
                    r.listener ? r.listener->auth.get() : nullptr, this};
    if (Status s = r.role->start(ctx); !s.isOk())
      return Status(s.code(), QStringLiteral("role %1 failed to start: %2").arg(name, s.message()));
  }

  // 3. Probes on every listener, then open for business.
  for (auto &[owner, l] : listeners_) {
    addProbes(*l);
    RS_RETURN_IF_ERROR(l->server->startWorkers());
  }
  for (const QString &name : order_) {
    if (!listeners_.count(name) && !findRole(name)->mountsOn.isEmpty())
      qCInfo(lcCore).noquote() << name << "routes served on the" << findRole(name)->mountsOn << "listener";
    else if (!listeners_.count(name))
      qCInfo(lcCore).noquote() << name << "running (no listener of its own)";
  }
  RS_RETURN_IF_ERROR(writeEndpointsFile());
  logTlsAdvice(caFile);

  auto missed = config_.integer(u"instance-expiry", 1, 1000);
  RS_RETURN_IF_ERROR(missed.status());
  expiryHeartbeats_ = *missed;
  heartbeatTimer_.setInterval(int(*heartbeatSec * 1000));
  heartbeat();
  heartbeatTimer_.start();
  if (mediaGate_ && mediaGate_->enabled()) {
    publicTitlesTimer_.setInterval(heartbeatTimer_.interval());
    refreshPublicTitles();
    publicTitlesTimer_.start();
  }
  qCInfo(lcCore).noquote() << "roles running:" << order_.join(QStringLiteral(", ")) << "| control:"
                           << controlUrl_.toString() << "| data:" << dataDir_;
  return Status::ok();
}

void RoleHost::logTlsAdvice(const QString &caFile) const {
  bool any = false;
  for (const auto &[name, l] : listeners_) any = any || l->server->isTls();
  if (!any) {
    if (config_.value(u"tls") == QLatin1String("auto"))
      qCInfo(lcCore).noquote() << "listeners speak plain HTTP; for HTTPS run `platform tls init` (or give --tls-cert/--tls-key)";
    return;
  }
  const tls::LocalCaFiles local = tls::localCaFiles(dataDir_);
  if (caFile != local.caCertificate) return;  // a real or operator-managed CA: nothing to teach
  qCInfo(lcCore).noquote() << "HTTPS with the local CA" << local.caCertificate << "- browsers and other machines must trust it:"
                           << "Debian: sudo cp" << local.caCertificate
                           << "/usr/local/share/ca-certificates/reelstack.crt && sudo update-ca-certificates;"
                           << "Chromium: certutil -d sql:$HOME/.pki/nssdb -A -t C,, -n reelstack -i" << local.caCertificate
                           << QStringLiteral("; other clients: --tls-ca=") + local.caCertificate;
}

void RoleHost::addProbes(Listener &l) {
  Listener *lp = &l;
  // Counters and latencies, no secrets and nothing per viewer: open unless the
  // deployment asks otherwise (docs/security.md).
  const http::Access metricsAccess =
      config_.value(u"metrics-auth") == QLatin1String("service") ? http::Access::Service : http::Access::Public;
  lp->router->get(QStringLiteral("/healthz"), http::Access::Public, [lp, this](http::Request &) {
    QJsonArray roles;
    for (const QString &r : lp->roles) roles.append(r);
    return http::Response::json(QJsonObject{{QStringLiteral("status"), QStringLiteral("ok")},
                                            {QStringLiteral("roles"), roles},
                                            {QStringLiteral("version"), QStringLiteral(REELSTACK_VERSION)},
                                            {QStringLiteral("instance"), processId_}});
  });
  lp->router->get(QStringLiteral("/readyz"), http::Access::Public, [lp, this](http::Request &) {
    QJsonObject state;
    bool all = !stopped_;
    for (const QString &name : lp->roles) {
      const auto it = running_.find(name);
      const bool ready = it != running_.end() && it->second->role && it->second->role->ready();
      state.insert(name, ready);
      all = all && ready;
    }
    return http::Response::json(QJsonObject{{QStringLiteral("ready"), all}, {QStringLiteral("roles"), state}},
                                all ? 200 : 503);
  });
  lp->router->get(QStringLiteral("/metrics"), metricsAccess, [lp](http::Request &) {
    return http::Response::text(200, lp->metrics->render(), metrics::kContentType);
  });
  // The route table, so an operator (and the tests that walk every route) can see
  // what this listener serves and who may call each route.
  lp->router->get(QStringLiteral("/debug/v1/routes"), http::Access::Service, [lp](http::Request &) {
    QJsonArray routes;
    for (const auto &r : lp->router->routes())
      routes.append(QJsonObject{{QStringLiteral("method"), QString::fromLatin1(r.method)},
                                {QStringLiteral("pattern"), r.pattern},
                                {QStringLiteral("access"), QLatin1String(http::accessName(r.access))}});
    QJsonArray roles;
    for (const QString &r : lp->roles) roles.append(r);
    return http::Response::json(QJsonObject{{QStringLiteral("roles"), roles}, {QStringLiteral("routes"), routes}});
  });
}

Status RoleHost::openKeys() {
  QString path = config_.value(u"cluster-key-file");
  path.replace(QLatin1String("<data-dir>"), dataDir_);
  if (order_.contains(QStringLiteral("control"))) {
    bool created = false;
    RS_RETURN_IF_ERROR(auth::ensureKeyFile(path, &created));
    if (created)
      qCInfo(lcCore).noquote() << "created the cluster key" << path
                               << "(mode 0600; roles on other machines need a copy: --cluster-key-file=FILE)";
  }
  keys_ = new auth::ClusterKeys(path, this);
  if (Status s = keys_->load(); !s.isOk()) {
    // A damaged ring is a start-up error; a missing one leaves a process that can
    // serve nothing protected and reach no other role, which it says loudly.
    if (s.code() != ErrorCode::NotFound) return s;
    qCCritical(lcCore).noquote() << "NO CLUSTER KEY at" << path
                                 << ": this process cannot register with control, call other roles or check tokens."
                                 << "Copy control's <data-dir>/secrets/cluster.key here (mode 0600) or pass --cluster-key-file=FILE.";
  }
  // A rotation on disk reaches this process without a restart.
  keys_->watch(2000);
  return Status::ok();
}

std::shared_ptr<auth::MediaGate> RoleHost::mediaGate() {
  if (mediaGate_) return mediaGate_;
  const bool enabled = config_.value(u"media-auth") != QLatin1String("off");
  mediaGate_ = std::make_shared<auth::MediaGate>(*keys_, enabled);
  if (!enabled) {
    qCWarning(lcCore).noquote() << "MEDIA AUTH IS OFF (--media-auth=off): every title on this edge/origin is served to anyone";
    return mediaGate_;
  }
  connect(&publicTitlesTimer_, &QTimer::timeout, this, &RoleHost::refreshPublicTitles);
  return mediaGate_;
}

void RoleHost::refreshPublicTitles() {
  if (!mediaGate_) return;
  net::ClientOptions o;
  o.timeoutMs = 2000;
  std::weak_ptr<auth::MediaGate> gate = mediaGate_;
  client_->get(controlUrl_.resolved(QUrl(QStringLiteral("/control/v1/public-titles"))), o, [gate](net::ClientReply r) {
    auto g = gate.lock();
    if (!g || !r.ok()) return;  // keep the last list: control down must not open or close titles
    QSet<QString> ids;
    for (const QJsonValue &v : r.json().object().value(QStringLiteral("titles")).toArray()) ids.insert(v.toString());
    g->setPublicTitles(std::move(ids));
  });
}

void RoleHost::heartbeat() {
  const QUrl url = controlUrl_.resolved(QUrl(QStringLiteral("/control/v1/heartbeat")));
  for (const QString &name : order_) {
    Running &r = *running_[name];
    QJsonObject load = r.role ? r.role->load() : QJsonObject{};
    if (r.listener) load.insert(QStringLiteral("connections"), r.listener->server->activeConnections());
    const QUrl pub = publicUrl(name);
    const QJsonObject body{{QStringLiteral("instanceId"), r.instanceId},
                           {QStringLiteral("role"), name},
                           {QStringLiteral("url"), pub.isEmpty() ? QString() : pub.toString()},
                           {QStringLiteral("version"), QStringLiteral(REELSTACK_VERSION)},
                           {QStringLiteral("host"), QSysInfo::machineHostName()},
                           {QStringLiteral("pid"), qint64(::getpid())},
                           {QStringLiteral("heartbeatIntervalMs"), heartbeatTimer_.interval()},
                           {QStringLiteral("expiryHeartbeats"), expiryHeartbeats_},
                           {QStringLiteral("load"), load}};
    net::ClientOptions o;
    o.timeoutMs = 2000;
    client_->post(url, QJsonDocument(body).toJson(QJsonDocument::Compact), o, [this, name](net::ClientReply reply) {
      if (reply.ok()) return;
      QString why = reply.describe();
      if (reply.status == 401 || reply.status == 403)
        why += QStringLiteral(" (this process must hold the same cluster key as control: --cluster-key-file=%1)").arg(keys_->path());
      qCWarning(lcCore).noquote() << "heartbeat of" << name << "to" << controlUrl_.toString() << "failed:" << why;
      Q_EMIT heartbeatFailed(name, why);
    });
  }
}

Status RoleHost::writeEndpointsFile() const {
  // Lets scripts and tests find the actual ports (useful with ":0" listeners).
  QJsonObject roles;
  for (const QString &name : order_) {
    const QUrl u = localUrl(name);
    roles.insert(name, u.isEmpty() ? QJsonValue() : QJsonValue(u.toString()));
  }
  const QJsonObject doc{{QStringLiteral("pid"), qint64(::getpid())},
                        {QStringLiteral("control"), controlUrl_.toString()},
                        {QStringLiteral("roles"), roles}};
  QDir().mkpath(dataDir_ + QStringLiteral("/run"));
  QSaveFile f(dataDir_ + QStringLiteral("/run/endpoints.json"));
  if (!f.open(QIODevice::WriteOnly) || f.write(QJsonDocument(doc).toJson()) < 0 || !f.commit())
    return Status(ErrorCode::IoError, QStringLiteral("cannot write %1: %2").arg(f.fileName(), f.errorString()));
  return Status::ok();
}

void RoleHost::shutdown(int deadlineMs) {
  if (stopped_) return;
  stopped_ = true;
  heartbeatTimer_.stop();
  publicTitlesTimer_.stop();
  for (auto &[name, l] : listeners_) l->server->close();  // every listener stops accepting at once
  const QDeadlineTimer deadline(qMax(0, deadlineMs));
  for (auto &[name, l] : listeners_) l->server->shutdown(int(qMax<qint64>(0, deadline.remainingTime())));
  for (auto it = order_.crbegin(); it != order_.crend(); ++it) {
    auto r = running_.find(*it);
    if (r != running_.end() && r->second->role) r->second->role->stop();
  }
  QFile::remove(dataDir_ + QStringLiteral("/run/endpoints.json"));
}

}  // namespace rs::roles
