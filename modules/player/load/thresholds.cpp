#include "player/load/thresholds.h"

#include <QJsonObject>
#include <QRegularExpression>

namespace rs::player {

Result<std::vector<Threshold>> parseThresholds(const QString &text, const QStringList &knownMetrics) {
  std::vector<Threshold> out;
  static const QRegularExpression form(QStringLiteral(R"(^\s*([a-z0-9_]+)\s*(>=|<=|>|<)\s*(-?[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?)\s*$)"));
  for (const QString &part : text.split(u',', Qt::SkipEmptyParts)) {
    const auto m = form.match(part);
    if (!m.hasMatch())
      return Status(ErrorCode::BadRequest, QStringLiteral("--player-fail-if: '%1' is not METRIC>VALUE (or >=, <, <=)").arg(part.trimmed()));
    if (!knownMetrics.contains(m.captured(1)))
      return Status(ErrorCode::BadRequest, QStringLiteral("--player-fail-if: unknown metric '%1'; known: %2")
                                               .arg(m.captured(1), knownMetrics.join(QStringLiteral(", "))));
    out.push_back({part.trimmed(), m.captured(1), m.captured(2), m.captured(3).toDouble()});
  }
  return out;
}

bool evaluateThresholds(const std::vector<Threshold> &thresholds, const std::function<std::optional<double>(const QString &)> &metric,
                        QJsonArray *report) {
  bool passed = true;
  for (const Threshold &t : thresholds) {
    const std::optional<double> v = metric(t.metric);
    bool fired = !v.has_value();
    if (v) {
      if (t.op == u">") fired = *v > t.value;
      else if (t.op == u">=") fired = *v >= t.value;
      else if (t.op == u"<") fired = *v < t.value;
      else fired = *v <= t.value;
    }
    passed = passed && !fired;
    QJsonObject o{{QStringLiteral("condition"), t.text}, {QStringLiteral("failed"), fired}};
    o.insert(QStringLiteral("value"), v ? QJsonValue(*v) : QJsonValue());
    report->append(o);
  }
  return passed;
}

}  // namespace rs::player
