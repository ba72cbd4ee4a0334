#pragma once
// What a handler returns: a status, headers and one of three bodies — bytes in memory,
// a region of an open file (sent with sendfile on plain TCP), or nothing.

#include "core/http/requesthead.h"
#include "core/status.h"

#include <QByteArray>
#include <QJsonDocument>
#include <memory>

namespace rs::http {

// An open file shared by the response and the connection; closed when both are done.
class FileHandle {
 public:
  explicit FileHandle(int fd) : fd_(fd) {}
  ~FileHandle();
  FileHandle(const FileHandle &) = delete;
  FileHandle &operator=(const FileHandle &) = delete;
  int fd() const { return fd_; }

 private:
  int fd_;
};

struct FileBody {
  std::shared_ptr<FileHandle> file;
  qint64 offset = 0;
  qint64 length = 0;
};

struct Response {
  int status = 200;
  Headers headers;
  QByteArray body;
  std::optional<FileBody> file;  // when set, body is ignored
  // For HEAD and 304: the Content-Length the full response would carry.
  bool closeConnection = false;

  static Response text(int status, QByteArray body, QByteArray contentType = "text/plain; charset=utf-8");
  static Response json(const QJsonDocument &doc, int status = 200);
  static Response json(const QJsonObject &obj, int status = 200);
  static Response json(const QJsonArray &arr, int status = 200);
  // The one place a typed error becomes the JSON error shape:
  // {"error": {"code": "not_found", "message": "..."}} with the matching status.
  static Response error(const Status &status);
  static Response error(ErrorCode code, const QString &message) { return error(Status(code, message)); }
  static Response noContent() { Response r; r.status = 204; return r; }

  qint64 contentLength() const { return file ? file->length : body.size(); }
};

QByteArray reasonPhrase(int status);

}  // namespace rs::http
