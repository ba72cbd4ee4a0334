#include "api/mediatokens.h"

#include "core/auth/clusterkeys.h"
#include "core/auth/playbacktoken.h"

namespace rs::api {

MediaTokens::Token MediaTokens::mint(const QString &title, const http::Principal &viewer) const {
  const auto ring = keys ? keys->current() : nullptr;
  if (!ring) return {};
  const qint64 now = auth::nowSeconds();
  const QByteArray t = auth::mintPlaybackToken(*ring, title, viewer.id, now + ttlSec, now);
  return Token{QString::fromLatin1(t), t.isEmpty() ? 0 : now + ttlSec};
}

QString mediaUrl(const QUrl &base, const QString &titleId, const QString &asset, const QString &token) {
  QString url = base.toString(QUrl::StripTrailingSlash) +
                (token.isEmpty() ? QStringLiteral("/media/") : QStringLiteral("/m/") + token + QLatin1Char('/')) +
                QString::fromLatin1(QUrl::toPercentEncoding(titleId));
  for (const QString &segment : asset.split(QLatin1Char('/')))
    url += QLatin1Char('/') + QString::fromLatin1(QUrl::toPercentEncoding(segment));
  return url;
}

}  // namespace rs::api
