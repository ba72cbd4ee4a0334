#pragma once
// What a player needs from a DASH MPD or an HLS playlist set: tracks (video rungs and
// audio), their segments' timing, and how to name each piece of media. Parsers fill it;
// the engine and the transports read it.

#include <QString>
#include <QUrl>
#include <cstdint>
#include <vector>

namespace rs::player {

enum class MediaKind : std::uint8_t { Video, Audio };

struct SegmentTiming {
  double start = 0;     // seconds of media time from the presentation start
  double duration = 0;  // seconds
  std::uint64_t number = 0;  // DASH $Number$
  std::uint64_t time = 0;    // DASH $Time$ (timescale units)
};

struct Track {
  QString id;                 // representation id / variant name ("720p", "aac")
  MediaKind kind = MediaKind::Video;
  std::int64_t bandwidth = 0; // bits/s as the manifest declares it
  int width = 0, height = 0;
  QString codecs;
  QString language;
  // URLs are built on demand (a title has thousands of segments and a load generator
  // thousands of sessions): DASH from the template, HLS from the playlist's URIs.
  QUrl base;                  // what relative names resolve against
  QString initPath;           // empty: no init segment
  QString mediaTemplate;      // DASH SegmentTemplate@media; empty for HLS
  std::vector<QString> uris;  // HLS segment URIs, as written in the media playlist
  std::vector<SegmentTiming> segments;
  // HLS variants are listed in the multivariant playlist before their media playlist
  // is loaded; the engine loads it when it first needs the track.
  QUrl playlistUrl;
  bool loaded = true;

  QUrl initUrl() const;
  QUrl segmentUrl(std::size_t index) const;
};

struct Presentation {
  enum class Format : std::uint8_t { Dash, Hls };
  Format format = Format::Dash;
  QUrl manifestUrl;
  double duration = 0;        // seconds
  std::vector<Track> video;   // ascending bandwidth: index = rung
  std::vector<Track> audio;   // the first is the default

  const std::vector<Track> &tracks(MediaKind k) const { return k == MediaKind::Video ? video : audio; }
  std::vector<Track> &tracks(MediaKind k) { return k == MediaKind::Video ? video : audio; }
};

// Names one piece of media without building its URL: the simulator looks sizes up by
// it, HTTP transports turn it into a URL.
struct MediaRef {
  MediaKind kind = MediaKind::Video;
  int track = 0;
  int segment = -1;  // -1: the track's init segment
};

QUrl urlOf(const Presentation &p, const MediaRef &ref);

// Expands a DASH SegmentTemplate string ($RepresentationID$, $Number$, $Time$,
// $Bandwidth$, optional printf width like $Number%05d$, and $$).
QString expandTemplate(const QString &tmpl, const QString &representationId, std::int64_t bandwidth,
                       std::uint64_t number, std::uint64_t time);

}  // namespace rs::player
