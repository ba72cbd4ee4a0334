#include "player/load/journey.h"

#include "player/abr/abr.h"
#include "player/load/zipf.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <cmath>
#include <utility>

namespace rs::player {

namespace {

QString apiError(const FetchResult &r) {
  if (!r.error.isEmpty()) return r.error;
  const QString message =
      QJsonDocument::fromJson(r.body).object().value(QStringLiteral("error")).toObject().value(QStringLiteral("message")).toString();
  return QStringLiteral("HTTP %1%2").arg(r.status).arg(message.isEmpty() ? QString() : QStringLiteral(": ") + message);
}

}  // namespace

VirtualUser::VirtualUser(int index, const LoadConfig &config, RealClock &clock, std::function<void(const JourneyResult &)> onJourney,
                         QObject *parent)
    : QObject(parent),
      config_(config),
      clock_(clock),
      onJourney_(std::move(onJourney)),
      transport_(clock, 2, this),
      random_(config.seed * 7919u + quint32(index)),
      think_(clock) {}

VirtualUser::~VirtualUser() {
  if (call_) transport_.abort(call_);
  if (logoutCall_) transport_.abort(logoutCall_);
}

void VirtualUser::start() { next(); }

void VirtualUser::next() {
  if (stopped_) return;
  journey_ = JourneyResult{};
  inJourney_ = true;
  if (!config_.credentials.user.isEmpty() && cookie_.isEmpty()) return login();
  browse();
}

void VirtualUser::login() {
  call_ = transport_.fetch(loginRequest(config_.target, config_.credentials), [this](FetchResult r) {
    call_ = 0;
    journey_.bytes += r.bytes;
    auto cookie = sessionCookieOf(r);
    if (!cookie) return fail(QStringLiteral("login"), cookie.status().message());
    loginMs_.push_back((r.finishedAt - r.requestedAt) * 1000);
    ++logins_;
    cookie_ = *cookie;
    browse();
  });
}

void VirtualUser::logout(std::function<void()> then) {
  const QByteArray cookie = std::exchange(cookie_, QByteArray());
  logoutCall_ = transport_.fetch(logoutRequest(config_.target, cookie), [this, then = std::move(then)](FetchResult r) {
    logoutCall_ = 0;
    if (r.ok()) ++logouts_;
    else ++logoutFailures_;
    if (then) then();
  });
}

void VirtualUser::api(const QByteArray &method, const QString &path, int slot, std::function<void(const FetchResult &)> then) {
  FetchRequest req;
  req.method = method;
  req.url = config_.target.resolved(QUrl(path));
  req.wantBody = true;
  req.timeoutMs = 10000;
  if (method == "POST") {
    req.body = "{}";
    req.contentType = "application/json";
  }
  credential().apply(req);
  call_ = transport_.fetch(req, [this, slot, then = std::move(then)](FetchResult r) {
    call_ = 0;
    journey_.apiMs[slot] = (r.finishedAt - r.requestedAt) * 1000;
    journey_.bytes += r.bytes;
    // A session the api no longer knows (expired, revoked): sign in again next time.
    if (r.status == 401) cookie_.clear();
    then(r);
  });
}
void VirtualUser::browse() {
  api("GET", QStringLiteral("/api/v1/titles"), 0, [this](const FetchResult &r) {
    if (!r.ok()) return fail(QStringLiteral("browse"), apiError(r));
    QStringList ready;
    for (const QJsonValue &v : QJsonDocument::fromJson(r.body).object().value(QStringLiteral("titles")).toArray())
      if (v[QStringLiteral("state")].toString() == QLatin1String("ready")) ready << v[QStringLiteral("id")].toString();
    if (ready.isEmpty()) return fail(QStringLiteral("browse"), QStringLiteral("the catalogue has no ready title"));
    // Catalogue order stands for popularity order: rank 0 is the first title listed.
    const Zipf zipf(int(ready.size()), config_.zipfExponent);
    openTitle(ready[zipf.sample(random_)]);
  });
}

void VirtualUser::openTitle(const QString &id) {
  journey_.titleId = id;
  api("GET", QStringLiteral("/api/v1/titles/") + QString::fromLatin1(QUrl::toPercentEncoding(id)), 1, [this, id](const FetchResult &r) {
    if (!r.ok()) return fail(QStringLiteral("title"), apiError(r));
    startPlayback(id);
  });
}

void VirtualUser::startPlayback(const QString &id) {
  playPressedAt_ = clock_.now();
  api("POST", QStringLiteral("/api/v1/titles/%1/playback").arg(QString::fromLatin1(QUrl::toPercentEncoding(id))), 2,
      [this](const FetchResult &r) {
        if (!r.ok()) return fail(QStringLiteral("playback"), apiError(r));
        const QJsonObject answer = QJsonDocument::fromJson(r.body).object();
        std::vector<QUrl> sources;
        for (const QJsonValue &v : answer.value(QStringLiteral("sources")).toArray()) {
          const QString dash = v[QStringLiteral("dash")].toString();
          if (!dash.isEmpty()) sources.emplace_back(dash);
        }
        if (sources.empty()) return fail(QStringLiteral("playback"), QStringLiteral("the playback answer names no source"));
        watch(sources, PlaybackToken::fromJson(answer.value(QStringLiteral("playbackToken")).toObject(), config_.target));
      });
}

void VirtualUser::watch(const std::vector<QUrl> &sources, std::optional<PlaybackToken> token) {
  SessionOptions o;
  o.manifestUrl = sources.front();
  o.fallbacks.assign(sources.begin() + 1, sources.end());
  // No account credential goes to the media listeners: they take playback tokens (in
  // the source URLs' paths) and would refuse an API token with 401.
  o.bufferCapS = config_.bufferCapS;
  // Viewers leave after exponentially distributed watch times (never under 4 s).
  o.watchS = std::max(4.0, -config_.watchMeanS * std::log(1 - random_.generateDouble()));
  o.maxWallS = o.watchS * 3 + 60;
  o.startBps = lastEstimateBps_;
  // The sources' playback token expires in minutes: renewed while this session plays,
  // and every URL the transport sends carries the newest one.
  if (token) {
    renewer_ = std::make_unique<TokenRenewer>(clock_, transport_, *token, [this](FetchRequest &r) { credential().apply(r); });
    transport_.setUrlRewriter([this](const QUrl &u) { return renewer_ ? renewer_->rewrite(u) : u; });
    renewer_->start();
  }
  session_ = std::make_unique<Session>(o, clock_, transport_, makeAbr(config_.abr));
  session_->onFinished = [this] { sessionEnded(); };
  session_->start();
}

void VirtualUser::sessionEnded() {
  const SessionLog &log = session_->log();
  const QoeSummary q = summarise(log);
  journey_.started = log.playStartedAt >= 0;
  if (journey_.started) journey_.startMs = (log.playStartedAt - playPressedAt_) * 1000;
  journey_.watchedS = log.positionS;
  journey_.rebufferS = q.rebufferS;
  journey_.rebufferEvents = q.rebufferEvents;
  journey_.meanBitrate = q.meanBitrate;
  journey_.bytes += log.bytes;
  for (const SegmentRecord &r : log.segments) journey_.segmentMs.push_back(r.downloadMs);
  if (session_->estimator().hasEstimate()) lastEstimateBps_ = session_->estimator().safeBps();
  if (log.endedBy == QLatin1String("error")) {
    journey_.ok = false;
    journey_.step = QStringLiteral("stream");
    journey_.error = log.error;
  }
  journey_.stoppedAtEnd = log.endedBy == QLatin1String("stopped");
  if (renewer_) {
    journey_.tokenRenewals = renewer_->renewals();
    journey_.tokenRenewalFailures = renewer_->failures();
    renewer_.reset();
  }
  session_.reset();  // safe: sessions call onFinished from the event loop
  endJourney();
}

void VirtualUser::fail(const QString &step, const QString &error) {
  journey_.ok = false;
  journey_.step = step;
  journey_.error = error;
  endJourney();
}

// Stop: the viewer logs out (every journey, or once at the end of the run), then the
// journey counts.
void VirtualUser::endJourney() {
  if (!cookie_.isEmpty() && (config_.loginPerJourney || stopped_)) return logout([this] { report(); });
  report();
}

void VirtualUser::report() {
  inJourney_ = false;
  onJourney_(journey_);
  if (!stopped_) think_.after(journey_.ok ? 0.5 + random_.generateDouble() : 1.0, [this] { next(); });
}

void VirtualUser::stop() {
  if (stopped_) return;
  stopped_ = true;
  think_.clear();
  if (call_) {
    transport_.abort(call_);
    call_ = 0;
  }
  if (session_) session_->stop();  // its journey is reported (after the logout) from the session's end
  else if (!cookie_.isEmpty() && !logoutCall_) logout({});
}

}  // namespace rs::player
