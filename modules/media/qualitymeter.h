#pragma once
// Measures one rung's quality on a thread of its own, so decoding the rung's packets
// and comparing pictures never holds up its encoder: the rung thread hands over the
// encoder's input pictures (the source scaled to the rung) and its packets; this
// decodes the packets with FFmpeg's decoder for the codec and scores each decoded
// picture against the input with the same timestamp.

#include "core/status.h"
#include "media/ffmpeg.h"
#include "media/framequeue.h"
#include "media/quality.h"

#include <map>
#include <thread>

namespace rs::media {

class QualityMeter {
 public:
  QualityMeter() = default;
  QualityMeter(const QualityMeter &) = delete;
  QualityMeter &operator=(const QualityMeter &) = delete;
  ~QualityMeter();

  Status open(const AVCodecContext *encoder, const QString &rungName);
  // False once the meter failed or was aborted (finish() then tells why).
  bool addReference(std::int64_t pts, int segment, const AVFrame *picture);
  bool addPacket(const AVPacket *pkt);
  // Drains, stops the thread and returns its first error.
  Status finish();
  void abort();
  QualityScore psnr() const { return psnr_.score(); }
  QualityScore ssim() const { return ssim_.score(); }
  // Instrumentation, valid after finish(): wall ms working and waiting for input,
  // and the thread's CPU ms (all of it, and comparing pictures alone).
  double busyMs() const { return busyMs_; }
  double idleMs() const { return idleMs_; }
  double cpuMs() const { return cpuMs_; }
  double metricsCpuMs() const { return metricsCpuMs_; }

 private:
  struct Item {
    av::Frame reference;  // either a reference picture…
    av::Packet packet;    // …or a packet (null: flush)
    std::int64_t pts = 0;
    int segment = 0;
  };
  void run();
  void loop();
  Status handle(Item &item);
  Status drain();

  QString name_;
  av::CodecContext decoder_;
  av::Frame decoded_;
  BoundedQueue<Item> queue_{64};
  std::map<std::int64_t, std::pair<av::Frame, int>> pending_;  // pts → picture, segment
  quality::Accumulator psnr_, ssim_;
  Status status_;
  double busyMs_ = 0, idleMs_ = 0, cpuMs_ = 0, metricsCpuMs_ = 0;
  std::thread thread_;
};

}  // namespace rs::media
