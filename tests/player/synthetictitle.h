#pragma once
// Titles for player tests without any media: the packager's own MPD and HLS writers
// (what origin serves) over a ladder, and a size table whose segments weigh what the
// rung's bitrate says, give or take a deterministic wobble like real content.

#include "package/manifests.h"
#include "player/manifest/hlsparser.h"
#include "player/manifest/mpdparser.h"
#include "player/sim/titlemedia.h"

#include <QStringList>
#include <cmath>

namespace rs::player::testing {

inline const std::vector<int> &pensieveLadderKbps() {
  static const std::vector<int> ladder = {300, 750, 1200, 1850, 2850, 4300};
  return ladder;
}

struct TitleSpec {
  std::vector<int> kbps = pensieveLadderKbps();
  int segments = 30;
  double segmentSeconds = 4;
  bool audio = true;
  bool hls = false;
  double sizeFactor = 0.8;  // real bytes ÷ (bandwidth × duration)
};

inline package::Presentation packagePresentation(const TitleSpec &spec) {
  package::Presentation p;
  const std::uint32_t timescale = 1000;
  const auto d = std::uint64_t(spec.segmentSeconds * timescale);
  p.durationSeconds = spec.segments * spec.segmentSeconds;
  int height = 240;
  for (int kbps : spec.kbps) {
    package::Representation r;
    r.id = QStringLiteral("%1p").arg(height);
    r.codecs = QStringLiteral("avc1.64001f");
    r.bandwidth = std::int64_t(kbps) * 1000;
    r.averageBandwidth = r.bandwidth * 8 / 10;
    r.width = height * 16 / 9;
    r.height = height;
    r.frameRate = QStringLiteral("30");
    r.timescale = timescale;
    r.segmentDurations.assign(std::size_t(spec.segments), d);
    r.initPath = QStringLiteral("video/%1/init.mp4").arg(r.id);
    r.mediaTemplate = QStringLiteral("video/%1/seg-$Number$.m4s").arg(r.id);
    r.playlistPath = QStringLiteral("video/%1/index.m3u8").arg(r.id);
    p.video.push_back(r);
    height += 120;
  }
  if (spec.audio) {
    package::Representation a;
    a.id = QStringLiteral("aac");
    a.isVideo = false;
    a.codecs = QStringLiteral("mp4a.40.2");
    a.bandwidth = 131072;
    a.averageBandwidth = 128000;
    a.sampleRate = 48000;
    a.channels = 2;
    a.language = QStringLiteral("en");
    a.timescale = timescale;
    a.segmentDurations.assign(std::size_t(spec.segments), d);
    a.initPath = QStringLiteral("audio/aac/init.mp4");
    a.mediaTemplate = QStringLiteral("audio/aac/seg-$Number$.m4s");
    a.playlistPath = QStringLiteral("audio/aac/index.m3u8");
    p.audio.push_back(a);
  }
  return p;
}

// The title as the simulator sees it, as if served at http://media.test/media/t/.
inline TitleMedia syntheticTitle(const TitleSpec &spec = {}) {
  const package::Presentation pp = packagePresentation(spec);
  TitleMedia m;
  const QUrl root(QStringLiteral("http://media.test/media/t/"));
  m.manifestUrl = root.resolved(QUrl(spec.hls ? QStringLiteral("master.m3u8") : QStringLiteral("manifest.mpd")));
  const QByteArray top = spec.hls ? package::writeHlsMaster(pp) : package::writeMpd(pp);
  m.documents.insert(m.manifestUrl.toString(), top);
  auto parsed = spec.hls ? parseHlsMultivariant(top, m.manifestUrl) : parseMpd(top, m.manifestUrl);
  Q_ASSERT(parsed.isOk());
  m.presentation = std::move(*parsed);
  if (spec.hls) {
    for (const auto *list : {&pp.video, &pp.audio}) {
      for (const package::Representation &r : *list) {
        const QUrl url = root.resolved(QUrl(r.playlistPath));
        m.documents.insert(url.toString(), package::writeHlsMedia(r));
      }
    }
    for (const MediaKind kind : {MediaKind::Video, MediaKind::Audio})
      for (Track &t : m.presentation.tracks(kind)) {
        const Status s = parseHlsMedia(m.documents.value(t.playlistUrl.toString()), t.playlistUrl, &t);
        Q_ASSERT(s.isOk());
      }
  }
  for (const MediaKind kind : {MediaKind::Video, MediaKind::Audio}) {
    auto &rows = kind == MediaKind::Video ? m.sizes.video : m.sizes.audio;
    for (const Track &t : m.presentation.tracks(kind)) {
      std::vector<std::int64_t> row{900};
      const double bitrate = kind == MediaKind::Video ? double(t.bandwidth) : 128000.0;
      for (std::size_t i = 0; i < t.segments.size(); ++i) {
        const double wobble = 1 + 0.15 * std::sin(double(i) * 1.7);  // scenes of varying complexity
        row.push_back(std::int64_t(bitrate * t.segments[i].duration / 8 * spec.sizeFactor * wobble));
      }
      rows.push_back(row);
    }
  }
  return m;
}

}  // namespace rs::player::testing
