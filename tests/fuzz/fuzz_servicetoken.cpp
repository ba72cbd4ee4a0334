// libFuzzer entry point for the service token verifier (verifyServiceToken), what
// every listener runs on "Authorization: Bearer rss1.…".
//
// Input: byte 0 picks the clock (low 2 bits, as in fuzz_playbacktoken) and a lifetime;
// the rest is the token, and also the roles and instance of a token minted from it
// ("<roles>\n<instance>" when it has a newline).
// Invariants: a refusal is Unauthorized and never repeats the token's signature; an
// accepted token names roles, a key valid now, and an expiry within the skew and the
// maximum lifetime; a minted token verifies to the same roles and instance, and no
// single-bit change of it does.

#include "core/auth/servicetoken.h"
#include "fuzzkeys.h"

#include <cstdint>

using namespace rs;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *raw, size_t rawSize) {
  if (rawSize == 0) return 0;
  static const qint64 clocks[4] = {fuzz::kNow, fuzz::kNow + 400, fuzz::kNow + 999, fuzz::kNow + 1000};
  const qint64 now = clocks[raw[0] & 3];
  const QByteArrayView token(reinterpret_cast<const char *>(raw + 1), qsizetype(rawSize - 1));
  const auth::KeyRing &ring = fuzz::ring();

  auto r = auth::verifyServiceToken(ring, token, now);
  if (!r) {
    FUZZ_CHECK(r.status().code() == ErrorCode::Unauthorized);
    const qsizetype lastDot = token.lastIndexOf('.');
    const QByteArrayView mac = lastDot < 0 ? QByteArrayView() : token.sliced(lastDot + 1);
    if (mac.size() >= 16) FUZZ_CHECK(!r.status().message().toUtf8().contains(mac));
  } else {
    FUZZ_CHECK(!r->roles.isEmpty());
    FUZZ_CHECK(r->expiresSec + auth::kClockSkewSeconds >= now);
    FUZZ_CHECK(r->expiresSec <= now + auth::kMaxServiceTokenSeconds + auth::kClockSkewSeconds);
    FUZZ_CHECK(ring.find(r->keyId, now) != nullptr);
  }

  const qsizetype nl = token.indexOf('\n');
  const QString roles = QString::fromUtf8(nl < 0 ? token : token.first(nl));
  const QString instance = nl < 0 ? QStringLiteral("fuzz") : QString::fromUtf8(token.sliced(nl + 1));
  if (roles.isEmpty()) return 0;
  const qint64 ttl = 1 + (raw[0] >> 2) * 1000;
  const QByteArray minted = auth::mintServiceToken(ring, roles, instance, ttl, fuzz::kNow);
  FUZZ_CHECK(minted.startsWith(auth::kServiceTokenPrefix));
  if (minted.size() > 2048) {
    FUZZ_CHECK(!auth::verifyServiceToken(ring, minted, fuzz::kNow).isOk());  // refused as too long
    return 0;
  }
  auto back = auth::verifyServiceToken(ring, minted, fuzz::kNow);
  FUZZ_CHECK(back.isOk());
  FUZZ_CHECK(back->roles == roles && back->instance == instance && back->expiresSec == fuzz::kNow + ttl);
  QByteArray forged = minted;
  const qsizetype bit = qsizetype(rawSize * 131 % size_t(minted.size() * 8));
  forged[bit / 8] = char(forged[bit / 8] ^ (1 << (bit % 8)));
  FUZZ_CHECK(!auth::verifyServiceToken(ring, forged, fuzz::kNow).isOk());
  return 0;
}
