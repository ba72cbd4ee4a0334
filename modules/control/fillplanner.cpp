#include "control/fillplanner.h"

#include <QJsonArray>
#include <QSet>
#include <algorithm>

namespace rs::control {

Result<FillPlan> FillPlanner::plan(const QStringList &regions, int topN) {
  auto pins = pins_.list();
  RS_RETURN_IF_ERROR(pins.status());
  auto ready = db_.query("SELECT p.title_id FROM pins p JOIN titles t ON t.id = p.title_id WHERE t.state = 'ready'");
  RS_RETURN_IF_ERROR(ready.status());
  QSet<QString> readyPins;
  for (const QVariantMap &r : *ready) readyPins.insert(r.value(QStringLiteral("title_id")).toString());

  FillPlan plan;
  for (const QString &region : regions) {
    std::vector<PlanEntry> &entries = plan[region];
    QSet<QString> seen;
    // Views and titles share control's database, so readiness is one join away.
    auto top = db_.query("SELECT v.title_id, v.count FROM views v JOIN titles t ON t.id = v.title_id"
                         " WHERE v.region = ? AND t.state = 'ready'"
                         " ORDER BY v.count DESC, v.last_ms DESC, v.title_id LIMIT ?",
                         {region, qMax(0, topN)});
    RS_RETURN_IF_ERROR(top.status());
    for (const QVariantMap &r : *top) {
      const QString id = r.value(QStringLiteral("title_id")).toString();
      const bool pinned =
          std::any_of(pins->begin(), pins->end(), [&](const Pin &p) { return p.titleId == id && p.covers(region); });
      entries.push_back(PlanEntry{id, r.value(QStringLiteral("count")).toLongLong(), pinned});
      seen.insert(id);
    }
    for (const Pin &p : *pins) {
      if (!p.covers(region) || !readyPins.contains(p.titleId) || seen.contains(p.titleId)) continue;
      auto views = db_.queryValue("SELECT count FROM views WHERE title_id = ? AND region = ?", {p.titleId, region});
      RS_RETURN_IF_ERROR(views.status());
      entries.push_back(PlanEntry{p.titleId, views->isNull() ? 0 : views->toLongLong(), true});
      seen.insert(p.titleId);
    }
  }
  return plan;
}

QJsonObject planToJson(const FillPlan &plan) {
  QJsonObject out;
  for (const auto &[region, entries] : plan) {
    QJsonArray list;
    for (const PlanEntry &e : entries)
      list.append(QJsonObject{{QStringLiteral("title"), e.titleId},
                              {QStringLiteral("views"), e.views},
                              {QStringLiteral("pinned"), e.pinned}});
    out.insert(region, list);
  }
  return out;
}

QStringList planTitles(const std::vector<PlanEntry> &entries) {
  QStringList out;
  for (const PlanEntry &e : entries) out << e.titleId;
  return out;
}

}  // namespace rs::control
