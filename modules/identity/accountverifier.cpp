#include "identity/accountverifier.h"

#include "identity/accountstore.h"
#include "identity/sessioncookie.h"

#include <QUrl>

namespace rs::identity {

namespace {
bool isSafe(const QByteArray &method) { return method == "GET" || method == "HEAD" || method == "OPTIONS"; }
}  // namespace

Status checkCsrf(const http::Request &req) {
  if (req.header(kCsrfHeader) != "1")
    return Status(ErrorCode::Forbidden, QStringLiteral("cookie-authenticated changes need the header %1: 1 (CSRF protection)")
                                            .arg(QLatin1String(kCsrfHeader.data(), kCsrfHeader.size())));
  if (req.header("Sec-Fetch-Site") == "cross-site")
    return Status(ErrorCode::Forbidden, QStringLiteral("cross-site request refused (CSRF protection)"));
  const QByteArray origin = req.header("Origin");
  if (!origin.isEmpty()) {
    const QUrl o(QString::fromLatin1(origin));
    const int port = o.port(o.scheme() == QLatin1String("https") ? 443 : 80);
    const QString hostPort = o.host() + QLatin1Char(':') + QString::number(port);
    QString host = QString::fromLatin1(req.header("Host")).toLower();
    if (!host.contains(QLatin1Char(':'))) host += QLatin1Char(':') + QString::number(port);
    if (origin == "null" || hostPort.toLower() != host)
      return Status(ErrorCode::Forbidden, QStringLiteral("request from another origin refused (CSRF protection)"));
  }
  return Status::ok();
}

std::optional<Result<http::Principal>> AccountVerifier::verify(const http::Request &req) const {
  const QByteArray authz = req.header("Authorization");
  if (!authz.isNull()) {
    // ListenerAuth took the service tokens; what is left must be one of ours.
    if (!authz.startsWith("Bearer "))
      return Result<http::Principal>(Status(ErrorCode::Unauthorized, QStringLiteral("Authorization must be 'Bearer <token>'")));
    const QByteArrayView token = QByteArrayView(authz).sliced(7).trimmed();
    if (!token.startsWith(kApiTokenPrefix))
      return Result<http::Principal>(Status(ErrorCode::Unauthorized, QStringLiteral("unknown kind of bearer token")));
    return store_->tokenPrincipal(token);
  }
  const CookieLookup cookie = findSessionCookie(req.header("Cookie"));
  if (cookie.kind == CookieLookup::Absent) return std::nullopt;
  if (cookie.kind == CookieLookup::Malformed)
    return Result<http::Principal>(Status(ErrorCode::Unauthorized, QStringLiteral("malformed session cookie: sign in again")));
  auto p = store_->sessionPrincipal(cookie.value);
  if (p && !isSafe(req.method())) {
    if (Status s = checkCsrf(req); !s.isOk()) return Result<http::Principal>(s);
  }
  return p;
}

}  // namespace rs::identity
