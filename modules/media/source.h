#pragma once
// The source side of a transcode: demuxing (file or http:// URL), the one video
// decode (frame-threaded), and rotation applied with libavfilter (transpose) so every
// consumer sees upright pictures.

#include "core/status.h"
#include "media/ffmpeg.h"

#include <functional>

namespace rs::media {

// What to read: a file or an http(s) URL, and for a URL the extra request headers
// (the encoder's service credential: never in the URL, which errors and logs show).
struct MediaInput {
  MediaInput(QString u) : url(std::move(u)) {}  // NOLINT: a path is an input
  MediaInput(const char *u) : url(QString::fromUtf8(u)) {}
  MediaInput(QString u, QByteArray headers) : url(std::move(u)), httpHeaders(std::move(headers)) {}
  QString url;
  QByteArray httpHeaders;  // "Name: value\r\n" lines, as libavformat's http "headers"
};

class Source {
 public:
  using FrameSink = std::function<Status(AVFrame *upright)>;

  Status open(const MediaInput &input);
  AVFormatContext *format() const { return fmt_.get(); }
  AVStream *videoStream() const { return video_; }
  AVStream *audioStream() const { return audio_; }
  int rotation() const { return rotation_; }
  // The next packet; false at the end of the input.
  Result<bool> read(AVPacket *pkt);
  // Decodes one video packet (nullptr: flush) and hands each upright frame to `sink`.
  Status decodeVideo(const AVPacket *pkt, const FrameSink &sink);
  int damagedPackets() const { return damaged_; }
  // After the last packet: a read error, or pictures ending well before the duration
  // the header promised, means the source was cut short (libavformat reports a
  // faststart MP4 whose samples run past the end only as a log line).
  Status checkComplete(double videoEndSeconds) const;

 private:
  Status deliver(AVFrame *frame, const FrameSink &sink);
  Status buildRotation(const AVFrame *frame);

  av::InputFormat fmt_;
  AVStream *video_ = nullptr, *audio_ = nullptr;
  av::CodecContext decoder_;
  av::Frame frame_, rotated_;
  int rotation_ = 0;
  int damaged_ = 0, decodedFrames_ = 0;
  // Rotation graph and the input it was built for.
  av::FilterGraph graph_;
  AVFilterContext *graphIn_ = nullptr, *graphOut_ = nullptr;
  int graphW_ = 0, graphH_ = 0, graphFormat_ = -1;
};

}  // namespace rs::media
