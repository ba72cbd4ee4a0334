#pragma once
// The fixed key ring and clock the credential fuzz targets share, so the seed corpus
// (valid tokens signed with these keys, tests/fuzz/corpus/*) stays valid forever and a
// finding replays the same way on any day. NOT a real key: it is in the repository.

#include "core/auth/clusterkeys.h"

#include <cstdio>
#include <cstdlib>

namespace rs::fuzz {

// 2026-01-01T00:00:00Z: the "now" of every verification.
inline constexpr qint64 kNow = 1767225600;

// Key 0a1b2c3d signs (secret bytes 0x00..0x1f); 99887766 still verifies until kNow + 1000
// (bytes 0x20..0x3f); deadbeef expired a second before kNow (bytes 0x40..0x5f).
inline const char kRingText[] =
    "# fuzz ring: public test keys\n"
    "0a1b2c3d AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8\n"
    "99887766 ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8 until=1767226600\n"
    "deadbeef QEFCQ0RFRkdISUpLTE1OT1BRUlNUVVZXWFlaW1xdXl8 until=1767225599\n";

inline const auth::KeyRing &ring() {
  static const auth::KeyRing r = [] {
    auto parsed = auth::KeyRing::parse(kRingText, QStringLiteral("fuzzkeys.h"));
    if (!parsed) {
      std::fprintf(stderr, "fuzz ring does not parse: %s\n", qPrintable(parsed.status().message()));
      std::abort();
    }
    return std::move(*parsed);
  }();
  return r;
}

[[noreturn]] inline void violated(const char *what, const char *file, int line) {
  std::fprintf(stderr, "%s:%d: invariant violated: %s\n", file, line, what);
  std::abort();
}

}  // namespace rs::fuzz

#define FUZZ_CHECK(cond)                                              \
  do {                                                                \
    if (!(cond)) ::rs::fuzz::violated(#cond, __FILE__, __LINE__);     \
  } while (0)
