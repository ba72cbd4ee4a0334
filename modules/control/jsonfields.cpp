#include "control/jsonfields.h"

#include <QJsonDocument>
#include <cmath>

namespace rs::control {

Result<QJsonObject> parseJsonObject(const QByteArray &body) {
  QJsonParseError err;
  const QJsonDocument doc = QJsonDocument::fromJson(body, &err);
  if (err.error != QJsonParseError::NoError)
    return Status(ErrorCode::BadRequest,
                  QStringLiteral("body is not valid JSON: %1 at offset %2").arg(err.errorString()).arg(err.offset));
  if (!doc.isObject()) return Status(ErrorCode::BadRequest, QStringLiteral("body must be a JSON object"));
  return doc.object();
}

void FieldReader::fail(const QString &message) {
  if (status_.isOk()) status_ = Status(ErrorCode::BadRequest, message);
}

QJsonValue FieldReader::take(QStringView key, bool required, const char *type, bool (QJsonValue::*is)() const) {
  const QJsonValue v = o_.value(key);
  if (v.isUndefined()) {
    if (required) fail(QStringLiteral("field '%1' is required").arg(key));
    return {};
  }
  if (!(v.*is)()) {
    fail(QStringLiteral("field '%1' must be %2").arg(key, QLatin1String(type)));
    return {};
  }
  return v;
}

QString FieldReader::string(QStringView key, bool required, int maxLength) {
  const QString s = take(key, required, "a string", &QJsonValue::isString).toString();
  if (s.size() > maxLength) {
    fail(QStringLiteral("field '%1' is longer than %2 characters").arg(key).arg(maxLength));
    return {};
  }
  return s;
}

double FieldReader::number(QStringView key, bool required, double min, double max, double fallback) {
  const QJsonValue v = take(key, required, "a number", &QJsonValue::isDouble);
  if (!v.isDouble()) return fallback;
  const double d = v.toDouble();
  if (!std::isfinite(d) || d < min || d > max) {
    fail(QStringLiteral("field '%1' must be between %2 and %3").arg(key).arg(min).arg(max));
    return fallback;
  }
  return d;
}

bool FieldReader::boolean(QStringView key, bool fallback) {
  const QJsonValue v = take(key, false, "true or false", &QJsonValue::isBool);
  return v.isBool() ? v.toBool() : fallback;
}

QJsonObject FieldReader::object(QStringView key, bool required) {
  return take(key, required, "an object", &QJsonValue::isObject).toObject();
}

QJsonArray FieldReader::array(QStringView key, bool required) {
  return take(key, required, "an array", &QJsonValue::isArray).toArray();
}

void FieldReader::allowOnly(const QStringList &keys) {
  for (auto it = o_.constBegin(); it != o_.constEnd(); ++it) {
    if (!keys.contains(it.key())) {
      fail(QStringLiteral("unknown field '%1' (expected: %2)").arg(it.key(), keys.join(QStringLiteral(", "))));
      return;
    }
  }
}

}  // namespace rs::control
