#pragma once
// Playback tokens: what the api hands a viewer so edges and origins can let them fetch
// one title's media without calling home. Signed (HMAC-SHA256 under a key derived from
// the cluster key) over the title, the viewer's session id, an expiry and the key id;
// it travels in the path (/m/<token>/<title>/…) so every relative segment URL of a
// DASH or HLS manifest carries it, and the edge's cache key is the path without it.

#include "core/auth/clusterkeys.h"

#include <QString>

namespace rs::auth {

struct PlaybackGrant {
  QString title;
  QString session;  // the public id of the session or API token it was issued to
  qint64 expiresSec = 0;
  QByteArray keyId;
};

inline constexpr QByteArrayView kPlaybackTokenPrefix = "p1.";
// Far less slack than service tokens get: the api and the edges of one stack share a
// clock well enough, and this bound is how soon a logged-out viewer is cut off.
inline constexpr qint64 kPlaybackSkewSeconds = 5;

// Empty when the ring has no key that signs. `session` must be a base64url word.
QByteArray mintPlaybackToken(const KeyRing &ring, const QString &title, const QString &session, qint64 expiresSec,
                             qint64 nowSec);
// Forbidden with the reason: malformed, unknown key id, bad signature (which is also
// what another title's token gives), expired.
Result<PlaybackGrant> verifyPlaybackToken(const KeyRing &ring, QByteArrayView token, const QString &title, qint64 nowSec);

}  // namespace rs::auth
