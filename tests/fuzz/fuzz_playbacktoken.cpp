// libFuzzer entry point for the playback token verifier (verifyPlaybackToken), the
// check every edge and origin runs on /m/<token>/<title>/… paths.
//
// Input: byte 0 picks the clock (low 2 bits: kNow, kNow + 400, + 999 or + 1000, where key
// 99887766 retires) and the expiry of a minted token (the other bits); the rest is
// "<title>\n<token>" (no newline: the whole rest is the token, for title t_fuzz).
// Invariants: a refusal is Forbidden; an accepted token is exactly the one the signer
// would mint for its fields (one spelling per token), names a key valid now, and has not
// expired; a token minted from the input's fields verifies, and no single-bit change of
// it does.

#include "core/auth/playbacktoken.h"
#include "fuzzkeys.h"

#include <cstdint>

using namespace rs;

namespace {
QByteArray wordFrom(QByteArrayView in) {  // the input's base64url characters, at most 64
  QByteArray w;
  for (const char c : in) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_') w += c;
    if (w.size() == 64) break;
  }
  return w.isEmpty() ? QByteArray("s") : w;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *raw, size_t rawSize) {
  if (rawSize == 0) return 0;
  static const qint64 clocks[4] = {fuzz::kNow, fuzz::kNow + 400, fuzz::kNow + 999, fuzz::kNow + 1000};
  const qint64 now = clocks[raw[0] & 3];
  const QByteArrayView rest(reinterpret_cast<const char *>(raw + 1), qsizetype(rawSize - 1));
  const qsizetype nl = rest.indexOf('\n');
  const QString title = nl < 0 ? QStringLiteral("t_fuzz") : QString::fromUtf8(rest.first(nl));
  const QByteArrayView token = nl < 0 ? rest : rest.sliced(nl + 1);
  const auth::KeyRing &ring = fuzz::ring();

  auto r = auth::verifyPlaybackToken(ring, token, title, now);
  if (!r) {
    FUZZ_CHECK(r.status().code() == ErrorCode::Forbidden);
    FUZZ_CHECK(!r.status().message().isEmpty());
  } else {
    const auth::PlaybackGrant &g = *r;
    FUZZ_CHECK(g.title == title);
    FUZZ_CHECK(now < g.expiresSec + auth::kPlaybackSkewSeconds);
    FUZZ_CHECK(ring.find(g.keyId, now) != nullptr);
    FUZZ_CHECK(!g.session.isEmpty() && g.session.size() <= 64);
    // Re-signing the fields gives back the very bytes: no second spelling of a token
    // (leading zeros or '+' in the expiry, a non-canonical MAC) ever verifies.
    if (g.keyId == ring.signing(now)->key.id)
      FUZZ_CHECK(auth::mintPlaybackToken(ring, title, g.session, g.expiresSec, now) == token.toByteArray());
  }

  // Round trip with fields taken from the input, then every single-bit forgery fails.
  const qint64 expires = fuzz::kNow + (raw[0] >> 2) * 7;
  const QByteArray session = wordFrom(token);
  const QByteArray minted = auth::mintPlaybackToken(ring, title, QString::fromLatin1(session), expires, fuzz::kNow);
  FUZZ_CHECK(minted.startsWith(auth::kPlaybackTokenPrefix));
  auto back = auth::verifyPlaybackToken(ring, minted, title, fuzz::kNow);
  FUZZ_CHECK(back.isOk());
  FUZZ_CHECK(back->session == QString::fromLatin1(session) && back->expiresSec == expires && back->title == title);
  QByteArray forged = minted;
  const qsizetype bit = qsizetype(rawSize * 131 % size_t(minted.size() * 8));
  forged[bit / 8] = char(forged[bit / 8] ^ (1 << (bit % 8)));
  FUZZ_CHECK(!auth::verifyPlaybackToken(ring, forged, title, fuzz::kNow).isOk());
  return 0;
}
