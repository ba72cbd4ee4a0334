#pragma once
// Poster and thumbnail sprite from the decoded source frames: the poster is the frame
// at ~10% of the duration (the first frame of a clip too short to reach it) at the
// display size capped to 1280 wide; the sprite is one 160-px-wide tile every
// T = max(2, ceil(duration/100)) seconds in a grid 10 wide, with a WebVTT file whose
// cues point into it ("thumbs.jpg#xywh=x,y,w,h").

#include "core/status.h"
#include "media/ffmpeg.h"

#include <QString>
#include <vector>

namespace rs::media {

class Thumbnailer {
 public:
  static constexpr int kTileWidth = 160;
  static constexpr int kColumns = 10;
  static constexpr int kPosterMaxWidth = 1280;

  Thumbnailer(const QString &workDir, double durationSeconds);
  // Every upright frame, in order, with its time from the start.
  Status add(const AVFrame *frame, double seconds);
  // Writes poster.jpg, thumbs.jpg and thumbs.vtt; `endSeconds` ends the last cue.
  Status finish(double endSeconds);

  QString posterPath() const;
  QString spritePath() const;
  QString vttPath() const;
  double intervalSeconds() const { return interval_; }

 private:
  Status scaleTo(const AVFrame *src, int width, int height, av::Frame &out);

  QString dir_;
  double duration_ = 0;
  double interval_ = 2;
  av::Frame poster_, first_;
  std::vector<av::Frame> tiles_;
  std::vector<double> tileTimes_;
  int tileHeight_ = 0;
  av::Sws sws_;
};

// One frame as a baseline JPEG (FFmpeg's mjpeg encoder, yuvj420p, full range).
Status writeJpeg(const AVFrame *frame, const QString &path);
// "HH:MM:SS.mmm" as WebVTT wants it.
QString vttTimestamp(double seconds);

}  // namespace rs::media
