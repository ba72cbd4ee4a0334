#include "media/rungencoder.h"

#include <QElapsedTimer>

namespace rs::media {

namespace {

Status stageFailure(const char *stage, const QString &rung, int err) {
  return {ErrorCode::Internal, av::stageError(stage, rung, err)};
}

double msSince(const QElapsedTimer &t) { return double(t.nsecsElapsed()) / 1e6; }

}  // namespace

Status RungEncoder::open(const Config &config) {
  config_ = config;
  Result<av::CodecContext> enc = openVideoEncoder(config.encoder);
  if (!enc) return enc.status();
  encoder_ = std::move(enc.value());
  frameDuration_ = std::max<std::int64_t>(1, av_rescale_q(1, av_inv_q(encoder_->framerate), encoder_->time_base));

  packet_ = av::makePacket();
  if (!packet_) return stageFailure("encode", config.encoder.rung.name, AVERROR(ENOMEM));
  RS_RETURN_IF_ERROR(writer_.open(config.path, encoder_.get()));
  if (config.measureQuality) {
    meter_ = std::make_unique<QualityMeter>();
    RS_RETURN_IF_ERROR(meter_->open(encoder_.get(), config.encoder.rung.name));
  }
  return Status::ok();
}

Status RungEncoder::run() {
  QElapsedTimer clock;
  for (;;) {
    clock.start();
    std::optional<SourceFramePtr> item = queue_.pop();
    waitMs_ += msSince(clock);
    if (!item) break;
    clock.start();
    const Status s = encode(**item);
    busyMs_ += msSince(clock);
    if (!s) {
      queue_.abort();
      if (meter_) meter_->abort();
      return s;
    }
  }
  if (queue_.aborted()) {  // cancelled or failed elsewhere: leave the file
    if (meter_) meter_->abort();
    return Status::ok();
  }
  const Status s = flush();
  if (!s) {
    queue_.abort();
    if (meter_) meter_->abort();
  }
  return s;
}

Status RungEncoder::scale(const AVFrame *src, av::Frame &dst) {
  const int w = encoder_->width, h = encoder_->height;
  if (src->width == w && src->height == h && src->format == AV_PIX_FMT_YUV420P) {
    dst = av::refFrame(src);  // already the rung's size: no copy
    if (!dst) return stageFailure("scale", config_.encoder.rung.name, AVERROR(ENOMEM));
    return Status::ok();
  }
  sws_.reset(sws_getCachedContext(sws_.release(), src->width, src->height, AVPixelFormat(src->format), w, h,
                                  AV_PIX_FMT_YUV420P, SWS_BICUBIC, nullptr, nullptr, nullptr));
  if (!sws_) return {ErrorCode::Internal, QStringLiteral("scale: ") + config_.encoder.rung.name +
                                              QStringLiteral(": unsupported conversion")};
  dst = av::makeFrame();
  if (!dst) return stageFailure("scale", config_.encoder.rung.name, AVERROR(ENOMEM));
  dst->width = w;
  dst->height = h;
  dst->format = AV_PIX_FMT_YUV420P;
  int err = av_frame_get_buffer(dst.get(), 0);
  if (err >= 0) err = sws_scale(sws_.get(), src->data, src->linesize, 0, src->height, dst->data, dst->linesize);
  if (err < 0) return stageFailure("scale", config_.encoder.rung.name, err);
  return Status::ok();
}

Status RungEncoder::encode(const SourceFrame &item) {
  av::Frame frame;
  RS_RETURN_IF_ERROR(scale(item.frame.get(), frame));
  frame->pts = item.pts;
  frame->pict_type = item.segmentStart ? AV_PICTURE_TYPE_I : AV_PICTURE_TYPE_NONE;
  frame->sample_aspect_ratio = AVRational{1, 1};
  frame->color_primaries = encoder_->color_primaries;
  frame->color_trc = encoder_->color_trc;
  frame->colorspace = encoder_->colorspace;
  frame->color_range = AVCOL_RANGE_MPEG;
  if (item.segmentStart) forcedKeyframes_.insert(item.pts);
  QElapsedTimer clock;
  clock.start();
  if (meter_ && !meter_->addReference(item.pts, item.segment, frame.get())) return meter_->finish();
  meterWaitMs_ += msSince(clock);
  clock.restart();
  const int err = avcodec_send_frame(encoder_.get(), frame.get());
  encodeMs_ += msSince(clock);
  if (err < 0) return stageFailure("encode", config_.encoder.rung.name, err);
  return drainEncoder();
}

Status RungEncoder::drainEncoder() {
  for (;;) {
    const int err = avcodec_receive_packet(encoder_.get(), packet_.get());
    if (err == AVERROR(EAGAIN) || err == AVERROR_EOF) return Status::ok();
    if (err < 0) return stageFailure("encode", config_.encoder.rung.name, err);
    RS_RETURN_IF_ERROR(handlePacket(packet_.get()));
  }
}

Status RungEncoder::handlePacket(AVPacket *pkt) {
  // The muxer needs every sample's duration; the last one of a fragment has no
  // successor to take it from.
  if (pkt->duration <= 0) pkt->duration = frameDuration_;
  encodedUntil_.store(std::max(encodedUntil(), pkt->pts + pkt->duration), std::memory_order_relaxed);
  encodedFrames_.fetch_add(1, std::memory_order_relaxed);

  QElapsedTimer clock;
  clock.start();
  if (meter_ && !meter_->addPacket(pkt)) return meter_->finish();
  meterWaitMs_ += msSince(clock);

  // One fragment per segment: cut right before the IDR that opens the next one.
  const bool startsSegment = (pkt->flags & AV_PKT_FLAG_KEY) && forcedKeyframes_.erase(pkt->pts) > 0;
  return writer_.write(pkt, startsSegment);
}

Status RungEncoder::flush() {
  int err = avcodec_send_frame(encoder_.get(), nullptr);
  if (err < 0) return stageFailure("encode", config_.encoder.rung.name, err);
  RS_RETURN_IF_ERROR(drainEncoder());
  RS_RETURN_IF_ERROR(writer_.finish());
  if (meter_) {
    RS_RETURN_IF_ERROR(meter_->finish());
    psnr_ = meter_->psnr();
    ssim_ = meter_->ssim();
  }
  return Status::ok();
}

RungOutput RungEncoder::output() const {
  RungOutput out;
  out.rung = config_.encoder.rung;
  out.width = config_.encoder.width;
  out.height = config_.encoder.height;
  out.file = config_.path;
  out.codec = config_.encoder.profile.codec;
  out.psnr = psnr_;
  out.ssim = ssim_;
  return out;
}

}  // namespace rs::media
