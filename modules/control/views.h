#pragma once
// View counts per (title, region) in control's database: every steered playback
// counts one, and the fill planner reads them to pick each region's popular titles.

#include "control/records.h"
#include "core/status.h"
#include "core/store/database.h"

namespace rs::control {

class Views {
 public:
  explicit Views(store::Database &db, Clock clock = systemClock()) : db_(db), clock_(std::move(clock)) {}

  Status count(const QString &titleId, const QString &region);
  // 0 when the title was never played in the region.
  Result<qint64> views(const QString &titleId, const QString &region);

 private:
  store::Database &db_;
  Clock clock_;
};

}  // namespace rs::control
