// libFuzzer entry point for the player's MPD reader: any bytes either parse into a
// presentation whose every track has segments with finite, non-negative timing and
// buildable URLs, or fail with a message; never a crash, a hang or a runaway
// allocation (the reader caps segments and tracks).

#include "player/manifest/mpdparser.h"

#include <QByteArray>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace {

[[noreturn]] void violated(const char *what) {
  std::fprintf(stderr, "invariant violated: %s\n", what);
  std::abort();
}
#define CHECK(cond)               \
  do {                            \
    if (!(cond)) violated(#cond); \
  } while (0)

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const QByteArray text(reinterpret_cast<const char *>(data), qsizetype(size));
  const QUrl base(QStringLiteral("http://fuzz.test/media/t/manifest.mpd"));
  auto p = rs::player::parseMpd(text, base);
  if (!p.isOk()) {
    CHECK(!p.status().message().isEmpty());
    return 0;
  }
  CHECK(!p->video.empty() || !p->audio.empty());
  CHECK(p->video.size() + p->audio.size() <= 64);
  for (const auto *list : {&p->video, &p->audio}) {
    for (const rs::player::Track &t : *list) {
      CHECK(t.bandwidth > 0);
      CHECK(!t.segments.empty() && t.segments.size() <= 200000);
      for (std::size_t i = 0; i < t.segments.size(); i += 997) {
        CHECK(std::isfinite(t.segments[i].start) && std::isfinite(t.segments[i].duration));
        CHECK(t.segments[i].duration > 0);
        (void)t.segmentUrl(i);
      }
      (void)t.initUrl();
    }
  }
  for (std::size_t i = 1; i < p->video.size(); ++i) CHECK(p->video[i - 1].bandwidth <= p->video[i].bandwidth);
  return 0;
}
