#include "player/load/loadgenerator.h"

#include "player/playerlog.h"

#include <QJsonArray>
#include <cmath>

namespace rs::player {

namespace {
constexpr double kTickS = 5;
}

LoadGenerator::LoadGenerator(LoadConfig config, std::vector<Threshold> thresholds, QObject *parent)
    : QObject(parent),
      config_(std::move(config)),
      thresholds_(std::move(thresholds)),
      ramp_(clock_),
      ticker_(clock_),
      deadline_(clock_),
      quiet_(clock_) {}

LoadGenerator::~LoadGenerator() = default;

void LoadGenerator::start() {
  startedAt_ = clock_.now();
  users_.reserve(std::size_t(config_.sessions));
  for (int i = 0; i < config_.sessions; ++i)
    users_.push_back(std::make_unique<VirtualUser>(i, config_, clock_, [this](const JourneyResult &j) { onJourney(j); }));
  // Viewers join evenly over the ramp, the first at once.
  const double gap = config_.sessions > 1 ? config_.rampS / (config_.sessions - 1) : 0;
  auto launchNext = std::make_shared<std::function<void()>>();
  *launchNext = [this, gap, launchNext] {
    while (launched_ < int(users_.size()) && clock_.now() - startedAt_ >= gap * launched_ - 1e-9) users_[std::size_t(launched_++)]->start();
    if (launched_ < int(users_.size())) ramp_.at(startedAt_ + gap * launched_, *launchNext);
  };
  (*launchNext)();
  ticker_.after(kTickS, [this] { tick(); });
  deadline_.after(config_.durationS, [this] { end(); });
  qCInfo(lcPlayer).noquote() << QStringLiteral("load run: %1 viewers against %2 for %3 s (ramp %4 s), abr %5")
                                    .arg(config_.sessions).arg(config_.target.toString()).arg(config_.durationS).arg(config_.rampS).arg(config_.abr);
}

void LoadGenerator::onJourney(const JourneyResult &j) {
  if (!j.ok) {
    ++failed_;
    ++journeys_;
    ++errors_[j.step + QStringLiteral(": ") + j.error.left(200)];
  } else if (j.started || !j.stoppedAtEnd) {
    ++journeys_;  // a journey the end of the run cut off before it played says nothing
  }
  if (j.stoppedAtEnd) ++stoppedAtEnd_;
  for (double ms : j.apiMs)
    if (ms >= 0) apiMs_.add(ms);
  for (double ms : j.segmentMs) segmentMs_.add(ms);
  tokenRenewals_ += j.tokenRenewals;
  tokenRenewalFailures_ += j.tokenRenewalFailures;
  bytes_ += j.bytes;
  if (j.started) {
    ++started_;
    startMs_.add(j.startMs);
    watchedS_ += j.watchedS;
    rebufferS_ += j.rebufferS;
    rebufferEvents_ += j.rebufferEvents;
    if (j.watchedS + j.rebufferS > 0) rebufferRatio_.add(j.rebufferS / (j.watchedS + j.rebufferS));
    if (j.meanBitrate > 0) bitrate_.add(j.meanBitrate);
  }
}

QStringList LoadGenerator::metricNames() {
  return {QStringLiteral("journeys"),       QStringLiteral("journeys_failed"), QStringLiteral("error_rate"),
          QStringLiteral("p50_start_ms"),   QStringLiteral("p90_start_ms"),    QStringLiteral("p95_start_ms"),
          QStringLiteral("p99_start_ms"),   QStringLiteral("max_start_ms"),    QStringLiteral("rebuffer_ratio"),
          QStringLiteral("p95_rebuffer_ratio"), QStringLiteral("rebuffer_events"), QStringLiteral("mean_bitrate"),
          QStringLiteral("p95_api_ms"),     QStringLiteral("p99_api_ms"),      QStringLiteral("p95_segment_ms"),
          QStringLiteral("peak_watching"),  QStringLiteral("p95_login_ms"),    QStringLiteral("p99_login_ms")};
}

std::optional<double> LoadGenerator::metric(const QString &name) const {
  const bool anyStart = startMs_.count() > 0;
  if (name == u"journeys") return journeys_;
  if (name == u"journeys_failed") return failed_;
  if (name == u"error_rate") return journeys_ ? std::optional<double>(double(failed_) / journeys_) : std::nullopt;
  if (name == u"p50_start_ms") return anyStart ? std::optional<double>(startMs_.percentile(50)) : std::nullopt;
  if (name == u"p90_start_ms") return anyStart ? std::optional<double>(startMs_.percentile(90)) : std::nullopt;
  if (name == u"p95_start_ms") return anyStart ? std::optional<double>(startMs_.percentile(95)) : std::nullopt;
  if (name == u"p99_start_ms") return anyStart ? std::optional<double>(startMs_.percentile(99)) : std::nullopt;
  if (name == u"max_start_ms") return anyStart ? std::optional<double>(startMs_.max()) : std::nullopt;
  if (name == u"rebuffer_ratio")
    return watchedS_ + rebufferS_ > 0 ? std::optional<double>(rebufferS_ / (watchedS_ + rebufferS_)) : std::nullopt;
  if (name == u"p95_rebuffer_ratio") return rebufferRatio_.count() ? std::optional<double>(rebufferRatio_.percentile(95)) : std::nullopt;
  if (name == u"rebuffer_events") return rebufferEvents_;
  if (name == u"mean_bitrate") return bitrate_.count() ? std::optional<double>(bitrate_.mean()) : std::nullopt;
  if (name == u"p95_api_ms") return apiMs_.count() ? std::optional<double>(apiMs_.percentile(95)) : std::nullopt;
  if (name == u"p99_api_ms") return apiMs_.count() ? std::optional<double>(apiMs_.percentile(99)) : std::nullopt;
  if (name == u"p95_segment_ms") return segmentMs_.count() ? std::optional<double>(segmentMs_.percentile(95)) : std::nullopt;
  if (name == u"peak_watching") return peakWatching_;
  if (name == u"p95_login_ms") return loginMs_.count() ? std::optional<double>(loginMs_.percentile(95)) : std::nullopt;
  if (name == u"p99_login_ms") return loginMs_.count() ? std::optional<double>(loginMs_.percentile(99)) : std::nullopt;
  return std::nullopt;
}

QJsonObject LoadGenerator::snapshot() const {
  int watching = 0, playing = 0, connections = 0;
  for (const auto &u : users_) {
    watching += u->watching();
    playing += u->playing();
    connections += u->connections();
  }
  auto value = [this](const char *name) {
    const auto v = metric(QLatin1String(name));
    return v ? QJsonValue(std::round(*v * 1000) / 1000) : QJsonValue();
  };
  return {{QStringLiteral("implemented"), true},
          {QStringLiteral("load"), true},
          {QStringLiteral("elapsed_s"), std::round((clock_.now() - startedAt_) * 10) / 10},
          {QStringLiteral("viewers"), launched_},
          {QStringLiteral("watching"), watching},
          {QStringLiteral("playing"), playing},
          {QStringLiteral("connections"), connections},
          {QStringLiteral("journeys"), journeys_},
          {QStringLiteral("journeys_failed"), failed_},
          {QStringLiteral("p95_start_ms"), value("p95_start_ms")},
          {QStringLiteral("rebuffer_ratio"), value("rebuffer_ratio")},
          {QStringLiteral("mean_bitrate"), value("mean_bitrate")}};
}

void LoadGenerator::tick() {
  const QJsonObject s = snapshot();
  peakWatching_ = std::max(peakWatching_, s.value(QStringLiteral("watching")).toInt());
  const auto p95 = metric(QStringLiteral("p95_start_ms"));
  const auto rebuffer = metric(QStringLiteral("rebuffer_ratio"));
  const auto bitrate = metric(QStringLiteral("mean_bitrate"));
  qCInfo(lcPlayer).noquote() << QStringLiteral("load %1 s: %2 viewers, %3 watching (%4 playing), %5 connections; %6 journeys, %7 failed; "
                                               "start p95 %8 ms, rebuffer %9 %, bitrate %10 kbit/s")
                                    .arg(s.value(QStringLiteral("elapsed_s")).toDouble())
                                    .arg(launched_)
                                    .arg(s.value(QStringLiteral("watching")).toInt())
                                    .arg(s.value(QStringLiteral("playing")).toInt())
                                    .arg(s.value(QStringLiteral("connections")).toInt())
                                    .arg(journeys_)
                                    .arg(failed_)
                                    .arg(p95 ? QString::number(*p95, 'f', 0) : QStringLiteral("-"))
                                    .arg(rebuffer ? QString::number(*rebuffer * 100, 'f', 2) : QStringLiteral("-"))
                                    .arg(bitrate ? QString::number(*bitrate / 1000, 'f', 0) : QStringLiteral("-"));
  if (!ending_) ticker_.after(kTickS, [this] { tick(); });
}

void LoadGenerator::end() {
  if (ending_) return;
  ending_ = true;
  tick();
  ticker_.clear();
  ramp_.clear();
  for (auto &u : users_) u->stop();
  finishWhenQuiet();
}

void LoadGenerator::finishWhenQuiet() {
  // Stopped sessions report from the event loop, and viewers log out: wait for the last.
  for (const auto &u : users_) {
    if (u->busy()) {
      quiet_.after(0.01, [this] { finishWhenQuiet(); });
      return;
    }
  }
  if (done_) return;
  done_ = true;
  for (const auto &u : users_)
    for (double ms : u->loginMs()) loginMs_.add(ms);
  QJsonArray report;
  const bool passed = evaluateThresholds(thresholds_, [this](const QString &m) { return metric(m); }, &report);
  QJsonObject s = summary();
  s.insert(QStringLiteral("thresholds"), report);
  s.insert(QStringLiteral("passed"), passed);
  if (onFinished) onFinished(s, passed);
}

QJsonObject LoadGenerator::summary() const {
  QJsonObject errors;
  for (auto it = errors_.cbegin(); it != errors_.cend(); ++it) errors.insert(it.key(), it.value());
  auto value = [this](const char *name) {
    const auto v = metric(QLatin1String(name));
    return v ? QJsonValue(std::round(*v * 100000) / 100000) : QJsonValue();
  };
  const double elapsed = clock_.now() - startedAt_;
  int logins = 0, logouts = 0, logoutFailures = 0;
  for (const auto &u : users_) {
    logins += u->logins();
    logouts += u->logouts();
    logoutFailures += u->logoutFailures();
  }
  const QString login = !config_.credentials.user.isEmpty() ? (config_.loginPerJourney ? QStringLiteral("journey") : QStringLiteral("viewer"))
                        : config_.authorization.isEmpty() ? QStringLiteral("none")
                                                          : QStringLiteral("token");
  return {{QStringLiteral("target"), config_.target.toString()},
          {QStringLiteral("sessions"), config_.sessions},
          {QStringLiteral("duration_s"), config_.durationS},
          {QStringLiteral("ramp_s"), config_.rampS},
          {QStringLiteral("abr"), config_.abr},
          {QStringLiteral("elapsed_s"), std::round(elapsed * 10) / 10},
          {QStringLiteral("journeys"), journeys_},
          {QStringLiteral("journeys_started"), started_},
          {QStringLiteral("journeys_failed"), failed_},
          {QStringLiteral("journeys_cut_at_end"), stoppedAtEnd_},
          {QStringLiteral("error_rate"), value("error_rate")},
          {QStringLiteral("errors"), errors},
          {QStringLiteral("peak_watching"), peakWatching_},
          {QStringLiteral("start_ms"), startMs_.json()},
          {QStringLiteral("api_ms"), apiMs_.json()},
          {QStringLiteral("login"), login},
          {QStringLiteral("logins"), logins},
          {QStringLiteral("logouts"), logouts},
          {QStringLiteral("logout_failures"), logoutFailures},
          {QStringLiteral("login_ms"), loginMs_.json()},
          {QStringLiteral("token_renewals"), tokenRenewals_},
          {QStringLiteral("token_renewal_failures"), tokenRenewalFailures_},
          {QStringLiteral("segment_ms"), segmentMs_.json()},
          {QStringLiteral("rebuffer_ratio"), value("rebuffer_ratio")},
          {QStringLiteral("session_rebuffer_ratio"), rebufferRatio_.json(5)},
          {QStringLiteral("rebuffer_events"), rebufferEvents_},
          {QStringLiteral("watched_s"), std::round(watchedS_)},
          {QStringLiteral("bitrate"), bitrate_.json(0)},
          {QStringLiteral("bytes"), double(bytes_)},
          {QStringLiteral("mbit_per_s"), elapsed > 0 ? std::round(double(bytes_) * 8 / elapsed / 1e4) / 100 : 0.0}};
}

}  // namespace rs::player
