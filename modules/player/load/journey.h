#pragma once
// One simulated viewer of a load run, walking the reference architecture's journey in
// a loop: (log in) → browse the catalogue → open a title chosen by popularity (Zipf)
// → start playback through the api (steered sources) → watch for a random time with
// the real ABR engine over its own keep-alive connections → stop → think → again.

#include "player/engine/realclock.h"
#include "player/engine/session.h"
#include "player/net/sockettransport.h"

#include <QObject>
#include <QRandomGenerator>
#include <memory>

namespace rs::player {

struct LoadConfig {
  QUrl target;                 // the api
  int sessions = 10;           // concurrent viewers
  double durationS = 60;
  double rampS = 0;
  QByteArray authorization;    // "Bearer …" or empty
  QString abr;
  double watchMeanS = 60;      // watch times are exponential with this mean, capped by the title
  double zipfExponent = 1.0;
  quint32 seed = 1;
  double bufferCapS = 30;
};

struct JourneyResult {
  bool ok = true;
  QString step;                // where it failed: "browse", "title", "playback", "stream"
  QString error;
  QString titleId;
  bool started = false;        // playback started
  bool stoppedAtEnd = false;   // cut short by the end of the run
  double apiMs[3] = {-1, -1, -1};  // browse, title, playback start
  double startMs = -1;         // "play" pressed (playback API called) to the first frame
  double watchedS = 0, rebufferS = 0;
  int rebufferEvents = 0;
  double meanBitrate = 0;
  std::int64_t bytes = 0;
  std::vector<double> segmentMs;
};

class VirtualUser : public QObject {
  Q_OBJECT
 public:
  VirtualUser(int index, const LoadConfig &config, RealClock &clock, std::function<void(const JourneyResult &)> onJourney,
              QObject *parent = nullptr);
  ~VirtualUser() override;
  void start();
  // The run is over: a journey in progress is reported now, cut short.
  void stop();
  bool playing() const { return session_ && session_->phase() == Session::Phase::Playing; }
  bool watching() const { return session_ != nullptr; }
  int connections() const { return transport_.openConnections(); }

 private:
  void browse();
  void openTitle(const QString &id);
  void startPlayback(const QString &id);
  void watch(const std::vector<QUrl> &sources);
  void sessionEnded();
  void fail(const QString &step, const QString &error);
  void next();
  void api(const QByteArray &method, const QString &path, int slot, std::function<void(const FetchResult &)> then);

  const LoadConfig &config_;
  RealClock &clock_;
  std::function<void(const JourneyResult &)> onJourney_;
  SocketTransport transport_;
  QRandomGenerator random_;
  std::unique_ptr<Session> session_;
  JourneyResult journey_;
  double playPressedAt_ = 0;
  double lastEstimateBps_ = 0;  // fast start for the next title
  bool stopped_ = false;
  bool inJourney_ = false;
  Transport::FetchId call_ = 0;
  TimerSlot think_;
};

}  // namespace rs::player
