#pragma once
// One rung of the ladder, on its own thread: scale each source frame (bicubic) to the
// rung's size, encode, and cut the fragmented MP4 at segment boundaries; its
// QualityMeter scores the packets against the scaled source on another thread.

#include "core/status.h"
#include "media/encoderconfig.h"
#include "media/fmp4writer.h"
#include "media/framequeue.h"
#include "media/qualitymeter.h"
#include "media/sourceframe.h"
#include "media/transcode.h"

#include <atomic>
#include <memory>
#include <set>

namespace rs::media {

class RungEncoder {
 public:
  struct Config {
    VideoEncoderSettings encoder;
    QString path;
    bool measureQuality = true;
  };

  explicit RungEncoder(size_t queueDepth) : queue_(queueDepth) {}
  RungEncoder(const RungEncoder &) = delete;
  RungEncoder &operator=(const RungEncoder &) = delete;

  Status open(const Config &config);
  BoundedQueue<SourceFramePtr> &queue() { return queue_; }
  // The thread body: returns when the queue is closed and drained (then the file is
  // complete) or aborted. The first error is returned and the queue aborted.
  Status run();
  RungOutput output() const;

  // Read by the progress reporter on another thread.
  std::int64_t encodedUntil() const { return encodedUntil_.load(std::memory_order_relaxed); }
  int encodedFrames() const { return encodedFrames_.load(std::memory_order_relaxed); }
  // Instrumentation: time spent waiting for frames vs working, in ms.
  double waitMs() const { return waitMs_; }
  double busyMs() const { return busyMs_; }
  double encodeMs() const { return encodeMs_; }
  double meterWaitMs() const { return meterWaitMs_; }
  const QualityMeter *meter() const { return meter_.get(); }

 private:
  Status encode(const SourceFrame &item);
  Status scale(const AVFrame *src, av::Frame &dst);
  Status drainEncoder();
  Status handlePacket(AVPacket *pkt);
  Status flush();

  Config config_;
  BoundedQueue<SourceFramePtr> queue_;
  av::CodecContext encoder_;
  av::Sws sws_;
  av::Packet packet_;
  FragmentedMp4Writer writer_;
  std::unique_ptr<QualityMeter> meter_;
  std::set<std::int64_t> forcedKeyframes_;    // pts of frames that start a segment
  std::int64_t frameDuration_ = 1;
  QualityScore psnr_, ssim_;
  std::atomic<std::int64_t> encodedUntil_{0};
  std::atomic<int> encodedFrames_{0};
  double waitMs_ = 0, busyMs_ = 0, encodeMs_ = 0, meterWaitMs_ = 0;
};

}  // namespace rs::media
