#pragma once
// Turns an encoder's output (one fragmented MP4 per rung, one for audio, images) into
// the published layout of a title (docs/media-pipeline.md): CMAF init and media
// segments per rendition, the DASH and HLS manifests over them, and title.json with
// the renditions the catalogue shows.

#include "core/status.h"
#include "media/transcode.h"
#include "package/protection.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QString>

namespace rs::encode {

struct PackagedTitle {
  QString dir;              // the title root, ready to publish
  QJsonArray renditions;    // as the catalogue stores them
  QJsonObject assets;       // dash, hls, poster, thumbnails: paths relative to the root
  double durationSeconds = 0;
  double segmentSeconds = 0;
};

// With `protection` (null: clear), every rendition is written twice (see
// docs/protection.md): CENC ('cenc' or 'cbcs') under video/ and audio/, which
// manifest.mpd and master-sample-aes.m3u8 (EME players) describe, and whole-segment
// AES-128 under hls-aes128/, which master.m3u8 describes (hls.js, Safari, ffmpeg).
Result<PackagedTitle> packageTitle(const media::TranscodeOutput &out, const media::LadderSpec &spec, const QString &outDir,
                                   const package::TitleProtection *protection = nullptr);

}  // namespace rs::encode
