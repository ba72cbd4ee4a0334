#pragma once
// The bitrate ladder: which rungs a source gets and how each is encoded.

#include "core/status.h"

#include <QString>
#include <vector>

namespace rs::media {

struct MediaInfo;

struct Rung {
  QString name;          // "720p"
  int height = 0;        // output height; width follows the display aspect, even
  int bitrateKbps = 0;   // target (VBV mode) / cap (capped CRF mode)
  int maxrateKbps = 0;
  int bufsizeKbps = 0;
};

struct EncodeProfile {
  QString codec = QStringLiteral("h264");   // h264 (libx264), hevc (libx265), vp9 (libvpx-vp9), av1 (libsvtav1)
  QString rateControl = QStringLiteral("capped-crf");  // capped-crf | vbv
  int crf = 23;
  QString preset = QStringLiteral("veryfast");
};

struct LadderSpec {
  std::vector<Rung> rungs;
  EncodeProfile profile;
  double segmentSeconds = 4.0;
  int audioBitrateKbps = 128;
  int threads = 0;       // encoder threads per rung; 0: let the encoders decide
  bool measureQuality = true;  // PSNR/SSIM per rung (decodes every rung once more)
};

// BRIEF.md's ladder: 240p 235k, 360p 750k, 480p 1750k, 720p 3000k, 1080p 4500k (caps
// at the top of each range), 2160p 16000k.
std::vector<Rung> defaultLadder();
// Never upscales: rungs taller than the source are dropped, 2160p only from ≥ 2160p
// sources; a source shorter than the lowest rung gets one rung at its own height.
std::vector<Rung> ladderFor(const MediaInfo &source, const std::vector<Rung> &ladder);
// "240p:235,360p:750,…" ↔ rungs (config files).
Result<std::vector<Rung>> parseLadder(const QString &text);
QString formatLadder(const std::vector<Rung> &rungs);

}  // namespace rs::media
