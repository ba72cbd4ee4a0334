#pragma once
// Pinned titles: pre-positioned by every fill on top of the popular ones, in the
// regions the pin names (or in every region). Kept in control's database; a pin
// goes when its title is deleted.

#include "control/records.h"
#include "core/status.h"
#include "core/store/database.h"

#include <QJsonObject>
#include <QStringList>
#include <vector>

namespace rs::control {

struct Pin {
  QString titleId;
  QStringList regions;  // empty: every region
  qint64 createdMs = 0;

  bool covers(const QString &region) const { return regions.isEmpty() || regions.contains(region); }
  QJsonObject toJson() const;
};

class Pins {
 public:
  explicit Pins(store::Database &db, Clock clock = systemClock()) : db_(db), clock_(std::move(clock)) {}

  // Creates or replaces the pin (keeping when it was first made). NotFound when the
  // catalogue has no such title; BadRequest for a region that is not a region name.
  Result<Pin> put(const QString &titleId, QStringList regions);
  // NotFound when the title is not pinned.
  Status remove(const QString &titleId);
  // Oldest first.
  Result<std::vector<Pin>> list();

 private:
  store::Database &db_;
  Clock clock_;
};

}  // namespace rs::control
