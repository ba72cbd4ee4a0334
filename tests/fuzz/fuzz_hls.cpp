// libFuzzer entry point for the player's HLS readers: the input is read both as a
// multivariant playlist and as a media playlist; either parses into tracks with
// finite timing and buildable URLs, or fails with a message, never a crash or a hang.

#include "player/manifest/hlsparser.h"

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

void checkTrack(const rs::player::Track &t) {
  CHECK(!t.segments.empty() && t.segments.size() <= 200000);
  CHECK(t.segments.size() == t.uris.size());
  double end = 0;
  for (std::size_t i = 0; i < t.segments.size(); ++i) {
    CHECK(std::isfinite(t.segments[i].duration) && t.segments[i].duration >= 0);
    CHECK(t.segments[i].start == end);
    end += t.segments[i].duration;
    if (i % 997 == 0) (void)t.segmentUrl(i);
  }
  (void)t.initUrl();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const QByteArray text(reinterpret_cast<const char *>(data), qsizetype(size));
  const QUrl url(QStringLiteral("http://fuzz.test/media/t/master.m3u8"));
  auto p = rs::player::parseHlsMultivariant(text, url);
  if (p.isOk()) {
    CHECK(!p->video.empty());
    CHECK(p->video.size() <= 64);
    for (const rs::player::Track &t : p->video) {
      CHECK(t.bandwidth > 0);
      if (t.loaded) checkTrack(t);
      else CHECK(t.playlistUrl.isValid());
    }
  } else {
    CHECK(!p.status().message().isEmpty());
  }
  rs::player::Track track;
  const rs::Status s = rs::player::parseHlsMedia(text, url, &track);
  if (s.isOk()) checkTrack(track);
  else CHECK(!s.message().isEmpty());
  return 0;
}
