#include "edge/playlist.h"

#include <QRegularExpression>
#include <QUrl>

namespace rs::edge {

namespace {
// A stand-in origin: relative references resolve against it, absolute ones elsewhere
// show up as a different host and are skipped.
const QString kHere = QStringLiteral("http://edge.invalid");

void addRef(const QString &uri, const QUrl &base, PlaylistRefs *out) {
  if (uri.isEmpty()) return;
  const QUrl u = base.resolved(QUrl(uri));
  if (!u.isValid() || u.scheme() != QLatin1String("http") || u.host() != QLatin1String("edge.invalid")) return;
  const QString key = u.path(QUrl::FullyDecoded);
  if (!key.startsWith(QLatin1String("/media/"))) return;
  QStringList &list = key.endsWith(QLatin1String(".m3u8")) ? out->playlists : out->objects;
  if (!list.contains(key)) list.append(key);
}
}  // namespace

PlaylistRefs playlistRefs(const QByteArray &text, const QString &playlistKey) {
  static const QRegularExpression uriAttr(QStringLiteral("URI=\"([^\"]*)\""));
  PlaylistRefs out;
  QUrl base(kHere);
  base.setPath(playlistKey, QUrl::DecodedMode);
  for (const QByteArray &raw : text.split('\n')) {
    const QString line = QString::fromUtf8(raw).trimmed();
    if (line.isEmpty()) continue;
    if (!line.startsWith(QLatin1Char('#'))) {
      addRef(line, base, &out);
      continue;
    }
    if (!line.startsWith(QLatin1String("#EXT"))) continue;  // a comment
    // Keys (EXT-X-KEY, EXT-X-SESSION-KEY) live with a license server, not here.
    if (line.startsWith(QLatin1String("#EXT-X-KEY")) || line.startsWith(QLatin1String("#EXT-X-SESSION-KEY"))) continue;
    for (auto it = uriAttr.globalMatch(line); it.hasNext();) addRef(it.next().captured(1), base, &out);
  }
  return out;
}

}  // namespace rs::edge
