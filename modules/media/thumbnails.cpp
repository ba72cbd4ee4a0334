#include "media/thumbnails.h"

#include "media/streams.h"

#include <QDir>
#include <QFile>
#include <QSaveFile>
#include <cmath>
#include <cstring>

namespace rs::media {

namespace {

Status thumbError(const QString &what, int err) { return {ErrorCode::Internal, av::stageError("thumbnails", what, err)}; }

DisplaySize shownSize(const AVFrame *f) { return displaySize(f->width, f->height, f->sample_aspect_ratio, 0); }

}  // namespace

Thumbnailer::Thumbnailer(const QString &workDir, double durationSeconds)
    : dir_(workDir), duration_(durationSeconds), interval_(std::max(2.0, std::ceil(durationSeconds / 100.0))) {}

QString Thumbnailer::posterPath() const { return QDir(dir_).filePath(QStringLiteral("poster.jpg")); }
QString Thumbnailer::spritePath() const { return QDir(dir_).filePath(QStringLiteral("thumbs.jpg")); }
QString Thumbnailer::vttPath() const { return QDir(dir_).filePath(QStringLiteral("thumbs.vtt")); }

Status Thumbnailer::scaleTo(const AVFrame *src, int width, int height, av::Frame &out) {
  // JPEG wants full range. Scaling to yuv420p with a full-range output says so
  // without the deprecated yuvj formats on the swscale side; the frame is then
  // labelled yuvj420p for the mjpeg encoder (same memory layout).
  sws_.reset(sws_getCachedContext(sws_.release(), src->width, src->height, AVPixelFormat(src->format), width, height,
                                  AV_PIX_FMT_YUV420P, SWS_BICUBIC, nullptr, nullptr, nullptr));
  if (!sws_) return {ErrorCode::Internal, QStringLiteral("thumbnails: unsupported conversion")};
  int *inverse = nullptr, *table = nullptr, srcRange = 0, dstRange = 0, brightness = 0, contrast = 0, saturation = 0;
  if (sws_getColorspaceDetails(sws_.get(), &inverse, &srcRange, &table, &dstRange, &brightness, &contrast,
                               &saturation) >= 0)
    sws_setColorspaceDetails(sws_.get(), inverse, src->color_range == AVCOL_RANGE_JPEG ? 1 : srcRange, table, 1,
                             brightness, contrast, saturation);
  out = av::makeFrame();
  if (!out) return thumbError(QStringLiteral("frame"), AVERROR(ENOMEM));
  out->width = width;
  out->height = height;
  out->format = AV_PIX_FMT_YUV420P;
  int err = av_frame_get_buffer(out.get(), 0);
  if (err >= 0) err = sws_scale(sws_.get(), src->data, src->linesize, 0, src->height, out->data, out->linesize);
  if (err < 0) return thumbError(QStringLiteral("scale"), err);
  out->format = AV_PIX_FMT_YUVJ420P;
  out->color_range = AVCOL_RANGE_JPEG;
  return Status::ok();
}

Status Thumbnailer::add(const AVFrame *frame, double seconds) {
  if (!first_) first_ = av::refFrame(frame);
  if (!poster_ && seconds >= 0.1 * duration_ && seconds > 0) poster_ = av::refFrame(frame);
  const double next = double(tileTimes_.size()) * interval_;
  const bool within = duration_ <= 0 || next < duration_ || tileTimes_.empty();
  if (seconds + 1e-6 < next || !within) return Status::ok();
  if (tileHeight_ == 0) {
    const DisplaySize shown = shownSize(frame);
    tileHeight_ = std::max(2, int(std::lround(double(kTileWidth) * shown.height / std::max(1, shown.width) / 2.0)) * 2);
  }
  av::Frame tile;
  RS_RETURN_IF_ERROR(scaleTo(frame, kTileWidth, tileHeight_, tile));
  tiles_.push_back(std::move(tile));
  // A gap in the source skips the tiles it covers; each cue keeps its true start.
  tileTimes_.push_back(std::floor(seconds / interval_ + 1e-6) * interval_);
  return Status::ok();
}

Status Thumbnailer::finish(double endSeconds) {
  const AVFrame *src = poster_ ? poster_.get() : first_.get();
  if (!src) return {ErrorCode::BadRequest, QStringLiteral("thumbnails: the source has no decodable picture")};

  const DisplaySize shown = shownSize(src);
  int pw = shown.width & ~1, ph = shown.height & ~1;
  if (pw > kPosterMaxWidth) {
    pw = kPosterMaxWidth;
    ph = evenWidthFor({shown.height, shown.width}, kPosterMaxWidth);  // height for the capped width
  }
  av::Frame poster;
  RS_RETURN_IF_ERROR(scaleTo(src, std::max(2, pw), std::max(2, ph), poster));
  RS_RETURN_IF_ERROR(writeJpeg(poster.get(), posterPath()));

  // The sprite: tiles row by row, 10 per row, black where the last row ends early.
  const int count = int(tiles_.size());
  const int cols = std::min(kColumns, count), rows = (count + kColumns - 1) / kColumns;
  av::Frame sprite = av::makeFrame();
  if (!sprite) return thumbError(QStringLiteral("sprite"), AVERROR(ENOMEM));
  sprite->width = cols * kTileWidth;
  sprite->height = rows * tileHeight_;
  sprite->format = AV_PIX_FMT_YUVJ420P;
  int err = av_frame_get_buffer(sprite.get(), 0);
  if (err < 0) return thumbError(QStringLiteral("sprite"), err);
  for (int p = 0; p < 3; ++p) {
    const int h = p ? sprite->height / 2 : sprite->height;
    std::memset(sprite->data[p], p ? 128 : 0, size_t(sprite->linesize[p]) * h);
  }
  QByteArray vtt = "WEBVTT\n";
  for (int i = 0; i < count; ++i) {
    const int x = (i % kColumns) * kTileWidth, y = (i / kColumns) * tileHeight_;
    const AVFrame *t = tiles_[size_t(i)].get();
    for (int p = 0; p < 3; ++p) {
      const int shift = p ? 1 : 0;
      const int w = kTileWidth >> shift, h = tileHeight_ >> shift;
      for (int row = 0; row < h; ++row)
        std::memcpy(sprite->data[p] + std::ptrdiff_t((y >> shift) + row) * sprite->linesize[p] + (x >> shift),
                    t->data[p] + std::ptrdiff_t(row) * t->linesize[p], size_t(w));
    }
    const double start = tileTimes_[size_t(i)];
    double end = i + 1 < count ? tileTimes_[size_t(i) + 1] : std::max(endSeconds, start + 0.001);
    end = std::min(end, std::max(endSeconds, start + 0.001));
    vtt += "\n" + vttTimestamp(start).toLatin1() + " --> " + vttTimestamp(end).toLatin1() + "\n" +
           QStringLiteral("thumbs.jpg#xywh=%1,%2,%3,%4\n").arg(x).arg(y).arg(kTileWidth).arg(tileHeight_).toLatin1();
  }
  RS_RETURN_IF_ERROR(writeJpeg(sprite.get(), spritePath()));
  QSaveFile out(vttPath());
  if (!out.open(QIODevice::WriteOnly) || out.write(vtt) != vtt.size() || !out.commit())
    return {ErrorCode::IoError, QStringLiteral("thumbnails: cannot write ") + vttPath()};
  return Status::ok();
}

Status writeJpeg(const AVFrame *frame, const QString &path) {
  const AVCodec *codec = avcodec_find_encoder(AV_CODEC_ID_MJPEG);
  if (!codec) return {ErrorCode::Internal, QStringLiteral("thumbnails: FFmpeg has no mjpeg encoder")};
  av::CodecContext ctx(avcodec_alloc_context3(codec));
  if (!ctx) return thumbError(path, AVERROR(ENOMEM));
  ctx->width = frame->width;
  ctx->height = frame->height;
  ctx->pix_fmt = AV_PIX_FMT_YUVJ420P;
  ctx->color_range = AVCOL_RANGE_JPEG;
  ctx->time_base = AVRational{1, 25};
  ctx->flags |= AV_CODEC_FLAG_QSCALE;
  ctx->global_quality = 3 * FF_QP2LAMBDA;  // q 3 of 2..31: near-transparent, small
  int err = avcodec_open2(ctx.get(), codec, nullptr);
  if (err < 0) return thumbError(path, err);
  av::Frame f = av::refFrame(frame);
  if (!f) return thumbError(path, AVERROR(ENOMEM));
  f->quality = ctx->global_quality;
  f->pts = 0;
  f->pict_type = AV_PICTURE_TYPE_I;
  err = avcodec_send_frame(ctx.get(), f.get());
  if (err >= 0) err = avcodec_send_frame(ctx.get(), nullptr);
  av::Packet pkt = av::makePacket();
  if (err >= 0) err = pkt ? avcodec_receive_packet(ctx.get(), pkt.get()) : AVERROR(ENOMEM);
  if (err < 0) return thumbError(path, err);
  QSaveFile out(path);
  if (!out.open(QIODevice::WriteOnly) || out.write(reinterpret_cast<const char *>(pkt->data), pkt->size) != pkt->size ||
      !out.commit())
    return {ErrorCode::IoError, QStringLiteral("thumbnails: cannot write ") + path};
  return Status::ok();
}

QString vttTimestamp(double seconds) {
  const qint64 ms = std::llround(std::max(0.0, seconds) * 1000.0);
  return QStringLiteral("%1:%2:%3.%4")
      .arg(ms / 3600000, 2, 10, QLatin1Char('0'))
      .arg((ms / 60000) % 60, 2, 10, QLatin1Char('0'))
      .arg((ms / 1000) % 60, 2, 10, QLatin1Char('0'))
      .arg(ms % 1000, 3, 10, QLatin1Char('0'));
}

}  // namespace rs::media
