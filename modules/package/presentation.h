#pragma once
// A plain description of a packaged title: what the manifest writers need and
// nothing else, so they can be tested with golden files and no media at all.

#include <QString>
#include <cstdint>
#include <optional>
#include <vector>

namespace rs::package {

// How a representation's segments are protected, as the manifests state it. Never
// key material: key ids, URLs and IVs only.
struct Encryption {
  QString scheme;           // "cenc" or "cbcs" (the mp4protection descriptor's value)
  QString defaultKid;       // 8-4-4-4-12 hex (cenc:default_KID)
  QString licenseUrl;       // ClearKey license URL (dashif:Laurl)
  // HLS: METHOD "SAMPLE-AES-CTR" ('cenc') or "SAMPLE-AES" ('cbcs') with KEYFORMAT
  // "identity": one EXT-X-KEY for the playlist. METHOD "AES-128": one EXT-X-KEY per
  // file with its IV (initIv for EXT-X-MAP, then one per segment).
  QString hlsMethod;
  QString hlsKeyUri;
  QString hlsKeyFormat;     // "identity", or empty for AES-128
  QString initIv;           // "0x" + 32 hex digits
  std::vector<QString> segmentIvs;
  bool operator==(const Encryption &) const = default;
};

struct Representation {
  QString id;               // "720p", "aac"; also the directory under video/ or audio/
  bool isVideo = true;
  QString codecs;           // RFC 6381: "avc1.64001f", "mp4a.40.2"
  std::int64_t bandwidth = 0;         // peak segment bits/s (RFC 8216 §4.3.4.2; see representationFrom)
  std::int64_t averageBandwidth = 0;  // bits/s over the whole stream
  int width = 0, height = 0;          // video
  QString frameRate;                  // video: "30", "30000/1001"
  int sampleRate = 0, channels = 0;   // audio
  QString language = QStringLiteral("und");
  std::uint32_t timescale = 0;
  std::uint64_t startNumber = 1;
  std::vector<std::uint64_t> segmentDurations;  // timescale units, in order
  std::uint64_t timelineStart = 0;    // media time of the first segment (its tfdt)
  // Paths relative to the title root (where manifest.mpd and master.m3u8 live).
  QString initPath;         // "video/720p/init.mp4"
  QString mediaTemplate;    // "video/720p/seg-$Number$.m4s"
  QString playlistPath;     // "video/720p/index.m3u8"
  std::optional<Encryption> encryption;  // absent: clear
};

struct Presentation {
  double durationSeconds = 0;
  std::vector<Representation> video;  // best first is not required; writers sort by bandwidth
  std::vector<Representation> audio;
};

}  // namespace rs::package
