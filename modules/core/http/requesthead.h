#pragma once
// The parsed start line and header fields of one HTTP/1.x request, before routing.

#include <QByteArray>
#include <QByteArrayView>
#include <utility>
#include <vector>

namespace rs::http {

// Header fields in arrival order; names compared case-insensitively.
class Headers {
 public:
  void add(QByteArray name, QByteArray value) { fields_.emplace_back(std::move(name), std::move(value)); }
  void set(const QByteArray &name, QByteArray value);
  void remove(QByteArrayView name);
  // The first value of the field, or an empty QByteArray (isNull()) if absent.
  QByteArray value(QByteArrayView name) const;
  bool contains(QByteArrayView name) const;
  int count(QByteArrayView name) const;
  const std::vector<std::pair<QByteArray, QByteArray>> &fields() const { return fields_; }
  qsizetype size() const { return qsizetype(fields_.size()); }
  void clear() { fields_.clear(); }

 private:
  std::vector<std::pair<QByteArray, QByteArray>> fields_;
};

struct RequestHead {
  QByteArray method;   // as sent, case-sensitive ("GET")
  QByteArray target;   // raw request-target ("/media/a%20b?x=1")
  int versionMajor = 1;
  int versionMinor = 1;
  Headers headers;

  // Framing decided by the parser (RFC 9112 §6).
  bool chunked = false;
  qint64 contentLength = 0;  // 0 when absent; meaningless when chunked
  bool keepAlive = true;      // from version + Connection header
  bool expectContinue = false;
};

}  // namespace rs::http
