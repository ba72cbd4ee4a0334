#include "api/titlesorigin.h"

#include "core/net/httpclient.h"
#include "core/roles/rolehost.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>

namespace rs::api {

void OriginLocator::find(const http::TraceContext &trace, std::function<void(Origin)> done) {
  if (local_.isValid()) return done(local_);
  const qint64 now = QDateTime::currentMSecsSinceEpoch();
  {
    std::lock_guard lock(mutex_);
    if (now < cachedUntilMs_) return done(cached_);
  }
  net::ClientOptions o;
  o.timeoutMs = 2000;
  o.trace = trace;
  QUrl url = control_.resolved(QUrl(QStringLiteral("/control/v1/instances")));
  url.setQuery(QStringLiteral("role=origin"));
  std::weak_ptr<OriginLocator> weak = weak_from_this();
  client_->get(url, o, [weak, done = std::move(done)](net::ClientReply r) {
    Origin found;
    // Control lists only instances heard from within their expiry: live ones.
    for (const QJsonValue &v : r.json().object().value(QStringLiteral("instances")).toArray()) {
      const QUrl u(v.toObject().value(QStringLiteral("url")).toString());
      if (u.isValid() && !u.host().isEmpty()) {
        found = Origin{u, u};
        break;
      }
    }
    if (auto self = weak.lock()) {
      std::lock_guard lock(self->mutex_);
      self->cached_ = found;
      // A miss is remembered briefly only: an origin that just started shows up soon.
      const int ttl = r.ok() ? (found.isValid() ? self->cacheMs_ : std::min(self->cacheMs_, 1000)) : 0;
      self->cachedUntilMs_ = QDateTime::currentMSecsSinceEpoch() + ttl;
    }
    done(found);
  });
}

std::shared_ptr<OriginLocator> makeOriginLocator(roles::RoleHost &host, const QUrl &control) {
  // Origin in this process: its URLs are known without asking control.
  const OriginLocator::Origin local{host.publicUrl(QStringLiteral("origin")), host.localUrl(QStringLiteral("origin"))};
  return std::make_shared<OriginLocator>(host.client(), control, local);
}

}  // namespace rs::api
