#include "media/qualitymeter.h"

#include <QElapsedTimer>
#include <ctime>

namespace rs::media {

namespace {

double threadCpuMs() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) * 1e3 + double(ts.tv_nsec) / 1e6;
}

Status qualityError(const QString &rung, int err) { return {ErrorCode::Internal, av::stageError("quality", rung, err)}; }

}  // namespace

QualityMeter::~QualityMeter() {
  abort();
  if (thread_.joinable()) thread_.join();
}

Status QualityMeter::open(const AVCodecContext *encoder, const QString &rungName) {
  name_ = rungName;
  const AVCodec *dec = avcodec_find_decoder(encoder->codec_id);
  if (!dec) return {ErrorCode::Internal, QStringLiteral("quality: no decoder for ") + rungName};
  decoder_.reset(avcodec_alloc_context3(dec));
  if (!decoder_) return qualityError(rungName, AVERROR(ENOMEM));
  AVCodecParameters *par = avcodec_parameters_alloc();
  int err = par ? avcodec_parameters_from_context(par, encoder) : AVERROR(ENOMEM);
  if (err >= 0) err = avcodec_parameters_to_context(decoder_.get(), par);
  avcodec_parameters_free(&par);
  if (err < 0) return qualityError(rungName, err);
  decoder_->pkt_timebase = encoder->time_base;
  decoder_->thread_count = 1;  // one meter per rung already runs in parallel
  err = avcodec_open2(decoder_.get(), dec, nullptr);
  if (err < 0) return qualityError(rungName, err);
  decoded_ = av::makeFrame();
  if (!decoded_) return qualityError(rungName, AVERROR(ENOMEM));
  thread_ = std::thread([this] { run(); });
  return Status::ok();
}

bool QualityMeter::addReference(std::int64_t pts, int segment, const AVFrame *picture) {
  Item item;
  item.reference = av::refFrame(picture);
  item.pts = pts;
  item.segment = segment;
  return item.reference && queue_.push(std::move(item));
}

bool QualityMeter::addPacket(const AVPacket *pkt) {
  Item item;
  item.packet.reset(av_packet_clone(pkt));  // a new reference, no copy of the data
  return item.packet && queue_.push(std::move(item));
}

void QualityMeter::run() {
  loop();
  cpuMs_ = threadCpuMs();
}

void QualityMeter::loop() {
  QElapsedTimer clock;
  clock.start();
  for (;;) {
    std::optional<Item> item = queue_.pop();
    idleMs_ += double(clock.nsecsElapsed()) / 1e6;
    clock.restart();
    if (!item) break;
    const Status s = handle(*item);
    busyMs_ += double(clock.nsecsElapsed()) / 1e6;
    clock.restart();
    if (!s) {
      status_ = s;
      queue_.abort();
      return;
    }
  }
  if (queue_.aborted()) return;
  // Closed: flush the decoder for the last pictures.
  int err = avcodec_send_packet(decoder_.get(), nullptr);
  status_ = err < 0 ? qualityError(name_, err) : drain();
  pending_.clear();
}

Status QualityMeter::handle(Item &item) {
  if (item.reference) {
    pending_.emplace(item.pts, std::make_pair(std::move(item.reference), item.segment));
    return Status::ok();
  }
  const int err = avcodec_send_packet(decoder_.get(), item.packet.get());
  if (err < 0 && err != AVERROR(EAGAIN)) return qualityError(name_, err);
  return drain();
}

Status QualityMeter::drain() {
  for (;;) {
    const int err = avcodec_receive_frame(decoder_.get(), decoded_.get());
    if (err == AVERROR(EAGAIN) || err == AVERROR_EOF) return Status::ok();
    if (err < 0) return qualityError(name_, err);
    const std::int64_t pts =
        decoded_->best_effort_timestamp != AV_NOPTS_VALUE ? decoded_->best_effort_timestamp : decoded_->pts;
    auto it = pending_.lower_bound(pts);
    if (it != pending_.end() && it->first == pts) {
      const double t0 = threadCpuMs();
      const AVFrame *ref = it->second.first.get();
      const quality::Plane a{ref->data[0], ref->linesize[0]}, b{decoded_->data[0], decoded_->linesize[0]};
      const int w = std::min(ref->width, decoded_->width), h = std::min(ref->height, decoded_->height);
      psnr_.add(it->second.second, quality::psnr(a, b, w, h));
      ssim_.add(it->second.second, quality::ssim(a, b, w, h));
      metricsCpuMs_ += threadCpuMs() - t0;
      ++it;
    }
    // Decoded pictures come out in presentation order: nothing older can match now.
    pending_.erase(pending_.begin(), it);
    av_frame_unref(decoded_.get());
  }
}

Status QualityMeter::finish() {
  queue_.close();
  if (thread_.joinable()) thread_.join();
  return status_;
}

void QualityMeter::abort() { queue_.abort(); }

}  // namespace rs::media
