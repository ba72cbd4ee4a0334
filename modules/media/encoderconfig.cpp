#include "media/encoderconfig.h"

#include <QStringList>

namespace rs::media {

namespace {

const QStringList &presetNames() {
  static const QStringList names{QStringLiteral("ultrafast"), QStringLiteral("superfast"), QStringLiteral("veryfast"),
                                 QStringLiteral("faster"),    QStringLiteral("fast"),      QStringLiteral("medium"),
                                 QStringLiteral("slow"),      QStringLiteral("slower"),    QStringLiteral("veryslow")};
  return names;
}

Status encoderError(const QString &what, int err) {
  return {ErrorCode::Internal, av::stageError("encode", what, err)};
}

// x264's preset scale onto libvpx's speed knobs (realtime beyond cpu-used 5).
void vp9Preset(int index, av::Dictionary &opts) {
  static const int cpuUsed[] = {8, 7, 5, 4, 3, 2, 1, 0, 0};
  opts.set("deadline", index <= 1 ? "realtime" : "good");
  opts.set("cpu-used", std::int64_t(cpuUsed[index]));
  opts.set("row-mt", std::int64_t(1));
}

// …and onto SVT-AV1's 0 (slowest) to 13.
int svtPreset(int index) {
  static const int preset[] = {12, 11, 10, 9, 8, 6, 4, 3, 2};
  return preset[index];
}

}  // namespace

Result<QString> encoderNameFor(const EncodeProfile &p) {
  if (p.codec == QStringLiteral("h264")) return QStringLiteral("libx264");
  if (p.codec == QStringLiteral("hevc")) return QStringLiteral("libx265");
  if (p.codec == QStringLiteral("vp9")) return QStringLiteral("libvpx-vp9");
  if (p.codec == QStringLiteral("av1")) return QStringLiteral("libsvtav1");
  return Status(ErrorCode::BadRequest, QStringLiteral("unsupported codec \"") + p.codec +
                                           QStringLiteral("\" (use h264, hevc, vp9 or av1)"));
}

Status checkProfile(const EncodeProfile &p) {
  Result<QString> name = encoderNameFor(p);
  if (!name) return name.status();
  if (!presetNames().contains(p.preset))
    return {ErrorCode::BadRequest, QStringLiteral("unknown preset \"") + p.preset + QStringLiteral("\"")};
  if (p.rateControl != QStringLiteral("capped-crf") && p.rateControl != QStringLiteral("vbv"))
    return {ErrorCode::BadRequest,
            QStringLiteral("unknown rate control \"") + p.rateControl + QStringLiteral("\" (capped-crf or vbv)")};
  if (p.crf < 0 || p.crf > 63) return {ErrorCode::BadRequest, QStringLiteral("crf must be 0 to 63")};
  const QByteArray encoder = name->toUtf8();
  if (!avcodec_find_encoder_by_name(encoder.constData()))
    return {ErrorCode::BadRequest, QStringLiteral("unsupported: this FFmpeg has no ") + name.value()};
  return Status::ok();
}

Result<av::CodecContext> openVideoEncoder(const VideoEncoderSettings &s) {
  RS_RETURN_IF_ERROR(checkProfile(s.profile));
  const QByteArray encoderName = encoderNameFor(s.profile)->toUtf8();
  const AVCodec *codec = avcodec_find_encoder_by_name(encoderName.constData());
  av::CodecContext ctx(avcodec_alloc_context3(codec));
  if (!ctx) return encoderError(s.rung.name, AVERROR(ENOMEM));
  ctx->width = s.width;
  ctx->height = s.height;
  ctx->sample_aspect_ratio = AVRational{1, 1};
  ctx->pix_fmt = AV_PIX_FMT_YUV420P;
  ctx->time_base = s.timeBase;
  ctx->framerate = s.frameRate;
  ctx->gop_size = s.keyint;
  ctx->thread_count = s.threads;
  ctx->color_primaries = s.primaries;
  ctx->color_trc = s.transfer;
  ctx->colorspace = s.colorSpace;
  ctx->color_range = AVCOL_RANGE_MPEG;
  if (s.globalHeader) ctx->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;

  const bool vbv = s.profile.rateControl == QStringLiteral("vbv");
  const std::int64_t kbps = 1000;
  ctx->rc_max_rate = s.rung.maxrateKbps * kbps;
  ctx->rc_buffer_size = int(s.rung.bufsizeKbps * kbps);
  if (vbv) ctx->bit_rate = s.rung.bitrateKbps * kbps;

  const int presetIndex = int(presetNames().indexOf(s.profile.preset));
  av::Dictionary opts;
  const QString codecName = s.profile.codec;
  if (codecName == QStringLiteral("h264") || codecName == QStringLiteral("hevc")) {
    opts.set("preset", s.profile.preset);
    opts.set("forced-idr", "1");
    if (!vbv) opts.set("crf", std::int64_t(s.profile.crf));
    if (codecName == QStringLiteral("h264")) {
      opts.set("profile", "high");
    } else {
      opts.set("x265-params", "open-gop=0:log-level=error");  // x265 defaults to open GOPs
    }
  } else if (codecName == QStringLiteral("vp9")) {
    vp9Preset(presetIndex, opts);
    if (!vbv) {
      // Constrained quality: crf with the target bitrate as the ceiling.
      opts.set("crf", std::int64_t(s.profile.crf));
      ctx->bit_rate = s.rung.maxrateKbps * kbps;
    }
  } else if (codecName == QStringLiteral("av1")) {
    opts.set("preset", std::int64_t(svtPreset(presetIndex)));
    if (!vbv) opts.set("crf", std::int64_t(s.profile.crf));
  }
  const int err = avcodec_open2(ctx.get(), codec, opts.out());
  if (err < 0) return encoderError(QStringLiteral("%1 %2x%3 with %4").arg(s.rung.name).arg(s.width).arg(s.height).arg(QString::fromUtf8(encoderName)), err);
  return ctx;
}

}  // namespace rs::media
