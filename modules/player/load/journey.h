#pragma once
// One simulated viewer of a load run, walking the reference architecture's journey in
// a loop: log in → browse the catalogue → open a title chosen by popularity (Zipf)
// → start playback through the api (steered sources, a playback token) → watch for a
// random time with the real ABR engine over its own keep-alive connections, renewing
// the token as it runs out → stop → log out → think → again.

#include "player/engine/realclock.h"
#include "player/engine/session.h"
#include "player/load/login.h"
#include "player/net/sockettransport.h"
#include "player/net/tokenrenewer.h"

#include <QObject>
#include <QRandomGenerator>
#include <memory>

namespace rs::player {

struct LoadConfig {
  QUrl target;                 // the api
  int sessions = 10;           // concurrent viewers
  double durationS = 60;
  double rampS = 0;
  QByteArray authorization;    // "Bearer …" (an API token) or empty
  Credentials credentials;     // with a user name: log in instead
  // Log in once per viewer, out when the run ends (a viewer who stays signed in), or
  // at the start of every journey and out at its end (the reference journey; one
  // scrypt per journey on the api, docs/player.md says what that costs).
  bool loginPerJourney = false;
  QString abr;
  double watchMeanS = 60;      // watch times are exponential with this mean, capped by the title
  double zipfExponent = 1.0;
  quint32 seed = 1;
  double bufferCapS = 30;
};

struct JourneyResult {
  bool ok = true;
  QString step;                // where it failed: "login", "browse", "title", "playback", "stream"
  QString error;
  QString titleId;
  bool started = false;        // playback started
  bool stoppedAtEnd = false;   // cut short by the end of the run
  double apiMs[3] = {-1, -1, -1};  // browse, title, playback start
  int tokenRenewals = 0, tokenRenewalFailures = 0;
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
  // Watching, or logging out: the run waits for this before it ends.
  bool busy() const { return session_ != nullptr || logoutCall_ != 0; }
  int connections() const { return transport_.openConnections(); }
  int logins() const { return logins_; }
  const std::vector<double> &loginMs() const { return loginMs_; }
  int logouts() const { return logouts_; }
  int logoutFailures() const { return logoutFailures_; }

 private:
  void login();
  void logout(std::function<void()> then);
  void endJourney();
  void report();
  ViewerCredential credential() const { return {config_.authorization, cookie_}; }
  void browse();
  void openTitle(const QString &id);
  void startPlayback(const QString &id);
  void watch(const std::vector<QUrl> &sources, std::optional<PlaybackToken> token);
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
  std::unique_ptr<TokenRenewer> renewer_;
  QByteArray cookie_;  // "rs_session=…" while signed in
  JourneyResult journey_;
  double playPressedAt_ = 0;
  double lastEstimateBps_ = 0;  // fast start for the next title
  bool stopped_ = false;
  bool inJourney_ = false;
  Transport::FetchId call_ = 0, logoutCall_ = 0;
  int logins_ = 0, logouts_ = 0, logoutFailures_ = 0;
  std::vector<double> loginMs_;  // every successful login's time, request to answer
  TimerSlot think_;
};

}  // namespace rs::player
