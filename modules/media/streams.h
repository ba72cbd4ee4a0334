#pragma once
// Which streams of a source the pipeline uses. Probe and transcode must agree, so the
// choice is made in one place.

extern "C" {
#include <libavformat/avformat.h>
}

namespace rs::media {

// The default video stream (cover art excluded), else the first one; -1 when none.
int pickVideoStream(const AVFormatContext *fmt);
// The default audio stream, else the first one; -1 when none.
int pickAudioStream(const AVFormatContext *fmt);
// Clockwise rotation in degrees (0, 90, 180, 270) from the stream's display matrix.
int streamRotation(const AVStream *st);
// The picture as shown: square pixels (anamorphic widths stretched), after rotation.
struct DisplaySize {
  int width = 0, height = 0;
};
DisplaySize displaySize(int codedWidth, int codedHeight, AVRational sampleAspect, int rotation);

// An even size that keeps `display`'s aspect at `height` lines (rounded to the nearest
// even width, at least 2).
int evenWidthFor(const DisplaySize &display, int height);

}  // namespace rs::media
