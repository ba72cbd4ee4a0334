#pragma once
// Pass/fail conditions for a load run, like k6's thresholds but said the way the flag
// reads: --player-fail-if='p95_start_ms>2000,error_rate>0.01' fails the run (exit
// status 99, as k6) when any condition holds. Metrics are the summary's flat names
// (LoadSummary::metric()).

#include "core/status.h"

#include <QJsonArray>
#include <QString>
#include <functional>
#include <optional>
#include <vector>

namespace rs::player {

struct Threshold {
  QString text;    // as given: "p95_start_ms>2000"
  QString metric;
  QString op;      // ">", ">=", "<", "<="
  double value = 0;
};

Result<std::vector<Threshold>> parseThresholds(const QString &text, const QStringList &knownMetrics);

// Evaluates each threshold against `metric` (nullopt: not measured, which fails it).
// Returns true when none fired; `report` gets one entry per threshold.
bool evaluateThresholds(const std::vector<Threshold> &thresholds, const std::function<std::optional<double>(const QString &)> &metric,
                        QJsonArray *report);

}  // namespace rs::player
