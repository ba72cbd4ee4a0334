#include "api/accountroutes.h"

#include "api/playback.h"
#include "core/http/server.h"
#include "identity/accountstore.h"
#include "identity/accountverifier.h"
#include "identity/bootstrap.h"
#include "identity/sessioncookie.h"
#include "identity/usernames.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <cmath>

namespace rs::api {

namespace {
using http::Access;
using http::Principal;
using http::Response;

qint64 nowMs() { return QDateTime::currentMSecsSinceEpoch(); }
QString iso(qint64 ms) { return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs); }

QString actorOf(const Principal &p) {
  return p.kind == Principal::Kind::ApiToken ? QStringLiteral("token:") + p.name : p.name;
}

// The request's JSON object, or why not: `fields` (strings) and `numbers` are the only
// keys it may hold.
Result<QJsonObject> jsonBody(const http::Request &req, const QStringList &fields, const QStringList &numbers = {}) {
  QJsonParseError err;
  const QJsonDocument doc = QJsonDocument::fromJson(req.body, &err);
  if (err.error != QJsonParseError::NoError || !doc.isObject())
    return Status(ErrorCode::BadRequest, QStringLiteral("body must be a JSON object"));
  const QJsonObject o = doc.object();
  for (auto it = o.begin(); it != o.end(); ++it) {
    if (numbers.contains(it.key())) {
      if (!it.value().isDouble()) return Status(ErrorCode::BadRequest, QStringLiteral("\"%1\" must be a number").arg(it.key()));
    } else if (!fields.contains(it.key())) {
      return Status(ErrorCode::BadRequest, QStringLiteral("unknown field \"%1\"").arg(it.key().left(64)));
    } else if (!it.value().isString()) {
      return Status(ErrorCode::BadRequest, QStringLiteral("\"%1\" must be a string").arg(it.key()));
    }
  }
  return o;
}

Response noStore(Response r) {
  // Answers that carry a secret (a new token, a session) are never cached anywhere.
  r.headers.set("Cache-Control", "no-store");
  return r;
}
}  // namespace

AccountRoutes::AccountRoutes(std::shared_ptr<identity::AccountStore> store, AccountRoutesOptions options)
    : store_(std::move(store)), options_(std::move(options)), throttle_(options_.throttle) {
  // scrypt holds 32 MiB and a core for ~0.1 s: two at a time is what 2 cores give.
  kdf_.setMaxThreadCount(qMax(1, qMin(QThread::idealThreadCount(), 4)));
}

void AccountRoutes::drain() { kdf_.waitForDone(); }

void AccountRoutes::login(http::Request &req, http::Responder r) {
  // Login CSRF (signing a victim into the attacker's account) is refused like any other.
  if (Status s = identity::checkCsrf(req); !s.isOk()) return r.send(Response::error(s));
  auto body = jsonBody(req, {QStringLiteral("username"), QStringLiteral("password")});
  if (!body) return r.send(Response::error(body.status()));
  const QString username = body->value(QStringLiteral("username")).toString();
  const QString password = body->value(QStringLiteral("password")).toString();
  if (username.isEmpty() || password.isEmpty())
    return r.send(Response::error(ErrorCode::BadRequest, QStringLiteral("username and password are required")));
  const auto normalized = identity::normalizeUsername(username);
  const QString account = normalized ? normalized.value() : username.left(64);
  const QString address = viewerAddress(req.peer);
  if (const qint64 wait = throttle_.retryAfterMs(account, address, nowMs()); wait > 0) {
    const qint64 seconds = qint64(std::ceil(double(wait) / 1000.0));
    Response resp = Response::error(ErrorCode::TooManyRequests,
                                    QStringLiteral("too many failed logins: try again in %1 s").arg(seconds));
    resp.headers.set("Retry-After", QByteArray::number(seconds));
    return r.send(std::move(resp));
  }
  const QByteArray userAgent = req.header("User-Agent");
  const identity::CookieLookup previous = identity::findSessionCookie(req.header("Cookie"));
  kdf_.start([this, username, password, account, address, userAgent, previous, r] {
    auto user = store_->authenticate(username, password);
    if (!user) {
      throttle_.failed(account, address, nowMs());
      store_->audit({account, QStringLiteral("login_failed"), account, address, false, user.status().message()});
      return r.send(Response::error(user.status()));
    }
    throttle_.succeeded(account, address, nowMs());
    // A new id at every login; a session the browser still held is ended, so an id
    // planted before login (fixation) never becomes a signed-in one.
    if (previous.kind == identity::CookieLookup::Found) store_->revokeSession(previous.value);
    auto session = store_->createSession(*user, address, QString::fromUtf8(userAgent));
    if (!session) return r.send(Response::error(session.status()));
    store_->audit({user->name, QStringLiteral("login"), user->name, address, true, {}});
    Response resp = Response::json(QJsonObject{{QStringLiteral("user"), user->toJson()},
                                               {QStringLiteral("via"), QStringLiteral("session")},
                                               {QStringLiteral("expiresAt"), iso(session->expiresMs)}});
    resp.headers.add("Set-Cookie", identity::sessionSetCookie(session->secret.toLatin1(), store_->options().sessionMaxMs / 1000,
                                                              options_.secureCookies));
    r.send(noStore(std::move(resp)));
  });
}

Response AccountRoutes::logout(http::Request &req) {
  if (req.principal.kind != Principal::Kind::Session)
    return Response::error(ErrorCode::BadRequest,
                           QStringLiteral("this request is signed with an API token; an admin revokes tokens at /api/v1/tokens"));
  const identity::CookieLookup c = identity::findSessionCookie(req.header("Cookie"));
  if (c.kind == identity::CookieLookup::Found) store_->revokeSession(c.value);
  store_->audit({req.principal.name, QStringLiteral("logout"), req.principal.name, viewerAddress(req.peer), true, {}});
  Response resp = Response::noContent();
  resp.headers.add("Set-Cookie", identity::clearSessionCookie(options_.secureCookies));
  return resp;
}

void AccountRoutes::addUser(http::Request &req, http::Responder r) {
  auto body = jsonBody(req, {QStringLiteral("name"), QStringLiteral("role"), QStringLiteral("password")});
  if (!body) return r.send(Response::error(body.status()));
  const QString actor = actorOf(req.principal), address = viewerAddress(req.peer);
  const QJsonObject b = *body;
  kdf_.start([this, b, actor, address, r] {
    const QString name = b.value(QStringLiteral("name")).toString();
    const QString role = b.value(QStringLiteral("role")).toString(QStringLiteral("viewer"));
    auto u = store_->addUser(name, role, b.value(QStringLiteral("password")).toString());
    store_->audit({actor, QStringLiteral("user_added"), name.left(64), address, u.isOk(), u ? role : u.status().message()});
    r.send(u ? Response::json(u->toJson(), 201) : Response::error(u.status()));
  });
}

void AccountRoutes::patchUser(http::Request &req, http::Responder r) {
  auto body = jsonBody(req, {QStringLiteral("role"), QStringLiteral("password")});
  if (!body) return r.send(Response::error(body.status()));
  if (body->isEmpty()) return r.send(Response::error(ErrorCode::BadRequest, QStringLiteral("nothing to change: give role and/or password")));
  const QString name = req.param(QStringLiteral("name"));
  const QString actor = actorOf(req.principal), address = viewerAddress(req.peer);
  const QJsonObject b = *body;
  kdf_.start([this, b, name, actor, address, r] {
    if (b.contains(QStringLiteral("role"))) {
      const Status s = store_->setRole(name, b.value(QStringLiteral("role")).toString());
      store_->audit({actor, QStringLiteral("user_role"), name.left(64), address, s.isOk(),
                     s.isOk() ? b.value(QStringLiteral("role")).toString() : s.message()});
      if (!s.isOk()) return r.send(Response::error(s));
    }
    if (b.contains(QStringLiteral("password"))) {
      const Status s = store_->setPassword(name, b.value(QStringLiteral("password")).toString());
      store_->audit({actor, QStringLiteral("user_password"), name.left(64), address, s.isOk(),
                     s.isOk() ? QStringLiteral("sessions ended") : s.message()});
      if (!s.isOk()) return r.send(Response::error(s));
      if (auto u = store_->user(name)) identity::forgetGeneratedPassword(options_.dataDir, u->name);
    }
    auto u = store_->user(name);
    r.send(u ? Response::json(u->toJson()) : Response::error(u.status()));
  });
}

Response AccountRoutes::createToken(http::Request &req) {
  auto body = jsonBody(req, {QStringLiteral("name"), QStringLiteral("role")}, {QStringLiteral("expiresInSeconds")});
  if (!body) return Response::error(body.status());
  const double ttl = body->value(QStringLiteral("expiresInSeconds")).toDouble(0);
  if (ttl < 0 || ttl > 10 * 365 * 86400.0)
    return Response::error(ErrorCode::BadRequest, QStringLiteral("expiresInSeconds must be 0 (no expiry) to ten years"));
  const QString name = body->value(QStringLiteral("name")).toString();
  const QString role = body->value(QStringLiteral("role")).toString(QStringLiteral("viewer"));
  const QString actor = actorOf(req.principal);
  auto issued = store_->createToken(name, role, ttl > 0 ? nowMs() + qint64(ttl * 1000) : 0, actor);
  store_->audit({actor, QStringLiteral("token_created"), issued ? issued->id : name.left(64), viewerAddress(req.peer),
                 issued.isOk(), issued ? name + QStringLiteral(" (") + role + QLatin1Char(')') : issued.status().message()});
  if (!issued) return Response::error(issued.status());
  auto info = store_->token(issued->id);
  if (!info) return Response::error(info.status());
  QJsonObject out = info->toJson();
  out.insert(QStringLiteral("token"), issued->secret);  // shown this once; only its hash is kept
  return noStore(Response::json(out, 201));
}

void AccountRoutes::mount(http::Router &router) {
  router.addAsync("POST", QStringLiteral("/api/v1/session"), {Access::Public, 8 * 1024},
                  [this](http::Request &req, http::Responder r) { login(req, std::move(r)); });
  router.get(QStringLiteral("/api/v1/session"), Access::Viewer, [](http::Request &req) {
    const Principal &p = req.principal;
    const bool token = p.kind == Principal::Kind::ApiToken;
    return Response::json(QJsonObject{
        {QStringLiteral("user"), QJsonObject{{QStringLiteral("name"), token ? QStringLiteral("token:") + p.name : p.name},
                                             {QStringLiteral("role"), QLatin1String(http::authorityName(p.authority))}}},
        {QStringLiteral("via"), token ? QStringLiteral("token") : QStringLiteral("session")}});
  });
  router.del(QStringLiteral("/api/v1/session"), Access::Viewer, [this](http::Request &req) { return logout(req); });

  const http::RouteOptions adminBody{Access::Admin, 16 * 1024};
  router.get(QStringLiteral("/api/v1/users"), Access::Admin, [this](http::Request &) {
    auto users = store_->users();
    if (!users) return Response::error(users.status());
    QJsonArray out;
    for (const identity::User &u : *users) out.append(u.toJson());
    return Response::json(QJsonObject{{QStringLiteral("users"), out}});
  });
  router.addAsync("POST", QStringLiteral("/api/v1/users"), adminBody,
                  [this](http::Request &req, http::Responder r) { addUser(req, std::move(r)); });
  router.addAsync("PATCH", QStringLiteral("/api/v1/users/{name}"), adminBody,
                  [this](http::Request &req, http::Responder r) { patchUser(req, std::move(r)); });
  router.del(QStringLiteral("/api/v1/users/{name}"), Access::Admin, [this](http::Request &req) {
    const QString name = req.param(QStringLiteral("name"));
    const Status s = store_->removeUser(name);
    store_->audit({actorOf(req.principal), QStringLiteral("user_removed"), name.left(64), viewerAddress(req.peer), s.isOk(), s.message()});
    return s.isOk() ? Response::noContent() : Response::error(s);
  });

  router.get(QStringLiteral("/api/v1/tokens"), Access::Admin, [this](http::Request &) {
    auto tokens = store_->tokens();
    if (!tokens) return Response::error(tokens.status());
    QJsonArray out;
    for (const identity::TokenInfo &t : *tokens) out.append(t.toJson());
    return Response::json(QJsonObject{{QStringLiteral("tokens"), out}});
  });
  router.post(QStringLiteral("/api/v1/tokens"), adminBody, [this](http::Request &req) { return createToken(req); });
  router.del(QStringLiteral("/api/v1/tokens/{id}"), Access::Admin, [this](http::Request &req) {
    const QString id = req.param(QStringLiteral("id"));
    const Status s = store_->revokeToken(id);
    store_->audit({actorOf(req.principal), QStringLiteral("token_revoked"), id.left(64), viewerAddress(req.peer), s.isOk(), s.message()});
    return s.isOk() ? Response::noContent() : Response::error(s);
  });

  router.get(QStringLiteral("/api/v1/audit"), Access::Admin, [this](http::Request &req) {
    bool ok1 = true, ok2 = true;
    const QString limitText = req.queryValue(u"limit"), beforeText = req.queryValue(u"before");
    const int limit = limitText.isEmpty() ? 100 : limitText.toInt(&ok1);
    const qint64 before = beforeText.isEmpty() ? 0 : beforeText.toLongLong(&ok2);
    if (!ok1 || !ok2 || limit < 1 || limit > 1000 || before < 0)
      return Response::error(ErrorCode::BadRequest, QStringLiteral("limit must be 1..1000 and before an entry id"));
    auto entries = store_->auditLog(limit, before);
    if (!entries) return Response::error(entries.status());
    return Response::json(QJsonObject{{QStringLiteral("entries"), *entries}});
  });
}

}  // namespace rs::api
