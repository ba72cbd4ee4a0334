#pragma once
// How catalogue and queue rows become the JSON of the control API (title and job
// objects), and the ids and timestamps they carry.

#include <QJsonObject>
#include <QString>
#include <QVariantMap>
#include <functional>

namespace rs::control {

// Milliseconds since the epoch; injectable so tests can move time.
using Clock = std::function<qint64()>;
Clock systemClock();

// ISO-8601 UTC with milliseconds: "2024-05-01T12:00:00.250Z".
QString isoTime(qint64 ms);
// prefix + 12 characters of lowercase RFC 4648 base32: 60 random bits.
QString newId(QStringView prefix);

// Selects every title column plus the title's latest job as j_* columns; append a
// WHERE clause (on t.) and an ORDER BY.
extern const char kTitleSelect[];
extern const char kJobColumns[];

QJsonObject titleFromRow(const QVariantMap &row);
// A job row; `prefix` is "j_" for the job columns of kTitleSelect. The spec is left
// out (the claim answer adds it).
QJsonObject jobFromRow(const QVariantMap &row, const QString &prefix = {});

}  // namespace rs::control
