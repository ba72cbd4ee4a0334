#pragma once
// Strict reading of JSON request bodies: a malformed document, a field of the wrong
// type or an unknown field is a 400 that names the field, never a silent default.

#include "core/status.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QStringList>

namespace rs::control {

// The body as a JSON object; BadRequest naming the parse error otherwise.
Result<QJsonObject> parseJsonObject(const QByteArray &body);

// Reads typed fields; the first problem is kept in status() and later reads return
// their defaults, so a handler reads everything and checks once.
class FieldReader {
 public:
  explicit FieldReader(const QJsonObject &object) : o_(object) {}

  bool has(QStringView key) const { return o_.contains(key); }
  QString string(QStringView key, bool required = false, int maxLength = 4096);
  double number(QStringView key, bool required, double min, double max, double fallback = 0);
  bool boolean(QStringView key, bool fallback = false);
  QJsonObject object(QStringView key, bool required = false);
  QJsonArray array(QStringView key, bool required = false);
  // Any key not listed is an error: a typo must not be silently ignored.
  void allowOnly(const QStringList &keys);
  void fail(const QString &message);

  const Status &status() const { return status_; }

 private:
  QJsonValue take(QStringView key, bool required, const char *type, bool (QJsonValue::*is)() const);

  QJsonObject o_;
  Status status_;
};

}  // namespace rs::control
