#pragma once
// One decode, many encodes: the source is decoded once; every rung scales and
// encodes its copy of each frame on its own thread. Keyframes (closed GOP, IDR) fall
// exactly on segment boundaries on every rung, and each rung's fragmented MP4 is cut
// into one fragment per segment, so package::splitFragmentedMp4 yields aligned CMAF
// segments. Quality is measured in the same pass: each rung's packets are decoded
// again and compared with the source scaled DOWN to the rung's size (bicubic), per
// segment, on the luma plane (PSNR and SSIM). Poster and thumbnail sprite come from
// the same decoded frames.

#include "core/status.h"
#include "media/ladder.h"
#include "media/probe.h"
#include "media/source.h"

#include <QString>
#include <atomic>
#include <functional>
#include <vector>

namespace rs::media {

struct Progress {
  double percent = 0;      // of source duration decoded and encoded by every rung
  double fps = 0;          // source frames per second through the pipeline
  double etaSeconds = -1;  // -1 unknown
};

struct QualityScore {
  double mean = 0;
  double worstSegment = 0;
  std::vector<double> perSegment;
};

struct RungOutput {
  Rung rung;
  int width = 0, height = 0;
  QString file;            // fragmented MP4, one fragment per segment
  QualityScore psnr, ssim;
  QString codec;           // "h264"
};

struct TranscodeOutput {
  std::vector<RungOutput> video;
  QString audioFile;       // fragmented MP4 (AAC-LC stereo) or empty when the source has no audio
  QString poster;          // JPEG
  QString sprite;          // JPEG grid of thumbnails
  QString spriteVtt;       // WebVTT: cues → "thumbs.jpg#xywh=x,y,w,h"
  double durationSeconds = 0;
  int frameRateNum = 0, frameRateDen = 1;
};

using ProgressFn = std::function<void(const Progress &)>;

// Writes everything into `workDir`: video-<rung>.mp4 per rung, audio.mp4 (when the
// source has audio), poster.jpg, thumbs.jpg, thumbs.vtt. Video timestamps start at 0
// in a timescale where each frame lasts a whole number of ticks (90 kHz for 25, 30,
// 29.97 fps); fragments start with an IDR presented exactly at k·segmentSeconds
// (the first frame at or after it for sources whose frames miss the boundary), on
// every rung alike; trun boxes are version 1 (negative composition offsets) so B
// frames need no edit list. Audio fragments start with the first AAC frame at or
// after each boundary. PSNR of identical pictures is capped at 100 dB.
// `cancel` (may be null) stops the work early with ErrorCode::Unavailable. Errors
// name the stage ("demux: …", "decode: …", "encode: …", "mux: …", "quality: …")
// and carry FFmpeg's message; a damaged or cut-short source is BadRequest.
Result<TranscodeOutput> transcode(const MediaInput &input, const MediaInfo &info, const LadderSpec &spec,
                                  const QString &workDir, const ProgressFn &progress,
                                  const std::atomic<bool> *cancel);

}  // namespace rs::media
