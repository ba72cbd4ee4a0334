#include "desktop/localsignin.h"

#include <QWebEngineUrlRequestInfo>

namespace rs::desktop {

LocalSignIn::LocalSignIn(const QUrl &api, QByteArray token, QObject *parent)
    : QWebEngineUrlRequestInterceptor(parent), api_(api), authorization_(QByteArray("Bearer ") + token.trimmed()) {}

bool LocalSignIn::sameOrigin(const QUrl &url, const QUrl &api) {
  const auto defaultPort = [](const QUrl &u) { return u.scheme() == QLatin1String("https") ? 443 : 80; };
  return url.scheme() == api.scheme() && url.host().compare(api.host(), Qt::CaseInsensitive) == 0 &&
         url.port(defaultPort(url)) == api.port(defaultPort(api));
}

void LocalSignIn::interceptRequest(QWebEngineUrlRequestInfo &info) {
  if (sameOrigin(info.requestUrl(), api_)) info.setHttpHeader("Authorization", authorization_);
}

}  // namespace rs::desktop
