#pragma once
// The catalogue: every title control knows, its state, source, probe and — once
// encoded — its renditions and published assets. Kept in control's SQLite database.

#include "control/records.h"
#include "control/titlestate.h"
#include "core/status.h"
#include "core/store/database.h"

#include <QJsonArray>
#include <QJsonObject>

namespace rs::control {

class Catalogue {
 public:
  explicit Catalogue(store::Database &db, Clock clock = systemClock()) : db_(db), clock_(std::move(clock)) {}

  // Bodies are the control API's JSON; every method validates what it reads and
  // answers BadRequest (400), NotFound (404) or Conflict (409) as the API does.

  // {"name","fileName"} → a new title in state uploading.
  Result<QJsonObject> create(const QJsonObject &body);
  Result<QJsonObject> get(const QString &id);
  // Newest first; with sha256, only titles whose source has that hash.
  Result<QJsonArray> list(const QString &sha256 = {});
  // Ids of the titles that play without a playback token.
  Result<QStringList> publicTitles();
  // Any of state, reason, source (merged into the stored one), probe, name, duplicateOf.
  // A ready or failed title only accepts a new name.
  Result<QJsonObject> patch(const QString &id, const QJsonObject &body);
  // The title and its jobs.
  Status remove(const QString &id);

  // For the job queue, inside its transactions.
  Result<TitleState> state(const QString &id);
  // Failed needs a reason (and ends the title's active jobs); other states clear it.
  Status move(const QString &id, TitleState to, Mover who, const QString &reason = {});
  Status markReady(const QString &id, const QJsonArray &renditions, const QJsonObject &assets,
                   double durationSeconds, double segmentSeconds);

 private:
  store::Database &db_;
  Clock clock_;
};

}  // namespace rs::control
