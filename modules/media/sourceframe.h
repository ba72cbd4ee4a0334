#pragma once
// A decoded source picture on its way to every rung: shared read-only, so the rungs
// scale from the same buffers and it is freed when the last rung lets go.

#include "media/ffmpeg.h"

#include <cstdint>
#include <memory>

namespace rs::media {

struct SourceFrame {
  av::Frame frame;            // upright (rotation applied), never written after queueing
  std::int64_t pts = 0;       // in the output video time base, 0 = first frame
  int segment = 0;            // index of the segment the frame belongs to
  bool segmentStart = false;  // first frame of a segment after the first: forced IDR
};
using SourceFramePtr = std::shared_ptr<const SourceFrame>;

}  // namespace rs::media
