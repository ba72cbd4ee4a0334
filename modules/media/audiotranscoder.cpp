#include "media/audiotranscoder.h"

#include <cmath>

namespace rs::media {

namespace {

Status audioError(const char *stage, const QString &what, int err) {
  return {ErrorCode::Internal, av::stageError(stage, what, err)};
}

}  // namespace

Status AudioTranscoder::open(const AVStream *source, const QString &path, int bitrateKbps, double segmentSeconds,
                             double zeroSeconds) {
  sourceTimeBase_ = source->time_base;
  zeroSeconds_ = zeroSeconds;
  segmentSeconds_ = segmentSeconds;

  const AVCodec *dec = avcodec_find_decoder(source->codecpar->codec_id);
  if (!dec)
    return {ErrorCode::BadRequest, QStringLiteral("unsupported: no decoder for audio codec ") +
                                       QString::fromUtf8(avcodec_get_name(source->codecpar->codec_id))};
  decoder_.reset(avcodec_alloc_context3(dec));
  if (!decoder_) return audioError("audio decode", QStringLiteral("open"), AVERROR(ENOMEM));
  int err = avcodec_parameters_to_context(decoder_.get(), source->codecpar);
  if (err >= 0) {
    decoder_->pkt_timebase = source->time_base;
    err = avcodec_open2(decoder_.get(), dec, nullptr);
  }
  if (err < 0) return audioError("audio decode", QString::fromUtf8(dec->name), err);

  const AVCodec *enc = avcodec_find_encoder_by_name("aac");
  if (!enc) return {ErrorCode::Internal, QStringLiteral("audio encode: FFmpeg has no aac encoder")};
  encoder_.reset(avcodec_alloc_context3(enc));
  if (!encoder_) return audioError("audio encode", QStringLiteral("open"), AVERROR(ENOMEM));
  encoder_->sample_fmt = AV_SAMPLE_FMT_FLTP;
  encoder_->sample_rate = kRate;
  const AVChannelLayout stereo = AV_CHANNEL_LAYOUT_STEREO;
  av_channel_layout_copy(&encoder_->ch_layout, &stereo);
  encoder_->bit_rate = std::int64_t(bitrateKbps) * 1000;
  encoder_->profile = FF_PROFILE_AAC_LOW;
  encoder_->time_base = AVRational{1, kRate};
  encoder_->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  err = avcodec_open2(encoder_.get(), enc, nullptr);
  if (err < 0) return audioError("audio encode", QStringLiteral("aac"), err);

  fifo_.reset(av_audio_fifo_alloc(AV_SAMPLE_FMT_FLTP, 2, 4 * encoder_->frame_size));
  decoded_ = av::makeFrame();
  converted_ = av::makeFrame();
  packet_ = av::makePacket();
  if (!fifo_ || !decoded_ || !converted_ || !packet_) return audioError("audio", QStringLiteral("open"), AVERROR(ENOMEM));
  return writer_.open(path, encoder_.get());
}

Status AudioTranscoder::feed(const AVPacket *pkt) {
  const int err = avcodec_send_packet(decoder_.get(), pkt);
  // A damaged audio packet is dropped, as players do; the video decides whether the
  // source is usable.
  if (err < 0 && err != AVERROR_INVALIDDATA && err != AVERROR_EOF)
    return audioError("audio decode", QString::fromUtf8(decoder_->codec->name), err);
  return decodeAndQueue();
}

Status AudioTranscoder::decodeAndQueue() {
  for (;;) {
    const int err = avcodec_receive_frame(decoder_.get(), decoded_.get());
    if (err == AVERROR(EAGAIN) || err == AVERROR_EOF) return Status::ok();
    if (err == AVERROR_INVALIDDATA) continue;
    if (err < 0) return audioError("audio decode", QString::fromUtf8(decoder_->codec->name), err);
    const Status s = resample(decoded_.get());
    av_frame_unref(decoded_.get());
    RS_RETURN_IF_ERROR(s);
    RS_RETURN_IF_ERROR(encodeFromFifo(false));
  }
}

Status AudioTranscoder::resample(const AVFrame *in) {
  if (!started_) {
    started_ = true;
    const std::int64_t ts = in ? in->best_effort_timestamp : AV_NOPTS_VALUE;
    const double t = ts == AV_NOPTS_VALUE ? 0.0 : double(ts) * av_q2d(sourceTimeBase_) - zeroSeconds_;
    if (t > 0) nextPts_ = std::llround(t * kRate);     // audio starts after the picture
    else skipSamples_ = std::llround(-t * kRate);       // …or before it: drop the lead
  }
  if (in && !swr_) {
    AVChannelLayout inLayout{};
    if (in->ch_layout.order == AV_CHANNEL_ORDER_UNSPEC || in->ch_layout.nb_channels == 0)
      av_channel_layout_default(&inLayout, std::max(1, in->ch_layout.nb_channels));
    else
      av_channel_layout_copy(&inLayout, &in->ch_layout);
    SwrContext *raw = nullptr;
    int err = swr_alloc_set_opts2(&raw, &encoder_->ch_layout, AV_SAMPLE_FMT_FLTP, kRate, &inLayout,
                                  AVSampleFormat(in->format), in->sample_rate, 0, nullptr);
    av_channel_layout_uninit(&inLayout);
    swr_.reset(raw);
    if (err >= 0) err = swr_init(swr_.get());
    if (err < 0) return audioError("resample", QStringLiteral("init"), err);
  }
  if (!swr_) return Status::ok();  // no audio was ever decoded
  const int room = swr_get_out_samples(swr_.get(), in ? in->nb_samples : 0);
  if (room <= 0) return Status::ok();
  av_frame_unref(converted_.get());
  converted_->format = AV_SAMPLE_FMT_FLTP;
  converted_->sample_rate = kRate;
  av_channel_layout_copy(&converted_->ch_layout, &encoder_->ch_layout);
  converted_->nb_samples = room;
  int err = av_frame_get_buffer(converted_.get(), 0);
  if (err < 0) return audioError("resample", QStringLiteral("buffer"), err);
  const int n = swr_convert(swr_.get(), converted_->data, room, in ? const_cast<const uint8_t **>(in->extended_data) : nullptr,
                            in ? in->nb_samples : 0);
  if (n < 0) return audioError("resample", QStringLiteral("convert"), n);
  int offset = 0;
  if (skipSamples_ > 0) {
    offset = int(std::min<std::int64_t>(skipSamples_, n));
    skipSamples_ -= offset;
  }
  if (n - offset > 0) {
    void *planes[2] = {converted_->data[0] + offset * sizeof(float), converted_->data[1] + offset * sizeof(float)};
    err = av_audio_fifo_write(fifo_.get(), planes, n - offset);
    if (err < 0) return audioError("resample", QStringLiteral("fifo"), err);
  }
  return Status::ok();
}

Status AudioTranscoder::encodeFromFifo(bool flush) {
  const int frameSize = encoder_->frame_size;
  while (av_audio_fifo_size(fifo_.get()) >= frameSize || (flush && av_audio_fifo_size(fifo_.get()) > 0)) {
    av::Frame frame = av::makeFrame();
    if (!frame) return audioError("audio encode", QStringLiteral("frame"), AVERROR(ENOMEM));
    frame->nb_samples = std::min(frameSize, av_audio_fifo_size(fifo_.get()));
    frame->format = AV_SAMPLE_FMT_FLTP;
    frame->sample_rate = kRate;
    av_channel_layout_copy(&frame->ch_layout, &encoder_->ch_layout);
    int err = av_frame_get_buffer(frame.get(), 0);
    if (err >= 0) err = av_audio_fifo_read(fifo_.get(), reinterpret_cast<void **>(frame->data), frame->nb_samples);
    if (err < 0) return audioError("audio encode", QStringLiteral("fifo"), err);
    frame->pts = nextPts_;
    nextPts_ += frame->nb_samples;
    err = avcodec_send_frame(encoder_.get(), frame.get());
    if (err < 0) return audioError("audio encode", QStringLiteral("aac"), err);
    RS_RETURN_IF_ERROR(drainEncoder());
  }
  return Status::ok();
}

Status AudioTranscoder::drainEncoder() {
  for (;;) {
    const int err = avcodec_receive_packet(encoder_.get(), packet_.get());
    if (err == AVERROR(EAGAIN) || err == AVERROR_EOF) return Status::ok();
    if (err < 0) return audioError("audio encode", QStringLiteral("aac"), err);
    // The encoder's priming frame comes out at -1024; fragmented MP4 has no edit list
    // to hide it, so the track starts with it and the audio plays 1024 samples
    // (21 ms) late, well inside lip-sync tolerance.
    packet_->pts += encoder_->initial_padding;
    packet_->dts += encoder_->initial_padding;
    bool startsSegment = false;
    while (packet_->pts >= std::llround(nextSegment_ * segmentSeconds_ * kRate)) {
      startsSegment = true;
      ++nextSegment_;
    }
    RS_RETURN_IF_ERROR(writer_.write(packet_.get(), startsSegment && wrotePacket_));
    wrotePacket_ = true;
  }
}

Status AudioTranscoder::finish() {
  int err = avcodec_send_packet(decoder_.get(), nullptr);
  if (err < 0 && err != AVERROR_EOF) return audioError("audio decode", QStringLiteral("flush"), err);
  RS_RETURN_IF_ERROR(decodeAndQueue());
  RS_RETURN_IF_ERROR(resample(nullptr));  // what swresample still holds
  RS_RETURN_IF_ERROR(encodeFromFifo(true));
  err = avcodec_send_frame(encoder_.get(), nullptr);
  if (err < 0) return audioError("audio encode", QStringLiteral("flush"), err);
  RS_RETURN_IF_ERROR(drainEncoder());
  return writer_.finish();
}

}  // namespace rs::media
