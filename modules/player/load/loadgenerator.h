#pragma once
// A load run: N simulated viewers (VirtualUser) on this thread's event loop, started
// evenly over the ramp, walking the journey until the duration ends; a live line every
// five seconds, a snapshot for the role's heartbeat, and at the end a JSON summary with
// percentiles and the pass/fail of the thresholds.

#include "player/engine/realclock.h"
#include "player/load/distribution.h"
#include "player/load/journey.h"
#include "player/load/thresholds.h"

#include <QJsonObject>
#include <QMap>
#include <QObject>
#include <memory>
#include <optional>
#include <vector>

namespace rs::player {

class LoadGenerator : public QObject {
  Q_OBJECT
 public:
  LoadGenerator(LoadConfig config, std::vector<Threshold> thresholds, QObject *parent = nullptr);
  ~LoadGenerator() override;

  void start();
  // Once, when the run is over: the summary, and whether every threshold held.
  std::function<void(const QJsonObject &summary, bool passed)> onFinished;

  QJsonObject snapshot() const;  // live: viewers, playing, journeys, errors, start p95…
  // Metric names thresholds may use, and their values now.
  static QStringList metricNames();
  std::optional<double> metric(const QString &name) const;

 private:
  void onJourney(const JourneyResult &j);
  void tick();
  void end();
  void finishWhenQuiet();
  QJsonObject summary() const;

  LoadConfig config_;
  std::vector<Threshold> thresholds_;
  RealClock clock_;
  std::vector<std::unique_ptr<VirtualUser>> users_;
  TimerSlot ramp_, ticker_, deadline_, quiet_;
  double startedAt_ = 0;
  int launched_ = 0;
  bool ending_ = false, done_ = false;
  // Aggregates over finished journeys.
  int journeys_ = 0, failed_ = 0, started_ = 0, stoppedAtEnd_ = 0, rebufferEvents_ = 0, peakWatching_ = 0;
  double watchedS_ = 0, rebufferS_ = 0;
  std::int64_t bytes_ = 0;
  int tokenRenewals_ = 0, tokenRenewalFailures_ = 0;
  Distribution startMs_, apiMs_, segmentMs_, rebufferRatio_, bitrate_, loginMs_;
  QMap<QString, int> errors_;
};

}  // namespace rs::player
