#pragma once
// What a handler returns: a status, headers and one of four bodies — bytes in memory,
// a region of an open file (sent with sendfile on plain TCP), a region of a buffer
// another thread may still be filling, or nothing.

#include "core/http/requesthead.h"
#include "core/status.h"

#include <QByteArray>
#include <QJsonDocument>
#include <functional>
#include <memory>
#include <optional>

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

// Bytes that may still be arriving (the edge's read-while-writer: many responses read
// one upstream download while it is written). Implementations are thread-safe: the
// writer appends on its thread, connections read on theirs.
class BodySource {
 public:
  virtual ~BodySource() = default;
  struct View {
    const char *data = nullptr;  // valid as long as the source lives
    qint64 size = 0;             // 0: nothing at offset yet (or failed)
    bool failed = false;         // the source will never reach offset
  };
  // Contiguous bytes at `offset`, at most `max` of them.
  virtual View view(qint64 offset, qint64 max) const = 0;
  // Runs `wake` once, on any thread, as soon as bytes at `offset` exist or the source
  // failed — at once if that is already so.
  virtual void notify(qint64 offset, std::function<void()> wake) = 0;
};

struct SourceBody {
  std::shared_ptr<BodySource> source;
  qint64 offset = 0;
  qint64 length = 0;  // the Content-Length; the source must eventually hold offset+length
};

struct Response {
  int status = 200;
  Headers headers;
  QByteArray body;
  std::optional<FileBody> file;  // when set, body is ignored
  std::optional<SourceBody> source;  // when set (and file is not), body is ignored
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

  qint64 contentLength() const { return file ? file->length : source ? source->length : body.size(); }
};

QByteArray reasonPhrase(int status);

}  // namespace rs::http
