#include "player/load/login.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace rs::player {

namespace {

constexpr char kCookieName[] = "rs_session";

QString messageOf(const FetchResult &r) {
  return QJsonDocument::fromJson(r.body).object().value(QStringLiteral("error")).toObject().value(QStringLiteral("message")).toString();
}

}  // namespace

void ViewerCredential::apply(FetchRequest &request) const {
  if (!authorization.isEmpty()) request.authorization = authorization;
  if (cookie.isEmpty()) return;
  request.headers.emplace_back("Cookie", cookie);
  // The api refuses cookie-authenticated changes without it (CSRF protection).
  if (request.method != "GET" && request.method != "HEAD") request.headers.emplace_back("X-ReelStack-CSRF", "1");
}

FetchRequest loginRequest(const QUrl &target, const Credentials &credentials) {
  FetchRequest req;
  req.method = "POST";
  req.url = target.resolved(QUrl(QStringLiteral("/api/v1/session")));
  req.wantBody = true;
  // scrypt on a busy api queues behind other logins (about ten a second on 2 cores):
  // a viewer waits as a browser would, rather than giving up and logging in again.
  req.timeoutMs = 60000;
  req.contentType = "application/json";
  req.body = QJsonDocument(QJsonObject{{QStringLiteral("username"), credentials.user}, {QStringLiteral("password"), credentials.password}})
                 .toJson(QJsonDocument::Compact);
  // The login itself needs it too (against login CSRF).
  req.headers.emplace_back("X-ReelStack-CSRF", "1");
  return req;
}

Result<QByteArray> sessionCookieOf(const FetchResult &login) {
  if (!login.error.isEmpty()) return Status(ErrorCode::Unavailable, QStringLiteral("login: %1").arg(login.error));
  if (login.status == 200) {
    for (const QByteArray &header : login.setCookies) {
      const qsizetype semicolon = header.indexOf(';');
      const QByteArray pair = (semicolon < 0 ? header : header.left(semicolon)).trimmed();
      const qsizetype eq = pair.indexOf('=');
      if (eq > 0 && pair.left(eq) == kCookieName && eq + 1 < pair.size()) return pair;
    }
    return Status(ErrorCode::BadGateway, QStringLiteral("login: HTTP 200 without an rs_session cookie"));
  }
  const QString message = messageOf(login);
  const QString detail = message.isEmpty() ? QString() : QStringLiteral(": ") + message;
  if (login.status == 401)
    return Status(ErrorCode::Unauthorized, QStringLiteral("login refused (HTTP 401%1): check --player-user and --player-password-file").arg(detail));
  if (login.status == 429) return Status(ErrorCode::TooManyRequests, QStringLiteral("login throttled (HTTP 429%1)").arg(detail));
  return Status(ErrorCode::BadGateway, QStringLiteral("login: HTTP %1%2").arg(login.status).arg(detail));
}

FetchRequest logoutRequest(const QUrl &target, const QByteArray &cookie) {
  FetchRequest req;
  req.method = "DELETE";
  req.url = target.resolved(QUrl(QStringLiteral("/api/v1/session")));
  req.wantBody = true;
  req.timeoutMs = 10000;
  ViewerCredential{{}, cookie}.apply(req);
  return req;
}

}  // namespace rs::player
