#pragma once
// FFmpeg's own log lines (av_log) go to the "rs.media.ffmpeg" Qt category instead of
// raw stderr: warnings and errors only, so encoder banners and per-file statistics
// do not flood a server log. Installed once by the first probe/transcode.

#include <QLoggingCategory>

namespace rs::media {

Q_DECLARE_LOGGING_CATEGORY(lcMedia)   // "rs.media"
Q_DECLARE_LOGGING_CATEGORY(lcFfmpeg)  // "rs.media.ffmpeg"

void installFfmpegLogHandler();

}  // namespace rs::media
