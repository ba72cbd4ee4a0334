#pragma once
// Which FFmpeg encoder a profile's codec means and how rate control, presets and
// keyframes map onto it. The keyframe rule for every codec: closed GOPs, a maximum
// GOP of one segment, and IDR frames forced by the caller on segment boundaries
// (frame->pict_type = I); scene-cut detection stays on, because an extra keyframe at
// a cut costs less than coding the new scene as P frames, and extra keyframes inside
// a segment do not disturb alignment.

#include "core/status.h"
#include "media/ffmpeg.h"
#include "media/ladder.h"

namespace rs::media {

struct VideoEncoderSettings {
  EncodeProfile profile;
  Rung rung;
  int width = 0, height = 0;
  AVRational timeBase{1, 90000};
  AVRational frameRate{25, 1};
  int keyint = 100;        // frames per segment
  int threads = 0;         // 0: the encoder's own default
  bool globalHeader = true;
  AVColorPrimaries primaries = AVCOL_PRI_UNSPECIFIED;
  AVColorTransferCharacteristic transfer = AVCOL_TRC_UNSPECIFIED;
  AVColorSpace colorSpace = AVCOL_SPC_UNSPECIFIED;
};

// "libx264" for "h264", …; BadRequest for an unknown codec or preset.
Result<QString> encoderNameFor(const EncodeProfile &profile);
Status checkProfile(const EncodeProfile &profile);
Result<av::CodecContext> openVideoEncoder(const VideoEncoderSettings &settings);

}  // namespace rs::media
