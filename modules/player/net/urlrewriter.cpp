#include "player/net/urlrewriter.h"

#include <QStringList>

namespace rs::player {

namespace {

// The index of the token segment in `parts` (a path split at '/'), or -1.
qsizetype tokenIndex(const QStringList &parts) {
  for (qsizetype i = 0; i + 1 < parts.size(); ++i)
    if (parts[i] == QLatin1String("m") && parts[i + 1].startsWith(QLatin1String("p1."))) return i + 1;
  return -1;
}

QUrl replaced(const QUrl &url, const QString &token) {
  QStringList parts = url.path().split(u'/');
  const qsizetype i = tokenIndex(parts);
  if (i < 0) return url;
  parts[i] = token;
  QUrl out = url;
  out.setPath(parts.join(u'/'));
  return out;
}

}  // namespace

QString playbackTokenOf(const QUrl &url) {
  const QStringList parts = url.path().split(u'/');
  const qsizetype i = tokenIndex(parts);
  return i < 0 ? QString() : parts[i];
}

QUrl withPlaybackToken(const QUrl &url, const QString &token) {
  if (token.isEmpty()) return url;
  return replaced(url, token);
}

QString displayUrl(const QUrl &url) { return replaced(url, QStringLiteral("-")).toString(); }

}  // namespace rs::player
