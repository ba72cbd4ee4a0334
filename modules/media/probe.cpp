#include "media/probe.h"

#include "media/avlog.h"
#include "media/ffmpeg.h"
#include "media/streams.h"

extern "C" {
#include <libavutil/pixdesc.h>
}

#include <QFileInfo>
#include <QJsonValue>
#include <algorithm>
#include <cmath>

namespace rs::media {

namespace {

constexpr int kMinSide = 16;
constexpr int kMaxSide = 8192;

Status notMedia(const QString &why) {
  return {ErrorCode::BadRequest, QStringLiteral("not a media file: ") + why};
}
Status corrupt(const QString &why) {
  return {ErrorCode::BadRequest, QStringLiteral("truncated or corrupt: ") + why};
}
Status cannotRead(const QString &what, int err) {
  const bool missing = err == AVERROR(ENOENT) || err == AVERROR_HTTP_NOT_FOUND;
  return {missing ? ErrorCode::NotFound : ErrorCode::Unavailable,
          QStringLiteral("cannot read ") + what + QStringLiteral(": ") + av::averr(err)};
}

QString str(const char *s) { return s ? QString::fromUtf8(s) : QString(); }

// How sure libavformat is about the container from the first bytes alone, ignoring
// the file name: a renamed text file scores nothing, a cut-off MP4 still shows its
// ftyp box. Leaves `io` rewound.
int sniffScore(AVIOContext *io, QString *format) {
  const AVInputFormat *fmt = nullptr;
  const int score = av_probe_input_buffer2(io, &fmt, "", nullptr, 0, 1 << 20);
  if (score <= 0 || !fmt) return 0;
  *format = str(fmt->long_name ? fmt->long_name : fmt->name);
  return score;
}

double seconds(std::int64_t ts, AVRational tb) {
  return ts == AV_NOPTS_VALUE ? 0.0 : double(ts) * av_q2d(tb);
}

void fillVideo(const AVStream *st, VideoInfo &v) {
  const AVCodecParameters *p = st->codecpar;
  v.codec = str(avcodec_get_name(p->codec_id));
  v.width = p->width;
  v.height = p->height;
  const AVRational sar = st->sample_aspect_ratio.num ? st->sample_aspect_ratio : p->sample_aspect_ratio;
  v.rotation = streamRotation(st);
  const DisplaySize shown = displaySize(p->width, p->height, sar, v.rotation);
  v.displayWidth = shown.width;
  v.displayHeight = shown.height;
  const AVPixelFormat pf = AVPixelFormat(p->format);
  v.pixelFormat = str(av_get_pix_fmt_name(pf));
  if (const AVPixFmtDescriptor *d = av_pix_fmt_desc_get(pf)) v.bitDepth = d->comp[0].depth;
  v.colorPrimaries = str(av_color_primaries_name(p->color_primaries));
  v.colorTransfer = str(av_color_transfer_name(p->color_trc));
  v.colorSpace = str(av_color_space_name(p->color_space));
  v.colorRange = str(av_color_range_name(p->color_range));
  v.hdr = p->color_trc == AVCOL_TRC_SMPTE2084 || p->color_trc == AVCOL_TRC_ARIB_STD_B67;
  v.bitRate = p->bit_rate;
}

void fillAudio(const AVStream *st, AudioInfo &a) {
  const AVCodecParameters *p = st->codecpar;
  a.codec = str(avcodec_get_name(p->codec_id));
  a.sampleRate = p->sample_rate;
  a.channels = p->ch_layout.nb_channels;
  char layout[128] = {};
  if (av_channel_layout_describe(&p->ch_layout, layout, sizeof layout) > 0) a.layout = str(layout);
  a.bitRate = p->bit_rate;
}

// Decodes the first frames of the video stream: a file can demux cleanly and still
// hold garbage.
class DecodeCheck {
 public:
  Status open(const AVStream *st, int wanted) {
    wanted_ = wanted;
    const AVCodec *codec = avcodec_find_decoder(st->codecpar->codec_id);
    if (!codec || wanted <= 0) return Status::ok();  // validateForIngest names a missing decoder
    ctx_.reset(avcodec_alloc_context3(codec));
    if (!ctx_) return {ErrorCode::Internal, QStringLiteral("probe: out of memory")};
    int err = avcodec_parameters_to_context(ctx_.get(), st->codecpar);
    if (err >= 0) {
      ctx_->thread_count = 1;  // frame threading would delay the first frames
      err = avcodec_open2(ctx_.get(), codec, nullptr);
    }
    if (err < 0) return {ErrorCode::BadRequest, QStringLiteral("unsupported: cannot open the ") +
                                                    str(codec->name) + QStringLiteral(" decoder: ") + av::averr(err)};
    frame_ = av::makeFrame();
    return Status::ok();
  }
  bool active() const { return ctx_ && decoded_ < wanted_; }
  Status feed(const AVPacket *pkt) {
    const int err = avcodec_send_packet(ctx_.get(), pkt);
    if (err < 0 && err != AVERROR(EAGAIN) && err != AVERROR_EOF)
      return corrupt(QStringLiteral("video does not decode: ") + av::averr(err));
    return drain();
  }
  Status finish() {
    if (!ctx_) return Status::ok();
    if (decoded_ < wanted_) {
      avcodec_send_packet(ctx_.get(), nullptr);
      RS_RETURN_IF_ERROR(drain());
    }
    if (fed_ && decoded_ == 0) return corrupt(QStringLiteral("no video frame decodes"));
    return Status::ok();
  }
  void countPacket() { ++fed_; }

 private:
  Status drain() {
    for (;;) {
      const int err = avcodec_receive_frame(ctx_.get(), frame_.get());
      if (err == AVERROR(EAGAIN) || err == AVERROR_EOF) return Status::ok();
      if (err < 0) return corrupt(QStringLiteral("video does not decode: ") + av::averr(err));
      av_frame_unref(frame_.get());
      ++decoded_;
    }
  }
  av::CodecContext ctx_;
  av::Frame frame_;
  int wanted_ = 0, decoded_ = 0, fed_ = 0;
};

// Reads every packet: a file cut short (faststart MP4 whose samples run past the end,
// a Matroska file missing its tail) opens fine and fails only here.
Status scan(AVFormatContext *fmt, int videoIndex, const ProbeOptions &options, double duration) {
  DecodeCheck decode;
  if (videoIndex >= 0) RS_RETURN_IF_ERROR(decode.open(fmt->streams[videoIndex], options.decodeFrames));
  av::Packet pkt = av::makePacket();
  double end = 0;
  for (;;) {
    const int err = av_read_frame(fmt, pkt.get());
    if (err == AVERROR_EOF) break;
    if (err == AVERROR(EAGAIN)) continue;
    if (err < 0)
      return corrupt(QStringLiteral("read error after %1 s: %2").arg(end, 0, 'f', 2).arg(av::averr(err)));
    const AVStream *st = fmt->streams[pkt->stream_index];
    if (pkt->flags & AV_PKT_FLAG_CORRUPT)
      return corrupt(QStringLiteral("damaged packet in stream %1 at %2 s")
                         .arg(pkt->stream_index)
                         .arg(seconds(pkt->pts, st->time_base), 0, 'f', 2));
    const std::int64_t ts = pkt->pts != AV_NOPTS_VALUE ? pkt->pts : pkt->dts;
    if (ts != AV_NOPTS_VALUE) {
      const double start = seconds(st->start_time, st->time_base);
      end = std::max(end, seconds(ts + pkt->duration, st->time_base) - start);
    }
    if (pkt->stream_index == videoIndex && decode.active()) {
      decode.countPacket();
      const Status s = decode.feed(pkt.get());
      if (!s) return s;
    }
    av_packet_unref(pkt.get());
  }
  if (fmt->pb && fmt->pb->error < 0 && fmt->pb->error != AVERROR_EOF)
    return corrupt(QStringLiteral("read error: ") + av::averr(fmt->pb->error));
  RS_RETURN_IF_ERROR(decode.finish());
  // The header promises more than the file holds.
  if (duration > 0 && end < duration - std::max(1.0, 0.05 * duration))
    return corrupt(QStringLiteral("media ends at %1 s of %2 s").arg(end, 0, 'f', 2).arg(duration, 0, 'f', 2));
  return Status::ok();
}

}  // namespace

Result<MediaInfo> probe(const QString &pathOrUrl, const ProbeOptions &options) {
  installFfmpegLogHandler();
  const bool url = pathOrUrl.contains(QStringLiteral("://"));
  if (!url) {
    const QFileInfo fi(pathOrUrl);
    if (!fi.exists()) return Status(ErrorCode::NotFound, QStringLiteral("cannot read ") + pathOrUrl + QStringLiteral(": no such file"));
    if (fi.isFile() && fi.size() == 0) return notMedia(QStringLiteral("empty file"));
  }
  const QByteArray location = pathOrUrl.toUtf8();

  // One connection for sniffing and demuxing: libavformat rewinds the probe buffer.
  AVIOContext *rawIo = nullptr;
  av::Dictionary ioOpts;
  if (url && !options.httpHeaders.isEmpty()) ioOpts.set("headers", options.httpHeaders.constData());
  int err = avio_open2(&rawIo, location.constData(), AVIO_FLAG_READ, nullptr, ioOpts.out());
  if (err < 0) return cannotRead(pathOrUrl, err);
  av::IoContext io(rawIo);
  const std::int64_t size = avio_size(io.get());
  if (size == 0) return notMedia(QStringLiteral("empty file"));
  QString sniffed;
  const int score = sniffScore(io.get(), &sniffed);

  AVFormatContext *rawFmt = avformat_alloc_context();
  if (!rawFmt) return Status(ErrorCode::Internal, QStringLiteral("probe: out of memory"));
  rawFmt->pb = io.get();
  err = avformat_open_input(&rawFmt, location.constData(), nullptr, nullptr);  // frees rawFmt on failure
  // A container recognised from its content that will not open lost its index or
  // its tail (an MP4 cut before its moov box); anything else is not media at all.
  const bool recognised = score > AVPROBE_SCORE_EXTENSION;
  if (err < 0) {
    if (recognised) return corrupt(sniffed + QStringLiteral(": ") + av::averr(err));
    return notMedia(QStringLiteral("unrecognised format (") + av::averr(err) + QStringLiteral(")"));
  }
  av::InputFormat fmt(rawFmt);  // declared after `io`, so it is closed before it
  err = avformat_find_stream_info(fmt.get(), nullptr);
  if (err < 0) return corrupt(QStringLiteral("no stream information: ") + av::averr(err));
  if (fmt->nb_streams == 0) {
    if (recognised) return corrupt(sniffed + QStringLiteral(": no streams"));
    return notMedia(QStringLiteral("no streams"));
  }

  MediaInfo info;
  info.container = str(fmt->iformat->name);
  info.sizeBytes = size > 0 ? size : 0;
  info.bitRate = fmt->bit_rate;
  info.streamCount = int(fmt->nb_streams);
  const int vi = pickVideoStream(fmt.get());
  const int ai = pickAudioStream(fmt.get());
  if (vi >= 0) {
    info.hasVideo = true;
    fillVideo(fmt->streams[vi], info.video);
    const AVRational fr = av_guess_frame_rate(fmt.get(), fmt->streams[vi], nullptr);
    if (fr.num > 0 && fr.den > 0) {
      info.video.frameRateNum = fr.num;
      info.video.frameRateDen = fr.den;
    }
  }
  if (ai >= 0) {
    info.hasAudio = true;
    fillAudio(fmt->streams[ai], info.audio);
  }
  if (fmt->duration != AV_NOPTS_VALUE && fmt->duration > 0) {
    info.durationSeconds = double(fmt->duration) / AV_TIME_BASE;
  } else if (vi >= 0) {
    info.durationSeconds = std::max(0.0, seconds(fmt->streams[vi]->duration, fmt->streams[vi]->time_base));
  }
  if (options.scanPackets) RS_RETURN_IF_ERROR(scan(fmt.get(), vi, options, info.durationSeconds));
  return info;
}

Status validateForIngest(const MediaInfo &info) {
  if (!info.hasVideo) return {ErrorCode::BadRequest, QStringLiteral("no video stream")};
  const VideoInfo &v = info.video;
  if (v.width < kMinSide || v.height < kMinSide || v.width > kMaxSide || v.height > kMaxSide)
    return {ErrorCode::BadRequest, QStringLiteral("absurd dimensions %1x%2").arg(v.width).arg(v.height)};
  if (!(info.durationSeconds > 0)) return {ErrorCode::BadRequest, QStringLiteral("zero duration")};
  const QByteArray codec = v.codec.toUtf8();
  const AVCodecDescriptor *desc = avcodec_descriptor_get_by_name(codec.constData());
  if (!desc || !avcodec_find_decoder(desc->id))
    return {ErrorCode::BadRequest, QStringLiteral("unsupported: no decoder for video codec ") + v.codec};
  return Status::ok();
}

QJsonObject toJson(const MediaInfo &info) {
  QJsonObject o{
      {QStringLiteral("container"), info.container},
      {QStringLiteral("durationSeconds"), info.durationSeconds},
      {QStringLiteral("sizeBytes"), double(info.sizeBytes)},
      {QStringLiteral("bitRate"), double(info.bitRate)},
      {QStringLiteral("streamCount"), info.streamCount},
      {QStringLiteral("hasVideo"), info.hasVideo},
      {QStringLiteral("hasAudio"), info.hasAudio},
  };
  if (info.hasVideo) {
    const VideoInfo &v = info.video;
    o.insert(QStringLiteral("video"),
             QJsonObject{
                 {QStringLiteral("codec"), v.codec},
                 {QStringLiteral("width"), v.width},
                 {QStringLiteral("height"), v.height},
                 {QStringLiteral("displayWidth"), v.displayWidth},
                 {QStringLiteral("displayHeight"), v.displayHeight},
                 {QStringLiteral("frameRateNum"), v.frameRateNum},
                 {QStringLiteral("frameRateDen"), v.frameRateDen},
                 {QStringLiteral("frameRate"), v.frameRateDen > 0 ? double(v.frameRateNum) / v.frameRateDen : 0.0},
                 {QStringLiteral("rotation"), v.rotation},
                 {QStringLiteral("pixelFormat"), v.pixelFormat},
                 {QStringLiteral("bitDepth"), v.bitDepth},
                 {QStringLiteral("colorPrimaries"), v.colorPrimaries},
                 {QStringLiteral("colorTransfer"), v.colorTransfer},
                 {QStringLiteral("colorSpace"), v.colorSpace},
                 {QStringLiteral("colorRange"), v.colorRange},
                 {QStringLiteral("hdr"), v.hdr},
                 {QStringLiteral("bitRate"), double(v.bitRate)},
             });
  }
  if (info.hasAudio) {
    const AudioInfo &a = info.audio;
    o.insert(QStringLiteral("audio"), QJsonObject{
                                          {QStringLiteral("codec"), a.codec},
                                          {QStringLiteral("sampleRate"), a.sampleRate},
                                          {QStringLiteral("channels"), a.channels},
                                          {QStringLiteral("layout"), a.layout},
                                          {QStringLiteral("bitRate"), double(a.bitRate)},
                                      });
  }
  return o;
}

Result<MediaInfo> fromJson(const QJsonObject &o) {
  if (!o.contains(QStringLiteral("durationSeconds")) || !o.contains(QStringLiteral("hasVideo")))
    return Status(ErrorCode::BadRequest, QStringLiteral("probe JSON: durationSeconds and hasVideo are required"));
  MediaInfo info;
  info.container = o.value(QStringLiteral("container")).toString();
  info.durationSeconds = o.value(QStringLiteral("durationSeconds")).toDouble();
  info.sizeBytes = std::int64_t(o.value(QStringLiteral("sizeBytes")).toDouble());
  info.bitRate = std::int64_t(o.value(QStringLiteral("bitRate")).toDouble());
  info.streamCount = o.value(QStringLiteral("streamCount")).toInt();
  info.hasVideo = o.value(QStringLiteral("hasVideo")).toBool();
  info.hasAudio = o.value(QStringLiteral("hasAudio")).toBool();
  if (info.hasVideo) {
    const QJsonObject j = o.value(QStringLiteral("video")).toObject();
    if (j.isEmpty()) return Status(ErrorCode::BadRequest, QStringLiteral("probe JSON: hasVideo without video"));
    VideoInfo &v = info.video;
    v.codec = j.value(QStringLiteral("codec")).toString();
    v.width = j.value(QStringLiteral("width")).toInt();
    v.height = j.value(QStringLiteral("height")).toInt();
    v.displayWidth = j.value(QStringLiteral("displayWidth")).toInt(v.width);
    v.displayHeight = j.value(QStringLiteral("displayHeight")).toInt(v.height);
    v.frameRateNum = j.value(QStringLiteral("frameRateNum")).toInt();
    v.frameRateDen = j.value(QStringLiteral("frameRateDen")).toInt(1);
    v.rotation = j.value(QStringLiteral("rotation")).toInt();
    v.pixelFormat = j.value(QStringLiteral("pixelFormat")).toString();
    v.bitDepth = j.value(QStringLiteral("bitDepth")).toInt(8);
    v.colorPrimaries = j.value(QStringLiteral("colorPrimaries")).toString();
    v.colorTransfer = j.value(QStringLiteral("colorTransfer")).toString();
    v.colorSpace = j.value(QStringLiteral("colorSpace")).toString();
    v.colorRange = j.value(QStringLiteral("colorRange")).toString();
    v.hdr = j.value(QStringLiteral("hdr")).toBool();
    v.bitRate = std::int64_t(j.value(QStringLiteral("bitRate")).toDouble());
  }
  if (info.hasAudio) {
    const QJsonObject j = o.value(QStringLiteral("audio")).toObject();
    AudioInfo &a = info.audio;
    a.codec = j.value(QStringLiteral("codec")).toString();
    a.sampleRate = j.value(QStringLiteral("sampleRate")).toInt();
    a.channels = j.value(QStringLiteral("channels")).toInt();
    a.layout = j.value(QStringLiteral("layout")).toString();
    a.bitRate = std::int64_t(j.value(QStringLiteral("bitRate")).toDouble());
  }
  return info;
}

}  // namespace rs::media
