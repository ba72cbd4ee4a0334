#include "media/ffmpeg.h"

namespace rs::media::av {

QString averr(int err) {
  char buf[AV_ERROR_MAX_STRING_SIZE] = {};
  av_strerror(err, buf, sizeof buf);
  return QString::fromUtf8(buf);
}

QString stageError(const char *stage, const QString &what, int err) {
  return QString::fromUtf8(stage) + QStringLiteral(": ") + what + QStringLiteral(": ") + averr(err);
}

}  // namespace rs::media::av
