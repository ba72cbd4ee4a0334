#include "core/auth/listenerauth.h"

#include "core/auth/playbacktoken.h"
#include "core/auth/servicetoken.h"

namespace rs::auth {

using http::Access;
using http::Principal;

void MediaGate::setPublicTitles(QSet<QString> titles) {
  QWriteLocker l(&lock_);
  public_ = std::move(titles);
}

bool MediaGate::isPublic(const QString &title) const {
  QReadLocker l(&lock_);
  return public_.contains(title);
}

Status MediaGate::check(http::Request &req) const {
  if (!enabled_ || req.principal.authority == Principal::Authority::Service) return Status::ok();
  const QString path = req.params.value(QStringLiteral("path"));
  const QString title = path.section(QLatin1Char('/'), 0, 0);
  const auto token = req.params.constFind(QStringLiteral("token"));
  if (token != req.params.cend()) {
    const auto ring = keys_.current();
    if (!ring) return Status(ErrorCode::Forbidden, QStringLiteral("playback token refused: this server has no cluster key"));
    auto grant = verifyPlaybackToken(*ring, token->toLatin1(), title, nowSeconds());
    RS_RETURN_IF_ERROR(grant.status());
    req.principal.kind = Principal::Kind::Playback;
    req.principal.authority = Principal::Authority::None;
    req.principal.id = grant->session;
    req.principal.title = title;
    return Status::ok();
  }
  if (!title.isEmpty() && isPublic(title)) return Status::ok();
  return Status(ErrorCode::Unauthorized, QStringLiteral("this title needs a playback token: start playback through the api "
                                                        "(POST /api/v1/titles/{id}/playback) and use the URLs it returns"));
}

Status ListenerAuth::identify(http::Request &req) const {
  const QByteArray authz = req.header("Authorization");
  if (authz.size() > kMaxCredentialBytes || req.header("Cookie").size() > kMaxCredentialBytes)
    return Status(ErrorCode::Unauthorized, QStringLiteral("credential larger than %1 bytes").arg(kMaxCredentialBytes));
  if (!authz.isNull()) {
    if (!authz.startsWith("Bearer ") || authz.size() <= 7)
      return Status(ErrorCode::Unauthorized, QStringLiteral("Authorization must be 'Bearer <token>'"));
    const QByteArrayView token = QByteArrayView(authz).sliced(7).trimmed();
    if (token.startsWith(kServiceTokenPrefix)) {
      const auto ring = keys_.current();
      if (!ring) return Status(ErrorCode::Unauthorized, QStringLiteral("service credential refused: this server has no cluster key"));
      auto id = verifyServiceToken(*ring, token, nowSeconds());
      RS_RETURN_IF_ERROR(id.status());
      req.principal.kind = Principal::Kind::Service;
      req.principal.authority = Principal::Authority::Service;
      req.principal.name = id->roles;
      req.principal.id = id->instance;
      return Status::ok();
    }
    if (!users_)
      return Status(ErrorCode::Unauthorized,
                    QStringLiteral("this listener takes service credentials only; accounts and API tokens are for the api"));
  }
  if (users_) {
    if (auto r = users_->verify(req)) {
      if (!r->isOk()) return r->status();
      req.principal = **r;
    }
  }
  return Status::ok();
}

Status ListenerAuth::authorize(http::Request &req, Access access) const {
  RS_RETURN_IF_ERROR(identify(req));
  if (access == Access::Media) {
    if (media_) return media_->check(req);
    if (req.principal.satisfies(access)) return Status::ok();
    return Status(ErrorCode::Unauthorized, QStringLiteral("media here needs a service credential"));
  }
  if (req.principal.isAnonymous()) {
    return Status(ErrorCode::Unauthorized, access == Access::Service
                                               ? QStringLiteral("a service credential (the cluster key) is required")
                                               : QStringLiteral("sign in required"));
  }
  if (!req.principal.satisfies(access))
    return Status(ErrorCode::Forbidden, QStringLiteral("only %1 callers may do this; this credential is %2")
                                            .arg(QLatin1String(accessName(access)), QLatin1String(authorityName(req.principal.authority))));
  return Status::ok();
}

}  // namespace rs::auth
