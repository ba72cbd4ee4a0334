#include "core/auth/playbacktoken.h"

#include "core/auth/servicetoken.h"

namespace rs::auth {

namespace {
Status refuse(const QString &why) { return Status(ErrorCode::Forbidden, QStringLiteral("playback token refused: ") + why); }

bool isWord(QByteArrayView s, qsizetype maxLen) {
  if (s.isEmpty() || s.size() > maxLen) return false;
  for (const char c : s)
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) return false;
  return true;
}

// The title is signed but not carried: the path names it, and a token for title A
// on title B's path fails its signature.
QByteArray signedPart(QByteArrayView head, const QString &title) { return head.toByteArray() + '|' + title.toUtf8(); }
}  // namespace

QByteArray mintPlaybackToken(const KeyRing &ring, const QString &title, const QString &session, qint64 expiresSec,
                             qint64 nowSec) {
  const KeyRing::Derived *k = ring.signing(nowSec);
  if (!k || !isWord(session.toLatin1(), 64)) return {};
  const QByteArray head =
      kPlaybackTokenPrefix.toByteArray() + k->key.id + '.' + QByteArray::number(expiresSec, 36) + '.' + session.toLatin1();
  return head + '.' + base64Url(k->playback->sign(signedPart(head, title)));
}

Result<PlaybackGrant> verifyPlaybackToken(const KeyRing &ring, QByteArrayView token, const QString &title, qint64 nowSec) {
  if (!token.startsWith(kPlaybackTokenPrefix)) return refuse(QStringLiteral("not a playback token"));
  if (token.size() > 256) return refuse(QStringLiteral("too long"));
  QByteArrayView rest = token.sliced(kPlaybackTokenPrefix.size());
  QByteArrayView part[4];
  for (int i = 0; i < 4; ++i) {
    const qsizetype dot = i < 3 ? rest.indexOf('.') : rest.size();
    if (dot < 0) return refuse(QStringLiteral("malformed"));
    part[i] = rest.first(dot);
    rest = i < 3 ? rest.sliced(dot + 1) : QByteArrayView();
  }
  bool ok = false;
  const qint64 expires = part[1].toByteArray().toLongLong(&ok, 36);
  const auto mac = fromBase64Url(part[3]);
  if (!ok || expires <= 0 || !isWord(part[2], 64) || !mac || part[3].contains('.')) return refuse(QStringLiteral("malformed"));
  const KeyRing::Derived *k = ring.find(part[0], nowSec);
  if (!k) return refuse(QStringLiteral("unknown or retired key id"));
  const QByteArrayView head = token.first(token.size() - part[3].size() - 1);
  if (!k->playback->verify(signedPart(head, title), *mac)) return refuse(QStringLiteral("bad signature or another title's token"));
  // Valid while now < expiry + skew: a token lasts at most its lifetime plus the skew.
  if (nowSec >= expires + kPlaybackSkewSeconds) return refuse(QStringLiteral("expired"));
  return PlaybackGrant{title, QString::fromLatin1(part[2]), expires, part[0].toByteArray()};
}

}  // namespace rs::auth
