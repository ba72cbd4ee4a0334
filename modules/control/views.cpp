#include "control/views.h"

namespace rs::control {

Status Views::count(const QString &titleId, const QString &region) {
  return db_.exec("INSERT INTO views(title_id, region, count, last_ms) VALUES (?, ?, 1, ?)"
                  " ON CONFLICT(title_id, region) DO UPDATE SET count = count + 1, last_ms = excluded.last_ms",
                  {titleId, region, clock_()});
}

Result<qint64> Views::views(const QString &titleId, const QString &region) {
  auto v = db_.queryValue("SELECT count FROM views WHERE title_id = ? AND region = ?", {titleId, region});
  RS_RETURN_IF_ERROR(v.status());
  return v->isNull() ? qint64(0) : v->toLongLong();
}

}  // namespace rs::control
