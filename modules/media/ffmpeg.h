#pragma once
// FFmpeg's C handles behind unique_ptr, so every error path frees what it made. Only
// the media module includes this header; nothing FFmpeg leaks into public headers.

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavfilter/avfilter.h>
#include <libavformat/avformat.h>
#include <libavutil/audio_fifo.h>
#include <libavutil/frame.h>
#include <libswresample/swresample.h>
#include <libswscale/swscale.h>
}

#include <QString>
#include <memory>

namespace rs::media::av {

struct InputFormatDeleter {
  void operator()(AVFormatContext *c) const { avformat_close_input(&c); }
};
struct OutputFormatDeleter {
  void operator()(AVFormatContext *c) const {
    if (c->pb && c->oformat && !(c->oformat->flags & AVFMT_NOFILE)) avio_closep(&c->pb);
    avformat_free_context(c);
  }
};
struct IoContextDeleter {
  void operator()(AVIOContext *c) const { avio_closep(&c); }
};
struct CodecContextDeleter {
  void operator()(AVCodecContext *c) const { avcodec_free_context(&c); }
};
struct FrameDeleter {
  void operator()(AVFrame *f) const { av_frame_free(&f); }
};
struct PacketDeleter {
  void operator()(AVPacket *p) const { av_packet_free(&p); }
};
struct SwsDeleter {
  void operator()(SwsContext *c) const { sws_freeContext(c); }
};
struct SwrDeleter {
  void operator()(SwrContext *c) const { swr_free(&c); }
};
struct FilterGraphDeleter {
  void operator()(AVFilterGraph *g) const { avfilter_graph_free(&g); }
};
struct AudioFifoDeleter {
  void operator()(AVAudioFifo *f) const { av_audio_fifo_free(f); }
};
struct DictionaryDeleter {
  void operator()(AVDictionary *d) const { av_dict_free(&d); }
};

using InputFormat = std::unique_ptr<AVFormatContext, InputFormatDeleter>;
using OutputFormat = std::unique_ptr<AVFormatContext, OutputFormatDeleter>;
using IoContext = std::unique_ptr<AVIOContext, IoContextDeleter>;
using CodecContext = std::unique_ptr<AVCodecContext, CodecContextDeleter>;
using Frame = std::unique_ptr<AVFrame, FrameDeleter>;
using Packet = std::unique_ptr<AVPacket, PacketDeleter>;
using Sws = std::unique_ptr<SwsContext, SwsDeleter>;
using Swr = std::unique_ptr<SwrContext, SwrDeleter>;
using FilterGraph = std::unique_ptr<AVFilterGraph, FilterGraphDeleter>;
using AudioFifo = std::unique_ptr<AVAudioFifo, AudioFifoDeleter>;

// Options passed to avformat_open_input/avcodec_open2 are consumed in place: the
// call leaves behind the ones it did not use, which this frees.
class Dictionary {
 public:
  Dictionary() = default;
  Dictionary(const Dictionary &) = delete;
  Dictionary &operator=(const Dictionary &) = delete;
  ~Dictionary() { av_dict_free(&d_); }
  void set(const char *key, const char *value) { av_dict_set(&d_, key, value, 0); }
  void set(const char *key, const QString &value) { set(key, value.toUtf8().constData()); }
  void set(const char *key, std::int64_t value) { av_dict_set_int(&d_, key, value, 0); }
  AVDictionary **out() { return &d_; }
  AVDictionary *get() const { return d_; }

 private:
  AVDictionary *d_ = nullptr;
};

inline Frame makeFrame() { return Frame(av_frame_alloc()); }
inline Packet makePacket() { return Packet(av_packet_alloc()); }
// A new reference to the same buffers (no copy of the pixels).
inline Frame refFrame(const AVFrame *src) { return Frame(av_frame_clone(src)); }

// FFmpeg's message for an error code ("Invalid data found when processing input").
QString averr(int err);
// "stage: what: FFmpeg's message" — the shape every media error message has.
QString stageError(const char *stage, const QString &what, int err);

}  // namespace rs::media::av
