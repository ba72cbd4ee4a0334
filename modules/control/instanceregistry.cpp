#include "control/instanceregistry.h"

#include "core/roles/roles.h"

#include <QJsonDocument>
#include <QUrl>

namespace rs::control {

Status InstanceRegistry::heartbeat(const QJsonObject &b, qint64 nowMs, const Admit &admit) {
  const QString id = b.value(QStringLiteral("instanceId")).toString();
  const QString role = b.value(QStringLiteral("role")).toString();
  const QString url = b.value(QStringLiteral("url")).toString();
  if (id.isEmpty() || id.size() > 200)
    return Status(ErrorCode::BadRequest, QStringLiteral("instanceId is required (at most 200 characters)"));
  if (!roles::findRole(role)) return Status(ErrorCode::BadRequest, QStringLiteral("unknown role '%1'").arg(role));
  if (!url.isEmpty()) {
    const QUrl u(url, QUrl::StrictMode);
    if (!u.isValid() || (u.scheme() != QLatin1String("http") && u.scheme() != QLatin1String("https")) || u.host().isEmpty())
      return Status(ErrorCode::BadRequest, QStringLiteral("url must be an http(s) URL"));
  }
  if (admit) RS_RETURN_IF_ERROR(admit(id, role));
  const QByteArray load = QJsonDocument(b.value(QStringLiteral("load")).toObject()).toJson(QJsonDocument::Compact);
  // Each instance says how often it beats and after how many misses it counts as
  // gone; control's own settings are the default for instances that don't.
  qint64 expiryMs = defaultExpiryMs_;
  qint64 intervalMs = 0;
  const double interval = b.value(QStringLiteral("heartbeatIntervalMs")).toDouble(0);
  const int missed = b.value(QStringLiteral("expiryHeartbeats")).toInt(0);
  if (interval > 0 || missed > 0) {
    if (interval < 50 || interval > 3'600'000 || missed < 1 || missed > 1000)
      return Status(ErrorCode::BadRequest,
                    QStringLiteral("heartbeatIntervalMs must be 50..3600000 and expiryHeartbeats 1..1000"));
    expiryMs = qint64(interval * missed);
    intervalMs = qint64(interval);
  }
  return db_.exec(
      "INSERT INTO instances(instance_id, role, url, version, host, load_json, first_seen_ms, last_seen_ms,"
      " expiry_ms, interval_ms, heartbeats) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)"
      " ON CONFLICT(instance_id) DO UPDATE SET role = excluded.role, url = excluded.url, version = excluded.version,"
      " host = excluded.host, load_json = excluded.load_json, last_seen_ms = excluded.last_seen_ms,"
      " expiry_ms = excluded.expiry_ms, interval_ms = excluded.interval_ms, heartbeats = heartbeats + 1",
      {id, role, url, b.value(QStringLiteral("version")).toString().left(64),
       b.value(QStringLiteral("host")).toString().left(255), QString::fromUtf8(load), nowMs, nowMs, expiryMs, intervalMs});
}

Result<QJsonArray> InstanceRegistry::list(qint64 nowMs, const QString &role, bool includeExpired) const {
  auto rows = db_.query(
      "SELECT instance_id, role, url, version, host, load_json, first_seen_ms, last_seen_ms, expiry_ms, interval_ms,"
      " heartbeats FROM instances WHERE (? OR last_seen_ms + expiry_ms >= ?) AND (? = '' OR role = ?) ORDER BY role, instance_id",
      {includeExpired, nowMs, role, role});
  RS_RETURN_IF_ERROR(rows.status());
  QJsonArray out;
  for (const QVariantMap &r : *rows) {
    const qint64 last = r.value(QStringLiteral("last_seen_ms")).toLongLong();
    const qint64 expiry = r.value(QStringLiteral("expiry_ms")).toLongLong();
    out.append(QJsonObject{
        {QStringLiteral("instanceId"), r.value(QStringLiteral("instance_id")).toString()},
        {QStringLiteral("role"), r.value(QStringLiteral("role")).toString()},
        {QStringLiteral("url"), r.value(QStringLiteral("url")).toString()},
        {QStringLiteral("version"), r.value(QStringLiteral("version")).toString()},
        {QStringLiteral("host"), r.value(QStringLiteral("host")).toString()},
        {QStringLiteral("load"), QJsonDocument::fromJson(r.value(QStringLiteral("load_json")).toString().toUtf8()).object()},
        {QStringLiteral("firstSeenMs"), r.value(QStringLiteral("first_seen_ms")).toLongLong()},
        {QStringLiteral("lastSeenMs"), last},
        {QStringLiteral("heartbeats"), r.value(QStringLiteral("heartbeats")).toLongLong()},
        {QStringLiteral("expiryMs"), expiry},
        // 0: the instance did not say how often it beats.
        {QStringLiteral("heartbeatIntervalMs"), r.value(QStringLiteral("interval_ms")).toLongLong()},
        {QStringLiteral("state"), last + expiry >= nowMs ? QStringLiteral("live") : QStringLiteral("expired")},
    });
  }
  return out;
}

Status InstanceRegistry::prune(qint64 nowMs) {
  return db_.exec("DELETE FROM instances WHERE last_seen_ms + 10 * expiry_ms < ?", {nowMs});
}

}  // namespace rs::control
