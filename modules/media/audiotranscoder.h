#pragma once
// The source's audio as AAC-LC stereo 48 kHz (FFmpeg's native encoder) in a
// fragmented MP4, one fragment per segment: decode, resample (libswresample), feed
// the encoder 1024-sample frames from a FIFO, cut at the first frame at or after
// each segment boundary.

#include "core/status.h"
#include "media/ffmpeg.h"
#include "media/fmp4writer.h"

namespace rs::media {

class AudioTranscoder {
 public:
  // `zeroSeconds`: the source time that becomes 0 in the output (the video's start),
  // so audio and video stay in sync.
  Status open(const AVStream *source, const QString &path, int bitrateKbps, double segmentSeconds,
              double zeroSeconds);
  Status feed(const AVPacket *pkt);
  Status finish();
  const QString &path() const { return writer_.path(); }

 private:
  Status decodeAndQueue();
  Status resample(const AVFrame *in);
  Status encodeFromFifo(bool flush);
  Status drainEncoder();

  static constexpr int kRate = 48000;
  av::CodecContext decoder_, encoder_;
  av::Swr swr_;
  av::AudioFifo fifo_;
  av::Frame decoded_, converted_;
  av::Packet packet_;
  FragmentedMp4Writer writer_;
  AVRational sourceTimeBase_{1, 1};
  double zeroSeconds_ = 0;
  double segmentSeconds_ = 4;
  bool started_ = false;
  std::int64_t skipSamples_ = 0;   // source audio before the video's start
  std::int64_t nextPts_ = 0;       // of the next encoder frame, in 1/48000
  int nextSegment_ = 1;
  bool wrotePacket_ = false;
};

}  // namespace rs::media
