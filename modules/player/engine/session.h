#pragma once
// One playback session: loads the manifest, downloads video (rung by rung as the ABR
// algorithm decides) and audio into per-track buffers, plays them on a playback clock
// that stalls when a buffer runs dry, and logs every decision. The same code runs a
// live session (RealClock + an HTTP transport) and a simulated one (VirtualClock +
// SimTransport); only the clock and the transport differ.

#include "player/abr/abandonment.h"
#include "player/abr/abr.h"
#include "player/engine/bandwidthestimator.h"
#include "player/engine/clock.h"
#include "player/engine/sessionlog.h"
#include "player/engine/sizemodel.h"
#include "player/engine/transport.h"

#include <QUrl>
#include <functional>
#include <memory>
#include <vector>

namespace rs::player {

struct SessionOptions {
  QUrl manifestUrl;
  std::vector<QUrl> fallbacks;    // further sources (the playback API's order), tried on errors
  QByteArray authorization;       // "Bearer …" for every request, or empty
  double bufferCapS = 30;         // no download starts that would take the buffer past this
  double watchS = 0;              // media seconds to play; 0: to the end
  double maxWallS = 0;            // give up after this long; 0: never
  double startBps = 0;            // a previous estimate for fast start; 0: the lowest rung
  bool abandonment = true;
  int retries = 2;                // per request, on transport errors and 408/429/5xx
  double retryBackoffS = 0.5;     // doubled per retry
  int requestTimeoutMs = 15000;
};

class Session {
 public:
  enum class Phase { Idle, Manifest, Starting, Playing, Stalled, Ended };

  Session(SessionOptions options, Clock &clock, Transport &transport, std::unique_ptr<AbrAlgorithm> abr);
  ~Session();
  Session(const Session &) = delete;
  Session &operator=(const Session &) = delete;

  void start();
  void stop();  // ends now, as "stopped"

  // Called once, from the event loop, after the session ended (it may delete the session).
  std::function<void()> onFinished;
  // Called for every video segment added to the buffer, with its log record.
  std::function<void(const SegmentRecord &)> onSegment;

  Phase phase() const { return phase_; }
  bool finished() const { return phase_ == Phase::Ended; }
  const SessionLog &log() const { return log_; }
  const Presentation &presentation() const { return p_; }
  const BandwidthEstimator &estimator() const { return estimate_; }
  double positionS() const;
  double bufferS() const;
  int currentRung() const;

 private:
  struct Stream;
  void loadManifest(std::size_t source);
  void onManifest(std::size_t source, const FetchResult &r);
  void beginStreaming();
  void ensureLoaded(Stream &s, int track, std::function<void()> then);
  void pump(Stream &s);
  void pumpAll();
  bool linkBusyFor(const Stream &s) const;
  void request(Stream &s, int track);
  void issue(Stream &s, int track);
  void checkAbandon(Stream &s);
  void onMediaDone(Stream &s, int track, FetchResult r);
  void onInitDone(Stream &s, int track, FetchResult r);
  void append(Stream &s, const FetchResult &r);
  void onFailure(Stream &s, int track, const FetchResult &r, bool init);
  void failover(const QString &why);
  void updatePlayback();
  void onPlayTimer();
  void setPhase(Phase p);
  double minBufferedEnd() const;
  double contentEnd() const;
  double playEnd() const;
  AbrInput abrInput(const Stream &s) const;
  void finish(const QString &endedBy, const QString &error = {});
  FetchRequest mediaRequest(MediaKind kind, int track, int segment) const;

  SessionOptions opt_;
  Clock &clock_;
  Transport &net_;
  std::unique_ptr<AbrAlgorithm> abr_;
  AbandonRule abandonRule_;
  BandwidthEstimator estimate_;
  SizeModel sizes_;
  Presentation p_;
  std::vector<QUrl> sources_;
  std::size_t source_ = 0;
  Transport::FetchId manifestFetch_ = 0;
  bool switching_ = false;
  std::vector<SegmentTiming> timeline_;  // the video timeline every rung shares
  std::vector<double> bitrates_;
  std::unique_ptr<Stream> video_, audio_;
  Phase phase_ = Phase::Idle;
  double anchorPos_ = 0, anchorAt_ = 0;
  TimerSlot playTimer_, wallTimer_;
  SessionLog log_;
  // Downloads other than video media that finished lately: when they overlapped a
  // video download (start-up fetches both tracks at once), they shared the link, and
  // the video sample counts their bytes for the time they overlapped.
  struct Transfer {
    double firstByteAt, finishedAt;
    std::int64_t bytes;
  };
  std::vector<Transfer> others_;
  double overlappingBytes(double from, double to) const;
  void noteOther(const FetchResult &r);
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace rs::player
