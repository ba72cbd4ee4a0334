// libFuzzer entry point for the cluster key ring parser (KeyRing::parse), what every
// role runs on --cluster-key-file at start and on every reload.
//
// Input: the file's text. Invariants: a refusal is BadRequest, names the source, and
// never quotes a secret (no field of the input that decodes to 32 bytes appears in the
// message); an accepted ring has keys with 8-hex ids, 32-byte secrets and distinct ids,
// and serialize() parses back to the same ring.

#include "core/auth/clusterkeys.h"
#include "fuzzkeys.h"

#include <cstdint>

using namespace rs;

namespace {
bool sameRing(const auth::KeyRing &a, const auth::KeyRing &b) {
  if (a.keys().size() != b.keys().size()) return false;
  for (size_t i = 0; i < a.keys().size(); ++i) {
    const auth::ClusterKey &x = a.keys()[i].key, &y = b.keys()[i].key;
    if (x.id != y.id || x.secret != y.secret || x.untilSec != y.untilSec) return false;
  }
  return true;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *raw, size_t rawSize) {
  const QByteArrayView text(reinterpret_cast<const char *>(raw), qsizetype(rawSize));
  const QString source = QStringLiteral("fuzz.key");
  auto ring = auth::KeyRing::parse(text, source);
  if (!ring) {
    FUZZ_CHECK(ring.status().code() == ErrorCode::BadRequest);
    const QByteArray msg = ring.status().message().toUtf8();
    FUZZ_CHECK(msg.startsWith(source.toUtf8()));
    for (const QByteArray &field : QByteArray(text.data(), text.size()).simplified().split(' ')) {
      const auto secret = auth::fromBase64Url(field);
      if (secret && secret->size() == 32) FUZZ_CHECK(!msg.contains(field));
    }
    return 0;
  }
  FUZZ_CHECK(!ring->keys().empty());
  for (size_t i = 0; i < ring->keys().size(); ++i) {
    const auth::ClusterKey &k = ring->keys()[i].key;
    FUZZ_CHECK(k.id.size() == 8 && k.secret.size() == 32 && k.untilSec >= 0);
    for (size_t j = 0; j < i; ++j) FUZZ_CHECK(ring->keys()[j].key.id != k.id);
    FUZZ_CHECK(ring->find(k.id, 0) == &ring->keys()[i]);
  }
  auto again = auth::KeyRing::parse(ring->serialize(), source);
  FUZZ_CHECK(again.isOk());
  FUZZ_CHECK(sameRing(*ring, *again));
  return 0;
}
