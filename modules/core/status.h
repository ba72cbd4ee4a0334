#pragma once
// One error model for the whole code base: functions that can fail return a Status
// (or a Result<T>), and the HTTP layer turns it into a status line and JSON body in
// one place (http/jsonerror.h).

#include <QByteArray>
#include <QString>
#include <optional>
#include <utility>
#include <variant>

namespace rs {

enum class ErrorCode {
  Ok,
  BadRequest,        // 400
  Unauthorized,      // 401
  Forbidden,         // 403
  NotFound,          // 404
  MethodNotAllowed,  // 405
  RequestTimeout,    // 408
  Conflict,          // 409
  PayloadTooLarge,   // 413
  UriTooLong,        // 414
  RangeNotSatisfiable,  // 416
  HeadersTooLarge,   // 431
  TooManyRequests,   // 429
  Internal,          // 500
  NotImplemented,    // 501
  BadGateway,        // 502
  Unavailable,       // 503
  GatewayTimeout,    // 504
  VersionNotSupported,  // 505
  IoError,           // 500, storage
};

int httpStatusFor(ErrorCode code);
QByteArray codeName(ErrorCode code);  // "bad_request", "not_found", ...
// For protocol errors that arrive as a status (from the parser): 431 → HeadersTooLarge.
ErrorCode errorCodeForHttpStatus(int status);

class Status {
 public:
  Status() = default;
  Status(ErrorCode code, QString message) : code_(code), message_(std::move(message)) {}
  static Status ok() { return {}; }

  bool isOk() const { return code_ == ErrorCode::Ok; }
  explicit operator bool() const { return isOk(); }
  ErrorCode code() const { return code_; }
  const QString &message() const { return message_; }
  int httpStatus() const { return httpStatusFor(code_); }

 private:
  ErrorCode code_ = ErrorCode::Ok;
  QString message_;
};

template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}
  Result(Status status) : v_(std::move(status)) {}
  bool isOk() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return isOk(); }
  T &value() { return std::get<T>(v_); }
  const T &value() const { return std::get<T>(v_); }
  T &operator*() { return value(); }
  T *operator->() { return &value(); }
  Status status() const { return isOk() ? Status::ok() : std::get<Status>(v_); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace rs

#define RS_RETURN_IF_ERROR(expr)          \
  do {                                    \
    ::rs::Status rs_status_ = (expr);     \
    if (!rs_status_.isOk()) return rs_status_; \
  } while (0)
