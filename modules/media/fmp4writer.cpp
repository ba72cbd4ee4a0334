#include "media/fmp4writer.h"

namespace rs::media {

namespace {

Status muxError(const QString &what, int err) { return {ErrorCode::IoError, av::stageError("mux", what, err)}; }

}  // namespace

Status FragmentedMp4Writer::open(const QString &path, const AVCodecContext *encoder) {
  path_ = path;
  const QByteArray file = path.toUtf8();
  AVFormatContext *raw = nullptr;
  int err = avformat_alloc_output_context2(&raw, nullptr, "mp4", file.constData());
  if (err < 0 || !raw) return muxError(path, err < 0 ? err : AVERROR(ENOMEM));
  ctx_.reset(raw);
  stream_ = avformat_new_stream(ctx_.get(), nullptr);
  if (!stream_) return muxError(path, AVERROR(ENOMEM));
  err = avcodec_parameters_from_context(stream_->codecpar, encoder);
  if (err < 0) return muxError(path, err);
  // Apple players want HEVC as hvc1 (parameter sets in the sample entry only).
  if (encoder->codec_id == AV_CODEC_ID_HEVC) stream_->codecpar->codec_tag = MKTAG('h', 'v', 'c', '1');
  stream_->time_base = encoder->time_base;
  packetTimeBase_ = encoder->time_base;
  if (encoder->codec_type == AVMEDIA_TYPE_VIDEO) {
    stream_->avg_frame_rate = encoder->framerate;
    stream_->sample_aspect_ratio = encoder->sample_aspect_ratio;
  }
  err = avio_open(&ctx_->pb, file.constData(), AVIO_FLAG_WRITE);
  if (err < 0) return muxError(path, err);
  // Keep the encoder's timestamps: B-frames give the first samples negative decode
  // times, and negative_cts_offsets (version 1 trun) lets the first picture present
  // at exactly 0 instead of libavformat shifting the whole track by the reorder delay.
  ctx_->avoid_negative_ts = AVFMT_AVOID_NEG_TS_DISABLED;
  av::Dictionary opts;
  // empty_moov: the init segment carries no samples; default_base_moof + cmaf: what
  // CMAF players and our splitter expect; frag_custom: fragments end only on flush.
  opts.set("movflags", "frag_custom+empty_moov+default_base_moof+cmaf+negative_cts_offsets");
  err = avformat_write_header(ctx_.get(), opts.out());
  if (err < 0) return muxError(path, err);
  return Status::ok();
}

Status FragmentedMp4Writer::write(AVPacket *pkt, bool startsFragment) {
  if (startsFragment && wrotePacket_) {
    const int err = av_write_frame(ctx_.get(), nullptr);
    if (err < 0) return muxError(path_, err);
    ++fragments_;
  }
  pkt->stream_index = stream_->index;
  av_packet_rescale_ts(pkt, packetTimeBase_, stream_->time_base);
  const int err = av_write_frame(ctx_.get(), pkt);
  av_packet_unref(pkt);
  if (err < 0) return muxError(path_, err);
  wrotePacket_ = true;
  return Status::ok();
}

Status FragmentedMp4Writer::finish() {
  if (finished_) return Status::ok();
  finished_ = true;
  const int err = av_write_trailer(ctx_.get());  // writes the last fragment
  if (err < 0) return muxError(path_, err);
  if (wrotePacket_) ++fragments_;
  const int closeErr = avio_closep(&ctx_->pb);
  if (closeErr < 0) return muxError(path_, closeErr);
  return Status::ok();
}

}  // namespace rs::media
