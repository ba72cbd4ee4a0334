#include "player/engine/session.h"

#include "player/manifest/hlsparser.h"
#include "player/manifest/mpdparser.h"
#include "player/net/urlrewriter.h"

#include <algorithm>
#include <cmath>

namespace rs::player {

namespace {
constexpr double kEpsilon = 1e-9;
constexpr double kAbandonCheckS = 0.25;  // how often a running video download is checked
}  // namespace

// A track type being downloaded: where it is, what is in flight, its timers.
struct Session::Stream {
  Stream(MediaKind k, Clock &clock) : kind(k), wait(clock), abandonCheck(clock) {}
  MediaKind kind;
  int track = 0;                  // the rung for video
  int next = 0;                   // next segment index
  double bufferedEnd = 0;         // media seconds downloaded, contiguous from 0
  bool done = false;
  Transport::FetchId media = 0, init = 0, playlist = 0;
  int mediaTrack = -1;            // track of the media request in flight
  std::vector<char> initDone;     // per track
  bool havePending = false;       // media arrived before its init segment
  FetchResult pending;
  int pendingTrack = -1;
  int attempt = 0;
  bool delayedOnce = false;
  double lastFinishedAt = -1;     // the previous media download's end
  double idleMark = -1;           // idle time up to here was already reported to the ABR
  double issuedAt = 0;            // when the media request in flight went out
  SegmentRecord record;           // the video segment being fetched
  TimerSlot wait, abandonCheck;

  bool busy() const { return media || init || playlist; }
};

Session::Session(SessionOptions options, Clock &clock, Transport &transport, std::unique_ptr<AbrAlgorithm> abr)
    : opt_(std::move(options)), clock_(clock), net_(transport), abr_(std::move(abr)), playTimer_(clock), wallTimer_(clock) {
  log_.abr = QLatin1String(abr_ ? abr_->name() : "none");
  log_.manifest = displayUrl(opt_.manifestUrl);
}

Session::~Session() {
  // No callback may reach a destroyed session.
  if (manifestFetch_) net_.abort(manifestFetch_);
  for (Stream *s : {video_.get(), audio_.get()}) {
    if (!s) continue;
    for (Transport::FetchId id : {s->media, s->init, s->playlist})
      if (id) net_.abort(id);
  }
}

void Session::start() {
  log_.startedAt = clock_.now();
  sources_.clear();
  sources_.push_back(opt_.manifestUrl);
  sources_.insert(sources_.end(), opt_.fallbacks.begin(), opt_.fallbacks.end());
  if (opt_.maxWallS > 0) wallTimer_.after(opt_.maxWallS, [this] { finish(QStringLiteral("time limit")); });
  setPhase(Phase::Manifest);
  loadManifest(0);
}

void Session::stop() { finish(QStringLiteral("stopped")); }

void Session::loadManifest(std::size_t source) {
  source_ = source;
  log_.sources.push_back(displayUrl(sources_[source]));
  FetchRequest req;
  req.url = sources_[source];
  req.wantBody = true;
  req.authorization = opt_.authorization;
  req.timeoutMs = opt_.requestTimeoutMs;
  manifestFetch_ = net_.fetch(req, [this, source](FetchResult r) {
    manifestFetch_ = 0;
    onManifest(source, r);
  });
}

void Session::onManifest(std::size_t source, const FetchResult &r) {
  ++log_.requests;
  log_.bytes += r.bytes;
  // A source that cannot be read: the next one (still switching, if playing).
  auto next = [&](const QString &why) {
    log_.error = why;
    if (source + 1 >= sources_.size()) return finish(QStringLiteral("error"), why);
    ++log_.failovers;
    loadManifest(source + 1);
  };
  if (!r.ok()) return next(QStringLiteral("manifest %1: %2").arg(displayUrl(sources_[source]), r.describe()));
  const bool hls = looksLikeHls(r.body);
  Result<Presentation> parsed = hls ? parseHlsMultivariant(r.body, sources_[source]) : parseMpd(r.body, sources_[source]);
  if (!parsed) return next(QStringLiteral("manifest %1: %2").arg(displayUrl(sources_[source]), parsed.status().message()));
  Presentation fresh = std::move(*parsed);
  if (fresh.video.empty()) return finish(QStringLiteral("error"), QStringLiteral("the manifest has no video"));

  if (phase_ != Phase::Manifest) {
    // A failover: the new source must describe the same title.
    if (fresh.video.size() != p_.video.size() || fresh.audio.size() != p_.audio.size())
      return next(QStringLiteral("source %1 has other renditions than the first").arg(displayUrl(sources_[source])));
    if (!hls) {
      for (std::size_t i = 0; i < fresh.video.size(); ++i)
        if (fresh.video[i].segments.size() != timeline_.size())
          return next(QStringLiteral("source %1 has another segment timeline").arg(displayUrl(sources_[source])));
    }
    p_ = std::move(fresh);
    // HLS: the tracks being played need their media playlists from the new source.
    auto left = std::make_shared<int>(audio_ ? 2 : 1);
    auto resume = [this, left] {
      if (--*left > 0) return;
      switching_ = false;
      pumpAll();
    };
    ensureLoaded(*video_, video_->track, resume);
    if (audio_) ensureLoaded(*audio_, audio_->track, resume);
    return;
  }
  p_ = std::move(fresh);
  log_.durationS = p_.duration;
  bitrates_.clear();
  for (const Track &t : p_.video) bitrates_.push_back(double(t.bandwidth));
  sizes_.reset(bitrates_);

  int startRung = 0;
  if (opt_.startBps > 0)
    for (std::size_t i = 0; i < bitrates_.size(); ++i)
      if (bitrates_[i] <= 0.9 * opt_.startBps) startRung = int(i);
  video_ = std::make_unique<Stream>(MediaKind::Video, clock_);
  video_->track = startRung;
  video_->initDone.assign(p_.video.size(), 0);
  if (!p_.audio.empty()) {
    audio_ = std::make_unique<Stream>(MediaKind::Audio, clock_);
    audio_->initDone.assign(p_.audio.size(), 0);
  }
  // HLS: the first variant's and the audio's media playlists, in parallel.
  auto pendingLoads = std::make_shared<int>(audio_ ? 2 : 1);
  auto loaded = [this, pendingLoads] {
    if (--*pendingLoads == 0) beginStreaming();
  };
  ensureLoaded(*video_, startRung, loaded);
  if (audio_) ensureLoaded(*audio_, 0, loaded);
}

void Session::ensureLoaded(Stream &s, int track, std::function<void()> then) {
  Track &t = p_.tracks(s.kind)[std::size_t(track)];
  if (t.loaded) return then();
  FetchRequest req;
  req.url = t.playlistUrl;
  req.wantBody = true;
  req.authorization = opt_.authorization;
  req.timeoutMs = opt_.requestTimeoutMs;
  Stream *sp = &s;
  s.playlist = net_.fetch(req, [this, sp, track, then = std::move(then)](FetchResult r) {
    sp->playlist = 0;
    ++log_.requests;
    log_.bytes += r.bytes;
    Track &t = p_.tracks(sp->kind)[std::size_t(track)];
    if (!r.ok()) return failover(QStringLiteral("playlist %1: %2").arg(displayUrl(t.playlistUrl), r.describe()));
    if (Status st = parseHlsMedia(r.body, t.playlistUrl, &t); !st.isOk())
      return finish(QStringLiteral("error"), QStringLiteral("playlist %1: %2").arg(displayUrl(t.playlistUrl), st.message()));
    if (sp->kind == MediaKind::Video && !timeline_.empty() && t.segments.size() != timeline_.size())
      return finish(QStringLiteral("error"), QStringLiteral("variant %1 has %2 segments, the others %3")
                                                 .arg(t.id).arg(t.segments.size()).arg(timeline_.size()));
    then();
  });
}

void Session::beginStreaming() {
  timeline_ = p_.video[std::size_t(video_->track)].segments;
  if (p_.duration <= 0 && !timeline_.empty()) p_.duration = timeline_.back().start + timeline_.back().duration;
  log_.durationS = p_.duration;
  setPhase(Phase::Starting);
  pumpAll();
}

void Session::pumpAll() {
  // One media download at a time, the track with less buffered first: parallel
  // downloads would split the link and every throughput sample with it. Start-up
  // fetches both tracks' first segments side by side (fast start).
  Stream *first = video_.get(), *second = audio_.get();
  if (second && second->bufferedEnd <= first->bufferedEnd) std::swap(first, second);
  pump(*first);
  if (second) pump(*second);
}

bool Session::linkBusyFor(const Stream &s) const {
  // At start-up only the first segments go side by side: a track that has its first
  // one waits, or it would slow down the one playback is waiting for.
  if (phase_ == Phase::Starting && s.next == 0) return false;
  const Stream *other = &s == video_.get() ? audio_.get() : video_.get();
  return other && (other->media || other->init);
}

double Session::positionS() const {
  if (phase_ == Phase::Playing) return anchorPos_ + (clock_.now() - anchorAt_);
  return anchorPos_;
}

void Session::setPhase(Phase p) {
  anchorPos_ = positionS();
  anchorAt_ = clock_.now();
  phase_ = p;
}

double Session::minBufferedEnd() const {
  double end = 1e300;
  for (const Stream *s : {video_.get(), audio_.get()})
    if (s) end = std::min(end, s->done ? 1e300 : s->bufferedEnd);
  return end;
}

double Session::contentEnd() const {
  double end = timeline_.empty() ? 0 : timeline_.back().start + timeline_.back().duration;
  if (audio_ && !p_.audio.empty()) {
    const auto &a = p_.audio[std::size_t(audio_->track)].segments;
    if (!a.empty()) end = std::min(end, a.back().start + a.back().duration);
  }
  return end;
}

double Session::playEnd() const {
  const double end = contentEnd();
  return opt_.watchS > 0 ? std::min(end, opt_.watchS) : end;
}

double Session::bufferS() const {
  if (!video_) return 0;
  const double end = std::min(minBufferedEnd(), contentEnd());
  return std::max(0.0, end - positionS());
}

int Session::currentRung() const { return video_ ? video_->track : -1; }

AbrInput Session::abrInput(const Stream &s) const {
  AbrInput in;
  in.now = clock_.now();
  in.segment = s.next;
  in.timeline = &timeline_;
  in.bitrates = &bitrates_;
  in.lastRung = log_.segments.empty() ? -1 : log_.segments.back().rung;
  in.startRung = s.track;
  in.bufferS = bufferS();
  in.bufferCapS = opt_.bufferCapS;
  in.playing = phase_ == Phase::Playing;
  if (s.lastFinishedAt >= 0) in.idleS = std::max(0.0, in.now - std::max(s.lastFinishedAt, s.idleMark));
  in.estimate = &estimate_;
  in.sizes = &sizes_;
  return in;
}

void Session::pump(Stream &s) {
  if (phase_ == Phase::Ended || phase_ == Phase::Manifest || switching_ || s.busy() || s.wait.active() || s.done) return;
  if (linkBusyFor(s)) return;  // the other track's download ends with pumpAll()
  const auto &segments = s.kind == MediaKind::Video ? timeline_ : p_.audio[std::size_t(s.track)].segments;
  if (std::size_t(s.next) >= segments.size() || segments[std::size_t(s.next)].start >= playEnd() - kEpsilon) {
    s.done = true;
    updatePlayback();
    return;
  }
  // The buffer cap: wait until the segment fits (the first one always goes).
  const double duration = segments[std::size_t(s.next)].duration;
  const double ahead = s.bufferedEnd - positionS();
  if (s.next > 0 && ahead + duration > opt_.bufferCapS + kEpsilon) {
    // Not playing (start-up, stalled): updatePlayback() pumps again once it plays.
    if (phase_ == Phase::Playing) s.wait.after(ahead + duration - opt_.bufferCapS, [this] { pumpAll(); });
    return;
  }
  if (s.kind == MediaKind::Audio) return request(s, s.track);

  const AbrInput in = abrInput(s);
  Decision d = abr_->choose(in);
  s.idleMark = in.now;
  if (d.delayS > 1e-3 && !s.delayedOnce) {
    s.delayedOnce = true;
    s.wait.after(d.delayS, [this] { pumpAll(); });
    return;
  }
  s.delayedOnce = false;
  d.rung = std::clamp(d.rung, 0, int(bitrates_.size()) - 1);
  s.record = SegmentRecord{};
  s.record.index = s.next;
  s.record.decision = d;
  s.record.estimateBps = estimate_.safeBps();
  s.record.bufferBeforeS = in.bufferS;
  s.attempt = 0;
  request(s, d.rung);
}

FetchRequest Session::mediaRequest(MediaKind kind, int track, int segment) const {
  FetchRequest req;
  req.presentation = &p_;
  req.media = {kind, track, segment};
  req.authorization = opt_.authorization;
  req.timeoutMs = opt_.requestTimeoutMs;
  return req;
}

void Session::request(Stream &s, int track) {
  ensureLoaded(s, track, [this, &s, track] { issue(s, track); });
}

void Session::issue(Stream &s, int track) {
  if (phase_ == Phase::Ended) return;
  const Track &t = p_.tracks(s.kind)[std::size_t(track)];
  if (!t.initPath.isEmpty() && !s.initDone[std::size_t(track)] && !s.init) {
    s.init = net_.fetch(mediaRequest(s.kind, track, -1), [this, &s, track](FetchResult r) {
      s.init = 0;
      onInitDone(s, track, std::move(r));
    });
  }
  s.mediaTrack = track;
  s.issuedAt = clock_.now();
  if (s.kind == MediaKind::Video) {
    s.record.rung = track;
    s.record.rungId = t.id;
    s.record.bitrate = double(t.bandwidth);
  }
  s.media = net_.fetch(mediaRequest(s.kind, track, s.next), [this, &s, track](FetchResult r) {
    s.media = 0;
    s.abandonCheck.clear();
    onMediaDone(s, track, std::move(r));
  });
  if (s.kind == MediaKind::Video && opt_.abandonment && track > 0)
    s.abandonCheck.after(kAbandonCheckS, [this, &s] { checkAbandon(s); });
}

void Session::checkAbandon(Stream &s) {
  if (!s.media) return;
  const FetchProgress p = net_.progress(s.media);
  AbandonInput in;
  in.now = clock_.now();
  in.firstByteAt = p.firstByteAt;
  in.bytes = p.bytes;
  in.firstChunkBytes = p.firstChunkBytes;
  in.totalBytes = p.total;
  in.segmentDurationS = timeline_[std::size_t(s.next)].duration;
  in.bufferS = bufferS();
  in.playing = phase_ == Phase::Playing;
  in.rung = s.mediaTrack;
  in.bitrates = &bitrates_;
  const AbandonVerdict v = abandonRule_.check(in);
  if (!v.abandon) {
    s.abandonCheck.after(kAbandonCheckS, [this, &s] { checkAbandon(s); });
    return;
  }
  net_.abort(s.media);
  s.media = 0;
  log_.bytes += p.bytes;
  ++log_.requests;
  s.record.abandoned.push_back({s.mediaTrack, bitrates_[std::size_t(s.mediaTrack)], p.bytes,
                                (in.now - s.issuedAt) * 1000, v.reason});
  abr_->onAbandon(abrInput(s), s.mediaTrack);
  Decision d;
  d.rung = v.rung;
  d.reason = v.reason;
  d.add("measured_bps", v.measuredBps).add("remaining_s", v.remainingS).add("buffer_s", in.bufferS).add("from_rung", s.mediaTrack);
  s.record.decision = d;
  request(s, v.rung);
}

void Session::noteOther(const FetchResult &r) {
  if (r.bytes <= 0 || r.finishedAt <= r.firstByteAt) return;
  if (others_.size() >= 8) others_.erase(others_.begin());
  others_.push_back({r.firstByteAt, r.finishedAt, r.bytes});
}

double Session::overlappingBytes(double from, double to) const {
  double bytes = 0;
  for (const Transfer &t : others_) {
    const double overlap = std::min(to, t.finishedAt) - std::max(from, t.firstByteAt);
    if (overlap > 0) bytes += double(t.bytes) * overlap / (t.finishedAt - t.firstByteAt);
  }
  return bytes;
}

void Session::onInitDone(Stream &s, int track, FetchResult r) {
  ++log_.requests;
  log_.bytes += r.bytes;
  if (!r.ok()) return onFailure(s, track, r, true);
  noteOther(r);
  s.initDone[std::size_t(track)] = 1;
  if (s.havePending && s.pendingTrack == track) {
    s.havePending = false;
    append(s, s.pending);
  }
}

void Session::onMediaDone(Stream &s, int track, FetchResult r) {
  ++log_.requests;
  log_.bytes += r.bytes;
  if (!r.ok()) return onFailure(s, track, r, false);
  const Track &t = p_.tracks(s.kind)[std::size_t(track)];
  if (!t.initPath.isEmpty() && !s.initDone[std::size_t(track)]) {
    // Playable only with its init segment, which is still on its way.
    s.havePending = true;
    s.pending = std::move(r);
    s.pendingTrack = track;
    return;
  }
  append(s, r);
}

void Session::append(Stream &s, const FetchResult &r) {
  const auto &segments = s.kind == MediaKind::Video ? timeline_ : p_.audio[std::size_t(s.track)].segments;
  const SegmentTiming &seg = segments[std::size_t(s.next)];
  const double now = clock_.now();
  if (s.kind == MediaKind::Video) {
    const double firstByte = r.firstByteAt > 0 ? r.firstByteAt : r.requestedAt;
    if (r.bytes - r.firstChunkBytes >= 16000 && r.finishedAt - firstByte > 0.001) {
      const double shared = overlappingBytes(firstByte, r.finishedAt);
      estimate_.addSample(r.bytes - r.firstChunkBytes + std::int64_t(shared), r.finishedAt - firstByte, firstByte - r.requestedAt);
    } else {
      // It all came in one read (a fast path, or a small segment): only the whole
      // request's time is known, latency included, which underestimates at worst.
      estimate_.addSample(r.bytes, r.finishedAt - r.requestedAt, firstByte - r.requestedAt);
    }
    sizes_.observe(s.mediaTrack, seg.duration, r.bytes);
    s.track = s.mediaTrack;
    SegmentRecord &rec = s.record;
    rec.bytes = r.bytes;
    rec.requestedAt = r.requestedAt;
    rec.finishedAt = r.finishedAt;
    rec.downloadMs = (r.finishedAt - r.requestedAt) * 1000;
    rec.latencyMs = (firstByte - r.requestedAt) * 1000;
    rec.throughputBps = estimate_.lastBps();
    rec.xCache = r.xCache;
    rec.mediaStartS = seg.start;
  } else {
    noteOther(r);
  }
  s.lastFinishedAt = now;
  s.bufferedEnd = seg.start + seg.duration;
  ++s.next;
  s.attempt = 0;
  if (s.kind == MediaKind::Video) {
    s.record.bufferAfterS = bufferS();
    s.record.positionS = positionS();
    log_.segments.push_back(s.record);
  }
  updatePlayback();
  if (phase_ == Phase::Ended) return;
  if (s.kind == MediaKind::Video && onSegment) onSegment(log_.segments.back());
  pumpAll();
}

void Session::onFailure(Stream &s, int track, const FetchResult &r, bool init) {
  const bool transient = r.status == 0 || r.status == 408 || r.status == 429 || r.status >= 500;
  if (transient && s.attempt < opt_.retries) {
    const double backoff = opt_.retryBackoffS * std::pow(2.0, s.attempt);
    ++s.attempt;
    if (s.kind == MediaKind::Video) ++s.record.retries;
    s.wait.after(backoff, [this, &s, track, init] {
      if (init) {
        s.init = net_.fetch(mediaRequest(s.kind, track, -1), [this, &s, track](FetchResult r) {
          s.init = 0;
          onInitDone(s, track, std::move(r));
        });
      } else {
        issue(s, track);
      }
    });
    return;
  }
  const QUrl url = urlOf(p_, {s.kind, track, init ? -1 : s.next});
  failover(QStringLiteral("%1: %2").arg(displayUrl(url), r.describe()));
}

void Session::failover(const QString &why) {
  if (phase_ == Phase::Ended) return;
  log_.error = why;
  if (source_ + 1 >= sources_.size()) return finish(QStringLiteral("error"), why);
  ++log_.failovers;
  switching_ = true;
  // Nothing of the failed source may still come in.
  for (Stream *s : {video_.get(), audio_.get()}) {
    if (!s) continue;
    for (Transport::FetchId *id : {&s->media, &s->init, &s->playlist}) {
      if (*id) net_.abort(*id);
      *id = 0;
    }
    s->abandonCheck.clear();
    s->wait.clear();
    s->havePending = false;
    s->attempt = 0;
  }
  loadManifest(source_ + 1);
}

void Session::updatePlayback() {
  if (phase_ == Phase::Ended || phase_ == Phase::Manifest || phase_ == Phase::Idle) return;
  const double now = clock_.now();
  const double end = playEnd();
  const double buffered = std::min(minBufferedEnd(), end);
  const double pos = positionS();
  if (phase_ == Phase::Starting) {
    // Every track has its first segment (or all it will ever have).
    if (buffered > pos + kEpsilon || buffered >= end - kEpsilon) {
      log_.playStartedAt = now;
      setPhase(Phase::Playing);
      pumpAll();  // a full buffer could only drain from now on
    }
  } else if (phase_ == Phase::Stalled) {
    if (buffered > pos + kEpsilon || buffered >= end - kEpsilon) {
      Stall &st = log_.stalls.back();
      st.durationS = now - st.atS;
      setPhase(Phase::Playing);
      pumpAll();
    }
  }
  if (phase_ != Phase::Playing) return;
  if (pos >= end - kEpsilon) return onPlayTimer();
  playTimer_.at(now + (buffered - pos), [this] { onPlayTimer(); });
}

void Session::onPlayTimer() {
  const double end = playEnd();
  const double buffered = std::min(minBufferedEnd(), end);
  if (buffered >= end - kEpsilon) {
    anchorPos_ = end;
    anchorAt_ = clock_.now();
    return finish(opt_.watchS > 0 && end < contentEnd() - kEpsilon ? QStringLiteral("watch limit") : QStringLiteral("end"));
  }
  // The playhead reached the end of what is buffered: a stall.
  anchorPos_ = buffered;
  anchorAt_ = clock_.now();
  phase_ = Phase::Stalled;
  log_.stalls.push_back({clock_.now(), buffered, 0});
  abr_->onStall();
  updatePlayback();
}

void Session::finish(const QString &endedBy, const QString &error) {
  if (phase_ == Phase::Ended) return;
  const double now = clock_.now();
  if (phase_ == Phase::Stalled && !log_.stalls.empty()) log_.stalls.back().durationS = now - log_.stalls.back().atS;
  log_.positionS = positionS();
  setPhase(Phase::Ended);
  log_.endedAt = now;
  log_.endedBy = endedBy;
  if (!error.isEmpty()) log_.error = error;
  if (manifestFetch_) net_.abort(manifestFetch_);
  manifestFetch_ = 0;
  for (Stream *s : {video_.get(), audio_.get()}) {
    if (!s) continue;
    for (Transport::FetchId *id : {&s->media, &s->init, &s->playlist}) {
      if (*id) net_.abort(*id);
      *id = 0;
    }
    s->wait.clear();
    s->abandonCheck.clear();
  }
  playTimer_.clear();
  wallTimer_.clear();
  // From the event loop, so no frame of this session is on the stack when the owner
  // deletes it in the callback.
  clock_.after(0, [this, alive = std::weak_ptr<bool>(alive_)] {
    if (alive.expired()) return;
    const std::function<void()> callback = onFinished;  // a copy: it may delete this session
    if (callback) callback();
  });
}

}  // namespace rs::player
