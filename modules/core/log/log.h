#pragma once
// Structured logging: per-module Qt logging categories, one stderr line per message
// (human or JSON lines), and the per-request access log the HTTP server writes.

#include "core/status.h"

#include <QByteArray>
#include <QDateTime>
#include <QFile>
#include <QLoggingCategory>
#include <QString>
#include <memory>
#include <mutex>

// Categories: each module declares its own in its namespace, so code inside
// rs::<anything> can say qCInfo(lcControl) unqualified:
//   header:  namespace rs { Q_DECLARE_LOGGING_CATEGORY(lcControl) }
//   source:  namespace rs { Q_LOGGING_CATEGORY(lcControl, "rs.control") }
// Names are "rs.<module>" (or "rs.core.<area>" inside core); the minimum level is set
// for all of them at once by rs::log::install(), and QT_LOGGING_RULES still overrides
// it for one-off debugging, e.g. QT_LOGGING_RULES="rs.core.http.debug=true".
namespace rs {
Q_DECLARE_LOGGING_CATEGORY(lcCore)   // "rs.core"
Q_DECLARE_LOGGING_CATEGORY(lcHttp)   // "rs.core.http"
Q_DECLARE_LOGGING_CATEGORY(lcStore)  // "rs.core.store"
}  // namespace rs

namespace rs::log {

enum class Format { Human, Json };
enum class Level { Debug, Info, Warning, Error };

struct Options {
  Format format = Format::Human;
  Level minLevel = Level::Info;
};

Result<Format> parseFormat(QStringView text);  // "human" | "json"
Result<Level> parseLevel(QStringView text);    // "debug" | "info" | "warning" ("warn") | "error"

// Installs the process-wide Qt message handler (writing to stderr, one write per
// line, so lines from different threads never interleave) and the category filter
// rules for the minimum level. Call it early in main(); calling it again replaces
// the options. Qt's own "qt.*" debug output stays off even at Level::Debug.
void install(const Options &options);

// The line install()'s handler writes, without the trailing '\n'. Human:
//   2026-11-26T04:30:00.123Z INFO rs.control message
// JSON: {"time":"2026-11-26T04:30:00.123Z","level":"info","category":"rs.control","msg":"message"}
// Newlines inside a human-format message are written as "\n" to keep one line each.
QByteArray formatMessage(Format format, QtMsgType type, const char *category, const QString &message,
                         const QDateTime &time);

// One answered request. `time` is epoch milliseconds; 0 means "now".
struct AccessRecord {
  QByteArray role, method, path;
  int status = 0;
  qint64 bytes = 0;
  double durationMs = 0;
  QByteArray requestId;
  QByteArray peer;
  qint64 time = 0;
};

// Access log as JSON lines:
//   {"time":"…Z","role":"origin","method":"GET","path":"/a","status":200,"bytes":5,
//    "duration_ms":1.234,"request_id":"…","peer":"127.0.0.1"}
// write() is thread-safe: each record becomes one line written by one unbuffered
// write(2) under a mutex (O_APPEND), so nothing sits in a buffer when the process dies
// and concurrent lines never interleave.
class AccessLog {
 public:
  AccessLog() = default;  // disabled until open()
  ~AccessLog();
  AccessLog(const AccessLog &) = delete;
  AccessLog &operator=(const AccessLog &) = delete;

  // "" disables, "-" writes to stderr, anything else is a file opened for append
  // (its directory is created).
  Status open(const QString &path);
  // Closes and opens the same path again, for log rotation (e.g. on SIGHUP).
  Status reopen();
  bool isEnabled() const;
  const QString &path() const { return path_; }

  void write(const AccessRecord &record);
  static QByteArray formatRecord(const AccessRecord &record);  // one line without '\n'

 private:
  mutable std::mutex mutex_;
  QString path_;
  std::unique_ptr<QFile> file_;
};

}  // namespace rs::log
