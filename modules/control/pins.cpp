#include "control/pins.h"

#include "control/regionmap.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace rs::control {

namespace {

Pin pinFromRow(const QVariantMap &r) {
  Pin p;
  p.titleId = r.value(QStringLiteral("title_id")).toString();
  for (const QJsonValue &v : QJsonDocument::fromJson(r.value(QStringLiteral("regions_json")).toString().toUtf8()).array())
    p.regions << v.toString();
  p.createdMs = r.value(QStringLiteral("created_ms")).toLongLong();
  return p;
}

}  // namespace

QJsonObject Pin::toJson() const {
  return QJsonObject{{QStringLiteral("title"), titleId},
                     {QStringLiteral("regions"), QJsonArray::fromStringList(regions)},
                     {QStringLiteral("createdMs"), createdMs}};
}

Result<Pin> Pins::put(const QString &titleId, QStringList regions) {
  for (const QString &r : regions) {
    if (!isRegionName(r)) return Status(ErrorCode::BadRequest, QStringLiteral("'%1' is not a region name").arg(r));
  }
  regions.removeDuplicates();
  regions.sort();
  const QString json = QString::fromUtf8(QJsonDocument(QJsonArray::fromStringList(regions)).toJson(QJsonDocument::Compact));
  Status s = db_.transaction([&]() -> Status {
    auto exists = db_.queryValue("SELECT 1 FROM titles WHERE id = ?", {titleId});
    RS_RETURN_IF_ERROR(exists.status());
    if (exists->isNull()) return Status(ErrorCode::NotFound, QStringLiteral("no title '%1'").arg(titleId));
    return db_.exec("INSERT INTO pins(title_id, regions_json, created_ms) VALUES (?, ?, ?)"
                    " ON CONFLICT(title_id) DO UPDATE SET regions_json = excluded.regions_json",
                    {titleId, json, clock_()});
  });
  RS_RETURN_IF_ERROR(s);
  auto rows = db_.query("SELECT title_id, regions_json, created_ms FROM pins WHERE title_id = ?", {titleId});
  RS_RETURN_IF_ERROR(rows.status());
  if (rows->empty()) return Status(ErrorCode::NotFound, QStringLiteral("title '%1' was deleted meanwhile").arg(titleId));
  return pinFromRow(rows->front());
}

Status Pins::remove(const QString &titleId) {
  return db_.transaction([&]() -> Status {
    RS_RETURN_IF_ERROR(db_.exec("DELETE FROM pins WHERE title_id = ?", {titleId}));
    return db_.changes() == 0 ? Status(ErrorCode::NotFound, QStringLiteral("title '%1' is not pinned").arg(titleId))
                              : Status::ok();
  });
}

Result<std::vector<Pin>> Pins::list() {
  auto rows = db_.query("SELECT title_id, regions_json, created_ms FROM pins ORDER BY created_ms, title_id");
  RS_RETURN_IF_ERROR(rows.status());
  std::vector<Pin> out;
  for (const QVariantMap &r : *rows) out.push_back(pinFromRow(r));
  return out;
}

}  // namespace rs::control
