#pragma once
// Turns an encoder's output (one fragmented MP4 per rung, one for audio, images) into
// the published layout of a title (docs/media-pipeline.md): CMAF init and media
// segments per rendition, the DASH and HLS manifests over them, and title.json with
// the renditions the catalogue shows.

#include "core/status.h"
#include "media/transcode.h"

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

Result<PackagedTitle> packageTitle(const media::TranscodeOutput &out, const media::LadderSpec &spec, const QString &outDir);

}  // namespace rs::encode
