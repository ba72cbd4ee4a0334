#include "player/net/urlrewriter.h"

#include <QStringList>

namespace rs::player {

namespace {
constexpr char16_t kMarker[] = u"m";  // "/m/<token>/…"
}

QString playbackTokenOf(const QUrl &url) {
  const QStringList parts = url.path().split(u'/');
  for (qsizetype i = 0; i + 1 < parts.size(); ++i)
    if (parts[i] == QStringView(kMarker) && !parts[i + 1].isEmpty()) return parts[i + 1];
  return {};
}

QUrl withPlaybackToken(const QUrl &url, const QString &token) {
  QStringList parts = url.path().split(u'/');
  for (qsizetype i = 0; i + 1 < parts.size(); ++i) {
    if (parts[i] == QStringView(kMarker) && !parts[i + 1].isEmpty()) {
      parts[i + 1] = token;
      QUrl out = url;
      out.setPath(parts.join(u'/'));
      return out;
    }
  }
  return url;
}

}  // namespace rs::player
