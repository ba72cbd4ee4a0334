#include "media/source.h"

#include "media/streams.h"

#include <algorithm>

extern "C" {
#include <libavfilter/buffersink.h>
#include <libavfilter/buffersrc.h>
}

namespace rs::media {

namespace {

Status sourceError(const char *stage, const QString &what, int err) {
  const bool unreadable = err == AVERROR(ENOENT) || err == AVERROR_HTTP_NOT_FOUND;
  // Refused or failing servers say nothing about the media: worth another attempt.
  const bool refused = err == AVERROR_HTTP_UNAUTHORIZED || err == AVERROR_HTTP_FORBIDDEN || err == AVERROR_HTTP_SERVER_ERROR;
  if (refused) return {ErrorCode::Unavailable, av::stageError(stage, what, err)};
  return {unreadable ? ErrorCode::NotFound : ErrorCode::BadRequest, av::stageError(stage, what, err)};
}

// A handful of damaged packets is what real captures have and decoders conceal; more
// than that (and more than 1% of the pictures) is a broken source.
constexpr int kTolerableDamage = 10;

}  // namespace

Status Source::open(const MediaInput &in) {
  const QString &input = in.url;
  const QByteArray url = input.toUtf8();
  AVFormatContext *raw = nullptr;
  av::Dictionary opts;
  if (input.startsWith(QStringLiteral("http://")) || input.startsWith(QStringLiteral("https://"))) {
    if (!in.httpHeaders.isEmpty()) opts.set("headers", in.httpHeaders.constData());
    // An encode reads its source for minutes: ride out a dropped connection by
    // resuming with a range request instead of failing the job.
    opts.set("reconnect", "1");
    opts.set("reconnect_on_network_error", "1");
    opts.set("reconnect_delay_max", "10");
    opts.set("rw_timeout", std::int64_t(30'000'000));  // µs without progress → error
  }
  int err = avformat_open_input(&raw, url.constData(), nullptr, opts.out());
  if (err < 0) return sourceError("demux", input, err);
  fmt_.reset(raw);
  err = avformat_find_stream_info(fmt_.get(), nullptr);
  if (err < 0) return sourceError("demux", input, err);
  const int vi = pickVideoStream(fmt_.get()), ai = pickAudioStream(fmt_.get());
  if (vi < 0) return {ErrorCode::BadRequest, QStringLiteral("demux: no video stream in ") + input};
  video_ = fmt_->streams[vi];
  audio_ = ai >= 0 ? fmt_->streams[ai] : nullptr;
  for (unsigned i = 0; i < fmt_->nb_streams; ++i)
    if (int(i) != vi && int(i) != ai) fmt_->streams[i]->discard = AVDISCARD_ALL;
  rotation_ = streamRotation(video_);

  const AVCodec *codec = avcodec_find_decoder(video_->codecpar->codec_id);
  if (!codec)
    return {ErrorCode::BadRequest, QStringLiteral("decode: unsupported: no decoder for ") +
                                       QString::fromUtf8(avcodec_get_name(video_->codecpar->codec_id))};
  decoder_.reset(avcodec_alloc_context3(codec));
  if (!decoder_) return sourceError("decode", input, AVERROR(ENOMEM));
  err = avcodec_parameters_to_context(decoder_.get(), video_->codecpar);
  if (err >= 0) {
    decoder_->pkt_timebase = video_->time_base;
    decoder_->thread_count = 0;  // frame threads, one per core: the decode is shared by every rung
    decoder_->thread_type = FF_THREAD_FRAME | FF_THREAD_SLICE;
    err = avcodec_open2(decoder_.get(), codec, nullptr);
  }
  if (err < 0) return sourceError("decode", QString::fromUtf8(codec->name), err);
  frame_ = av::makeFrame();
  rotated_ = av::makeFrame();
  if (!frame_ || !rotated_) return sourceError("decode", input, AVERROR(ENOMEM));
  return Status::ok();
}

Result<bool> Source::read(AVPacket *pkt) {
  for (;;) {
    const int err = av_read_frame(fmt_.get(), pkt);
    if (err == AVERROR_EOF) return false;
    if (err == AVERROR(EAGAIN)) continue;
    if (err < 0) return Status(ErrorCode::BadRequest, av::stageError("demux", QStringLiteral("read"), err));
    return true;
  }
}

Status Source::decodeVideo(const AVPacket *pkt, const FrameSink &sink) {
  int err = avcodec_send_packet(decoder_.get(), pkt);
  if (err == AVERROR_INVALIDDATA) {
    ++damaged_;
  } else if (err < 0 && err != AVERROR_EOF) {
    return {ErrorCode::BadRequest, av::stageError("decode", QStringLiteral("video"), err)};
  }
  for (;;) {
    err = avcodec_receive_frame(decoder_.get(), frame_.get());
    if (err == AVERROR(EAGAIN) || err == AVERROR_EOF) break;
    if (err == AVERROR_INVALIDDATA) {
      ++damaged_;
      continue;
    }
    if (err < 0) return {ErrorCode::BadRequest, av::stageError("decode", QStringLiteral("video"), err)};
    ++decodedFrames_;
    const Status s = deliver(frame_.get(), sink);
    av_frame_unref(frame_.get());
    RS_RETURN_IF_ERROR(s);
  }
  if (damaged_ > kTolerableDamage && damaged_ * 100 > decodedFrames_)
    return {ErrorCode::BadRequest, QStringLiteral("decode: the source is damaged (%1 unreadable video packets)").arg(damaged_)};
  return Status::ok();
}

Status Source::checkComplete(double videoEnd) const {
  if (fmt_->pb && fmt_->pb->error < 0 && fmt_->pb->error != AVERROR_EOF)
    return {ErrorCode::BadRequest, av::stageError("demux", QStringLiteral("read"), fmt_->pb->error)};
  double expected = 0;
  if (video_->duration != AV_NOPTS_VALUE && video_->duration > 0)
    expected = double(video_->duration) * av_q2d(video_->time_base);
  else if (fmt_->duration != AV_NOPTS_VALUE && fmt_->duration > 0)
    expected = double(fmt_->duration) / AV_TIME_BASE;
  if (expected > 0 && videoEnd < expected - std::max(1.0, 0.05 * expected))
    return {ErrorCode::BadRequest, QStringLiteral("demux: truncated or corrupt: the video ends at %1 s of %2 s")
                                       .arg(videoEnd, 0, 'f', 2)
                                       .arg(expected, 0, 'f', 2)};
  return Status::ok();
}

Status Source::buildRotation(const AVFrame *f) {
  graph_.reset(avfilter_graph_alloc());
  if (!graph_) return sourceError("rotate", QStringLiteral("graph"), AVERROR(ENOMEM));
  const AVRational tb = video_->time_base;
  const AVRational sar = f->sample_aspect_ratio.num ? f->sample_aspect_ratio : AVRational{1, 1};
  const QByteArray args = QStringLiteral("video_size=%1x%2:pix_fmt=%3:time_base=%4/%5:pixel_aspect=%6/%7")
                              .arg(f->width).arg(f->height).arg(f->format).arg(tb.num).arg(tb.den)
                              .arg(sar.num).arg(sar.den).toLatin1();
  int err = avfilter_graph_create_filter(&graphIn_, avfilter_get_by_name("buffer"), "in", args.constData(), nullptr,
                                         graph_.get());
  if (err >= 0)
    err = avfilter_graph_create_filter(&graphOut_, avfilter_get_by_name("buffersink"), "out", nullptr, nullptr,
                                       graph_.get());
  if (err < 0) return sourceError("rotate", QStringLiteral("graph"), err);
  const char *chain = rotation_ == 90 ? "transpose=clock" : rotation_ == 270 ? "transpose=cclock" : "hflip,vflip";
  AVFilterInOut *outputs = avfilter_inout_alloc(), *inputs = avfilter_inout_alloc();
  if (!outputs || !inputs) {
    avfilter_inout_free(&outputs);
    avfilter_inout_free(&inputs);
    return sourceError("rotate", QStringLiteral("graph"), AVERROR(ENOMEM));
  }
  outputs->name = av_strdup("in");
  outputs->filter_ctx = graphIn_;
  inputs->name = av_strdup("out");
  inputs->filter_ctx = graphOut_;
  err = avfilter_graph_parse_ptr(graph_.get(), chain, &inputs, &outputs, nullptr);
  avfilter_inout_free(&outputs);
  avfilter_inout_free(&inputs);
  if (err >= 0) err = avfilter_graph_config(graph_.get(), nullptr);
  if (err < 0) return sourceError("rotate", QString::fromUtf8(chain), err);
  graphW_ = f->width;
  graphH_ = f->height;
  graphFormat_ = f->format;
  return Status::ok();
}

Status Source::deliver(AVFrame *frame, const FrameSink &sink) {
  if (rotation_ == 0) return sink(frame);
  if (!graph_ || frame->width != graphW_ || frame->height != graphH_ || frame->format != graphFormat_)
    RS_RETURN_IF_ERROR(buildRotation(frame));
  int err = av_buffersrc_add_frame_flags(graphIn_, frame, AV_BUFFERSRC_FLAG_KEEP_REF);
  if (err < 0) return sourceError("rotate", QStringLiteral("push"), err);
  for (;;) {
    err = av_buffersink_get_frame(graphOut_, rotated_.get());
    if (err == AVERROR(EAGAIN) || err == AVERROR_EOF) return Status::ok();
    if (err < 0) return sourceError("rotate", QStringLiteral("pull"), err);
    const Status s = sink(rotated_.get());
    av_frame_unref(rotated_.get());
    RS_RETURN_IF_ERROR(s);
  }
}

}  // namespace rs::media
