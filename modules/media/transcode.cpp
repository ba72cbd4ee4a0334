#include "media/transcode.h"

#include "media/audiotranscoder.h"
#include "media/avlog.h"
#include "media/rungencoder.h"
#include "media/source.h"
#include "media/streams.h"
#include "media/thumbnails.h"

#include <QDir>
#include <QElapsedTimer>
#include <cmath>
#include <memory>
#include <thread>

namespace rs::media {

namespace {

// Frames a rung may fall behind the decoder before the decoder waits.
constexpr size_t kQueueDepth = 8;
constexpr qint64 kProgressIntervalMs = 250;

// A timescale in which every frame lasts a whole number of ticks, close to the
// customary 90 kHz: 25 fps → 90000 (3600 a frame), 30000/1001 → 90000 (3003),
// 24000/1001 → 96000 (4004).
AVRational videoTimeBase(AVRational fps) {
  if (fps.num <= 0 || fps.num > 90000) return AVRational{1, 90000};
  const int k = (90000 + fps.num - 1) / fps.num;
  return AVRational{1, fps.num * k};
}

// Aborts every queue and joins every rung thread on the way out, whatever the way
// out is: no thread outlives the objects it uses.
class RungThreads {
 public:
  explicit RungThreads(std::vector<std::unique_ptr<RungEncoder>> &rungs) : rungs_(rungs), results_(rungs.size()) {}
  ~RungThreads() {
    for (auto &r : rungs_) r->queue().abort();
    join();
  }
  void start() {
    for (size_t i = 0; i < rungs_.size(); ++i)
      threads_.emplace_back([this, i] {
        results_[i] = rungs_[i]->run();
        finished_.fetch_add(1);
      });
  }
  bool allFinished() const { return finished_.load() == int(threads_.size()); }
  void join() {
    for (std::thread &t : threads_)
      if (t.joinable()) t.join();
  }
  // Only after join().
  Status firstError() const {
    for (const Status &s : results_)
      if (!s) return s;
    return Status::ok();
  }

 private:
  std::vector<std::unique_ptr<RungEncoder>> &rungs_;
  std::vector<Status> results_;
  std::vector<std::thread> threads_;
  std::atomic<int> finished_{0};
};

Status cancelled() { return {ErrorCode::Unavailable, QStringLiteral("transcode: cancelled")}; }

}  // namespace

Result<TranscodeOutput> transcode(const MediaInput &input, const MediaInfo &info, const LadderSpec &spec,
                                  const QString &workDir, const ProgressFn &progress,
                                  const std::atomic<bool> *cancel) {
  installFfmpegLogHandler();
  auto isCancelled = [cancel] { return cancel && cancel->load(std::memory_order_relaxed); };
  if (spec.rungs.empty()) return Status(ErrorCode::BadRequest, QStringLiteral("transcode: the ladder is empty"));
  if (!(spec.segmentSeconds > 0))
    return Status(ErrorCode::BadRequest, QStringLiteral("transcode: segmentSeconds must be positive"));
  RS_RETURN_IF_ERROR(checkProfile(spec.profile));
  if (!QDir().mkpath(workDir))
    return Status(ErrorCode::IoError, QStringLiteral("transcode: cannot create ") + workDir);
  const QDir dir(workDir);

  Source source;
  RS_RETURN_IF_ERROR(source.open(input));
  AVStream *vs = source.videoStream();
  AVRational fps = av_guess_frame_rate(source.format(), vs, nullptr);
  if (fps.num <= 0 || fps.den <= 0) fps = info.video.frameRateNum > 0
                                              ? AVRational{info.video.frameRateNum, info.video.frameRateDen}
                                              : AVRational{25, 1};
  const AVRational outTb = videoTimeBase(fps);
  const std::int64_t frameTicks = std::max<std::int64_t>(1, av_rescale_q(1, av_inv_q(fps), outTb));
  const int keyint = std::max(1, int(std::lround(spec.segmentSeconds * av_q2d(fps))));
  double duration = info.durationSeconds;
  if (!(duration > 0) && source.format()->duration > 0) duration = double(source.format()->duration) / AV_TIME_BASE;

  const AVRational sar = vs->sample_aspect_ratio.num ? vs->sample_aspect_ratio : vs->codecpar->sample_aspect_ratio;
  const DisplaySize shown = displaySize(vs->codecpar->width, vs->codecpar->height, sar, source.rotation());

  // One encoder per rung, each with its own output file.
  std::vector<std::pair<int, int>> sizes;
  for (const Rung &r : spec.rungs) {
    const int h = std::max(2, r.height & ~1);
    sizes.emplace_back(evenWidthFor(shown, h), h);
  }
  std::vector<std::unique_ptr<RungEncoder>> rungs;
  for (size_t i = 0; i < spec.rungs.size(); ++i) {
    RungEncoder::Config c;
    c.encoder.profile = spec.profile;
    c.encoder.rung = spec.rungs[i];
    c.encoder.width = sizes[i].first;
    c.encoder.height = sizes[i].second;
    c.encoder.timeBase = outTb;
    c.encoder.frameRate = fps;
    c.encoder.keyint = keyint;
    c.encoder.threads = spec.threads;
    c.encoder.primaries = vs->codecpar->color_primaries;
    c.encoder.transfer = vs->codecpar->color_trc;
    c.encoder.colorSpace = vs->codecpar->color_space;
    c.measureQuality = spec.measureQuality;
    c.path = dir.filePath(QStringLiteral("video-") + spec.rungs[i].name + QStringLiteral(".mp4"));
    rungs.push_back(std::make_unique<RungEncoder>(kQueueDepth));
    RS_RETURN_IF_ERROR(rungs.back()->open(c));
  }

  // Source time zero: where the video starts; audio is placed relative to it.
  const std::int64_t videoStart = vs->start_time != AV_NOPTS_VALUE ? vs->start_time : 0;
  const double zeroSeconds = double(videoStart) * av_q2d(vs->time_base);
  std::unique_ptr<AudioTranscoder> audio;
  if (source.audioStream()) {
    audio = std::make_unique<AudioTranscoder>();
    RS_RETURN_IF_ERROR(audio->open(source.audioStream(), dir.filePath(QStringLiteral("audio.mp4")),
                                   spec.audioBitrateKbps, spec.segmentSeconds, zeroSeconds));
  }
  Thumbnailer thumbs(workDir, duration);

  RungThreads workers(rungs);
  workers.start();

  QElapsedTimer clock;
  clock.start();
  qint64 lastReport = -kProgressIntervalMs;
  std::int64_t lastPts = -1, decodedUntil = 0;
  int segment = 0, frames = 0;
  double pushWaitMs = 0;
  qint64 decodeEndMs = 0;
  auto report = [&](bool final) {
    if (!progress) return;
    const qint64 now = clock.elapsed();
    if (!final && now - lastReport < kProgressIntervalMs) return;
    lastReport = now;
    std::int64_t done = decodedUntil;
    int framesDone = frames;
    for (const auto &r : rungs) {
      done = std::min(done, r->encodedUntil());
      framesDone = std::min(framesDone, r->encodedFrames());
    }
    Progress p;
    const double seconds = double(done) * av_q2d(outTb);
    p.percent = final ? 100.0 : duration > 0 ? std::clamp(100.0 * seconds / duration, 0.0, 100.0) : 0.0;
    p.fps = now > 0 ? framesDone * 1000.0 / double(now) : 0.0;
    p.etaSeconds = final ? 0.0 : p.percent > 0.5 ? double(now) / 1000.0 * (100.0 - p.percent) / p.percent : -1.0;
    progress(p);
  };

  // Each upright picture: timestamps, segment boundaries, thumbnails, then every rung.
  auto onFrame = [&](AVFrame *frame) -> Status {
    std::int64_t ts = frame->best_effort_timestamp != AV_NOPTS_VALUE ? frame->best_effort_timestamp : frame->pts;
    std::int64_t pts = ts == AV_NOPTS_VALUE ? lastPts + frameTicks : av_rescale_q(ts - videoStart, vs->time_base, outTb);
    if (pts < 0 && lastPts < 0) pts = 0;  // leading frames before the nominal start
    if (pts <= lastPts) return Status::ok();  // a duplicate timestamp: encoders need them increasing
    auto item = std::make_shared<SourceFrame>();
    item->pts = pts;
    while (pts >= std::llround((segment + 1) * spec.segmentSeconds * outTb.den / outTb.num)) {
      ++segment;
      item->segmentStart = true;
    }
    item->segment = segment;
    item->frame = av::refFrame(frame);
    if (!item->frame) return {ErrorCode::Internal, QStringLiteral("decode: out of memory")};
    lastPts = pts;
    decodedUntil = pts + frameTicks;
    ++frames;
    RS_RETURN_IF_ERROR(thumbs.add(frame, double(pts) * av_q2d(outTb)));
    const SourceFramePtr shared = std::move(item);
    QElapsedTimer wait;
    wait.start();
    for (auto &r : rungs)
      if (!r->queue().push(shared)) return cancelled();  // a rung failed: its error wins below
    pushWaitMs += double(wait.nsecsElapsed()) / 1e6;
    return Status::ok();
  };

  av::Packet pkt = av::makePacket();
  if (!pkt) return Status(ErrorCode::Internal, QStringLiteral("transcode: out of memory"));
  const int vi = vs->index, ai = source.audioStream() ? source.audioStream()->index : -1;
  auto pump = [&]() -> Status {
    for (;;) {
      if (isCancelled()) return cancelled();
      Result<bool> more = source.read(pkt.get());
      if (!more) return more.status();
      if (!more.value()) break;
      Status s;
      if (pkt->stream_index == vi) s = source.decodeVideo(pkt.get(), onFrame);
      else if (pkt->stream_index == ai) s = audio->feed(pkt.get());
      av_packet_unref(pkt.get());
      RS_RETURN_IF_ERROR(s);
      report(false);
    }
    RS_RETURN_IF_ERROR(source.decodeVideo(nullptr, onFrame));
    if (frames == 0) return {ErrorCode::BadRequest, QStringLiteral("decode: no video frame decodes")};
    RS_RETURN_IF_ERROR(source.checkComplete(double(decodedUntil) * av_q2d(outTb)));
    for (auto &r : rungs) r->queue().close();
    decodeEndMs = clock.elapsed();
    if (audio) RS_RETURN_IF_ERROR(audio->finish());
    const double end = double(decodedUntil) * av_q2d(outTb);
    RS_RETURN_IF_ERROR(thumbs.finish(end));
    // The rungs drain their queues and flush their encoders; progress keeps coming.
    while (!workers.allFinished()) {
      if (isCancelled()) return cancelled();
      report(false);
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return Status::ok();
  };
  const Status pumped = pump();
  if (!pumped) {
    for (auto &r : rungs) r->queue().abort();
    workers.join();
    // A rung's own failure explains more than the decoder seeing its queue aborted.
    const Status rungError = workers.firstError();
    return !rungError.isOk() && pumped.code() == ErrorCode::Unavailable && !isCancelled() ? rungError : pumped;
  }
  workers.join();
  RS_RETURN_IF_ERROR(workers.firstError());
  if (isCancelled()) return cancelled();
  report(true);

  TranscodeOutput out;
  for (const auto &r : rungs) out.video.push_back(r->output());
  qCDebug(lcMedia, "transcode: %d frames in %lld ms; decoding done at %lld ms; decoder waited %.0f ms on full queues",
          frames, clock.elapsed(), decodeEndMs, pushWaitMs);
  for (const auto &r : rungs)
    qCDebug(lcMedia, "  %s: busy %.0f ms (in send_frame %.0f, waiting for the meter %.0f), waiting for frames %.0f ms; "
            "meter busy %.0f ms, idle %.0f ms, CPU %.0f ms (metrics %.0f ms)",
            qPrintable(r->output().rung.name), r->busyMs(), r->encodeMs(), r->meterWaitMs(), r->waitMs(),
            r->meter() ? r->meter()->busyMs() : 0.0, r->meter() ? r->meter()->idleMs() : 0.0,
            r->meter() ? r->meter()->cpuMs() : 0.0, r->meter() ? r->meter()->metricsCpuMs() : 0.0);
  out.audioFile = audio ? audio->path() : QString();
  out.poster = thumbs.posterPath();
  out.sprite = thumbs.spritePath();
  out.spriteVtt = thumbs.vttPath();
  out.durationSeconds = double(decodedUntil) * av_q2d(outTb);
  out.frameRateNum = fps.num;
  out.frameRateDen = fps.den;
  return out;
}

}  // namespace rs::media
