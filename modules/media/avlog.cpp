#include "media/avlog.h"

extern "C" {
#include <libavutil/log.h>
}

#include <QByteArray>
#include <cstdio>
#include <mutex>

namespace rs::media {

Q_LOGGING_CATEGORY(lcMedia, "rs.media")
Q_LOGGING_CATEGORY(lcFfmpeg, "rs.media.ffmpeg")

namespace {

void onAvLog(void *avcl, int level, const char *fmt, va_list vl) {
  if (level > AV_LOG_WARNING) return;
  // av_log may deliver one line in several calls; a line is complete at '\n'.
  thread_local QByteArray pending;
  thread_local int printPrefix = 1;
  char line[1024];
  av_log_format_line2(avcl, level, fmt, vl, line, sizeof line, &printPrefix);
  pending += line;
  if (!pending.endsWith('\n')) return;
  pending.chop(1);
  if (level <= AV_LOG_ERROR)
    qCWarning(lcFfmpeg, "%s", pending.constData());  // our callers report the error itself
  else
    qCInfo(lcFfmpeg, "%s", pending.constData());
  pending.clear();
}

}  // namespace

void installFfmpegLogHandler() {
  static std::once_flag once;
  std::call_once(once, [] { av_log_set_callback(onAvLog); });
}

}  // namespace rs::media
