#include "media/streams.h"

extern "C" {
#include <libavutil/display.h>
}

#include <algorithm>
#include <cmath>

namespace rs::media {

namespace {

int pick(const AVFormatContext *fmt, AVMediaType type) {
  int first = -1;
  for (unsigned i = 0; i < fmt->nb_streams; ++i) {
    const AVStream *st = fmt->streams[i];
    if (st->codecpar->codec_type != type) continue;
    if (st->disposition & AV_DISPOSITION_ATTACHED_PIC) continue;
    if (st->disposition & AV_DISPOSITION_DEFAULT) return int(i);
    if (first < 0) first = int(i);
  }
  return first;
}

}  // namespace

int pickVideoStream(const AVFormatContext *fmt) { return pick(fmt, AVMEDIA_TYPE_VIDEO); }
int pickAudioStream(const AVFormatContext *fmt) { return pick(fmt, AVMEDIA_TYPE_AUDIO); }

int streamRotation(const AVStream *st) {
  size_t size = 0;
  const uint8_t *sd = av_stream_get_side_data(st, AV_PKT_DATA_DISPLAYMATRIX, &size);
  if (!sd || size < 9 * sizeof(int32_t)) return 0;
  // av_display_rotation_get is counter-clockwise; players (and ffmpeg's autorotate)
  // think clockwise.
  const double ccw = av_display_rotation_get(reinterpret_cast<const int32_t *>(sd));
  if (std::isnan(ccw)) return 0;
  int cw = int(std::lround(-ccw / 90.0)) * 90;
  cw %= 360;
  if (cw < 0) cw += 360;
  return cw;
}

DisplaySize displaySize(int codedWidth, int codedHeight, AVRational sar, int rotation) {
  int w = codedWidth;
  if (sar.num > 0 && sar.den > 0 && sar.num != sar.den) w = int(std::lround(double(codedWidth) * sar.num / sar.den));
  const bool sideways = rotation == 90 || rotation == 270;
  return sideways ? DisplaySize{codedHeight, w} : DisplaySize{w, codedHeight};
}

int evenWidthFor(const DisplaySize &display, int height) {
  if (display.height <= 0) return 2;
  const double w = double(height) * display.width / display.height;
  return std::max(2, int(std::lround(w / 2.0)) * 2);
}

}  // namespace rs::media
