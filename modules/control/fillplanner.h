#pragma once
// The fill plan: for each region, the titles its edges should hold before viewers
// ask — the region's most-viewed ready titles, plus the ready titles pinned for it.

#include "control/pins.h"
#include "core/status.h"
#include "core/store/database.h"

#include <QJsonObject>
#include <QStringList>
#include <map>
#include <vector>

namespace rs::control {

struct PlanEntry {
  QString titleId;
  qint64 views = 0;  // in the entry's region
  bool pinned = false;
};

// Region → titles: the top ones by views first (most viewed, then most recently
// viewed), then pinned titles that are not among them (oldest pin first).
using FillPlan = std::map<QString, std::vector<PlanEntry>>;

class FillPlanner {
 public:
  FillPlanner(store::Database &db, Pins &pins) : db_(db), pins_(pins) {}

  // Only titles the catalogue has as ready are planned: anything else has nothing
  // (or not yet everything) to prefetch.
  Result<FillPlan> plan(const QStringList &regions, int topN);

 private:
  store::Database &db_;
  Pins &pins_;
};

QJsonObject planToJson(const FillPlan &plan);
// The titles of one region's plan, in plan order.
QStringList planTitles(const std::vector<PlanEntry> &entries);

}  // namespace rs::control
