#include "control/records.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>

namespace rs::control {

Clock systemClock() {
  return [] { return QDateTime::currentMSecsSinceEpoch(); };
}

QString isoTime(qint64 ms) { return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs); }

QString newId(QStringView prefix) {
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
  quint64 bits = QRandomGenerator::system()->generate64();
  QString id = prefix.toString();
  for (int i = 0; i < 12; ++i, bits >>= 5) id += QLatin1Char(kAlphabet[bits & 31]);
  return id;
}

const char kJobColumns[] =
    "id, title_id, state, attempts, worker, lease_expires_ms, stage, percent, fps, eta_seconds, last_error,"
    " created_ms, updated_ms";

const char kTitleSelect[] =
    "SELECT t.id, t.name, t.state, t.reason, t.source_json, t.probe_json, t.duplicate_of, t.renditions_json,"
    " t.assets_json, t.duration_seconds, t.segment_seconds, t.created_ms, t.updated_ms, t.public,"
    " j.id AS j_id, j.title_id AS j_title_id, j.state AS j_state, j.attempts AS j_attempts, j.worker AS j_worker,"
    " j.lease_expires_ms AS j_lease_expires_ms, j.stage AS j_stage, j.percent AS j_percent, j.fps AS j_fps,"
    " j.eta_seconds AS j_eta_seconds, j.last_error AS j_last_error, j.created_ms AS j_created_ms,"
    " j.updated_ms AS j_updated_ms"
    " FROM titles t LEFT JOIN jobs j ON j.rowid = (SELECT MAX(rowid) FROM jobs WHERE title_id = t.id)";

namespace {
QJsonValue parsed(const QVariant &text) { return QJsonDocument::fromJson(text.toString().toUtf8()).object(); }
QJsonValue parsedArray(const QVariant &text) { return QJsonDocument::fromJson(text.toString().toUtf8()).array(); }
}  // namespace

QJsonObject jobFromRow(const QVariantMap &row, const QString &prefix) {
  auto v = [&](const char *column) { return row.value(prefix + QLatin1String(column)); };
  const bool running = v("state").toString() == QLatin1String("running");
  return QJsonObject{
      {QStringLiteral("id"), v("id").toString()},
      {QStringLiteral("titleId"), v("title_id").toString()},
      {QStringLiteral("state"), v("state").toString()},
      {QStringLiteral("attempts"), v("attempts").toLongLong()},
      {QStringLiteral("stage"), v("stage").toString()},
      {QStringLiteral("percent"), v("percent").toDouble()},
      {QStringLiteral("fps"), v("fps").toDouble()},
      {QStringLiteral("etaSeconds"), v("eta_seconds").toDouble() < 0 ? QJsonValue() : QJsonValue(v("eta_seconds").toDouble())},
      {QStringLiteral("worker"), v("worker").toString()},
      {QStringLiteral("leaseExpiresAt"), running ? isoTime(v("lease_expires_ms").toLongLong()) : QString()},
      {QStringLiteral("reason"), v("last_error").toString()},
      {QStringLiteral("createdAt"), isoTime(v("created_ms").toLongLong())},
      {QStringLiteral("updatedAt"), isoTime(v("updated_ms").toLongLong())},
  };
}

QJsonObject titleFromRow(const QVariantMap &r) {
  auto v = [&](const char *column) { return r.value(QLatin1String(column)); };
  const bool hasJob = !v("j_id").isNull();
  return QJsonObject{
      {QStringLiteral("id"), v("id").toString()},
      {QStringLiteral("name"), v("name").toString()},
      {QStringLiteral("state"), v("state").toString()},
      {QStringLiteral("reason"), v("reason").toString()},
      {QStringLiteral("public"), v("public").toLongLong() != 0},
      {QStringLiteral("createdAt"), isoTime(v("created_ms").toLongLong())},
      {QStringLiteral("updatedAt"), isoTime(v("updated_ms").toLongLong())},
      {QStringLiteral("source"), parsed(v("source_json"))},
      {QStringLiteral("probe"), parsed(v("probe_json"))},
      {QStringLiteral("duplicateOf"), v("duplicate_of").toString()},
      {QStringLiteral("job"), hasJob ? QJsonValue(jobFromRow(r, QStringLiteral("j_"))) : QJsonValue()},
      {QStringLiteral("renditions"), parsedArray(v("renditions_json"))},
      {QStringLiteral("durationSeconds"), v("duration_seconds").toDouble()},
      {QStringLiteral("segmentSeconds"), v("segment_seconds").toDouble()},
      {QStringLiteral("assets"), parsed(v("assets_json"))},
  };
}

}  // namespace rs::control
