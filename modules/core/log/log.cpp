#include "core/log/log.h"

#include <QDir>
#include <QFileInfo>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <unistd.h>

namespace rs {
Q_LOGGING_CATEGORY(lcCore, "rs.core")
Q_LOGGING_CATEGORY(lcHttp, "rs.core.http")
Q_LOGGING_CATEGORY(lcStore, "rs.core.store")
}  // namespace rs

namespace rs::log {

namespace {

// Hand-formatted rather than through QDateTime: this runs once per request.
void appendIsoUtc(QByteArray &out, qint64 epochMs) {
  qint64 secs = epochMs / 1000;
  int ms = int(epochMs % 1000);
  if (ms < 0) {
    ms += 1000;
    --secs;
  }
  const time_t t = time_t(secs);
  tm parts{};
  gmtime_r(&t, &parts);
  char buf[40];
  const int n = std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", parts.tm_year + 1900,
                              parts.tm_mon + 1, parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec, ms);
  out.append(buf, n);
}

void appendJsonString(QByteArray &out, QStringView s) {
  out += '"';
  QString escaped;
  escaped.reserve(s.size() + 8);
  for (QChar c : s) {
    const char16_t u = c.unicode();
    switch (u) {
      case u'"': escaped += u"\\\""; break;
      case u'\\': escaped += u"\\\\"; break;
      case u'\n': escaped += u"\\n"; break;
      case u'\r': escaped += u"\\r"; break;
      case u'\t': escaped += u"\\t"; break;
      default:
        if (u < 0x20 || u == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", unsigned(u));
          escaped += QLatin1StringView(buf);
        } else {
          escaped += c;
        }
    }
  }
  out += escaped.toUtf8();
  out += '"';
}

// Request fields are bytes off the wire: plain ASCII is copied as is, anything else
// goes through QString so invalid UTF-8 becomes U+FFFD and the line stays valid JSON.
void appendJsonString(QByteArray &out, QByteArrayView utf8) {
  for (char ch : utf8) {
    const auto b = static_cast<unsigned char>(ch);
    if (b < 0x20 || b >= 0x7f || b == '"' || b == '\\') {
      appendJsonString(out, QStringView(QString::fromUtf8(utf8)));
      return;
    }
  }
  out += '"';
  out += utf8;
  out += '"';
}

const char *levelName(QtMsgType type, bool upper) {
  switch (type) {
    case QtDebugMsg: return upper ? "DEBUG" : "debug";
    case QtInfoMsg: return upper ? "INFO" : "info";
    case QtWarningMsg: return upper ? "WARNING" : "warning";
    case QtCriticalMsg: return upper ? "ERROR" : "error";
    case QtFatalMsg: return upper ? "FATAL" : "fatal";
  }
  return upper ? "INFO" : "info";
}

std::atomic<int> gFormat{int(Format::Human)};
std::mutex gStderrMutex;

void writeAll(int fd, const char *data, qsizetype size) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size_t(size));
    if (n < 0) {
      if (errno == EINTR) continue;
      return;  // nowhere left to report it
    }
    data += n;
    size -= n;
  }
}

void messageHandler(QtMsgType type, const QMessageLogContext &context, const QString &message) {
  QByteArray line = formatMessage(Format(gFormat.load(std::memory_order_relaxed)), type, context.category,
                                  message, QDateTime::currentDateTimeUtc());
  line += '\n';
  std::lock_guard lock(gStderrMutex);
  writeAll(STDERR_FILENO, line.constData(), line.size());
}

}  // namespace

Result<Format> parseFormat(QStringView text) {
  const QString t = text.trimmed().toString().toLower();
  if (t == u"human" || t == u"text") return Format::Human;
  if (t == u"json") return Format::Json;
  return Status(ErrorCode::BadRequest, u"unknown log format \"" + text.toString() + u"\" (human|json)");
}

Result<Level> parseLevel(QStringView text) {
  const QString t = text.trimmed().toString().toLower();
  if (t == u"debug") return Level::Debug;
  if (t == u"info") return Level::Info;
  if (t == u"warning" || t == u"warn") return Level::Warning;
  if (t == u"error") return Level::Error;
  return Status(ErrorCode::BadRequest,
                u"unknown log level \"" + text.toString() + u"\" (debug|info|warning|error)");
}

QByteArray formatMessage(Format format, QtMsgType type, const char *category, const QString &message,
                         const QDateTime &time) {
  const char *cat = (category && *category) ? category : "default";
  QByteArray line;
  line.reserve(64 + message.size());
  if (format == Format::Json) {
    line += "{\"time\":\"";
    appendIsoUtc(line, time.toMSecsSinceEpoch());
    line += "\",\"level\":\"";
    line += levelName(type, false);
    line += "\",\"category\":";
    appendJsonString(line, QByteArrayView(cat));
    line += ",\"msg\":";
    appendJsonString(line, QStringView(message));
    line += '}';
    return line;
  }
  appendIsoUtc(line, time.toMSecsSinceEpoch());
  line += ' ';
  line += levelName(type, true);
  line += ' ';
  line += cat;
  line += ' ';
  QByteArray text = message.toUtf8();
  text.replace('\n', "\\n");
  line += text;
  return line;
}

void install(const Options &options) {
  gFormat.store(int(options.format), std::memory_order_relaxed);
  QString rules;
  switch (options.minLevel) {
    case Level::Debug: rules = QStringLiteral("*.debug=true\nqt.*.debug=false"); break;
    case Level::Info: rules = QStringLiteral("*.debug=false"); break;
    case Level::Warning: rules = QStringLiteral("*.debug=false\n*.info=false"); break;
    case Level::Error: rules = QStringLiteral("*.debug=false\n*.info=false\n*.warning=false"); break;
  }
  QLoggingCategory::setFilterRules(rules);
  qInstallMessageHandler(messageHandler);
}

// ---------------------------------------------------------------- AccessLog

AccessLog::~AccessLog() = default;

Status AccessLog::open(const QString &path) {
  std::lock_guard lock(mutex_);
  file_.reset();
  path_ = path;
  if (path.isEmpty()) return Status::ok();
  auto file = std::make_unique<QFile>();
  if (path == u"-") {
    if (!file->open(STDERR_FILENO, QIODevice::WriteOnly | QIODevice::Unbuffered, QFileDevice::DontCloseHandle))
      return Status(ErrorCode::IoError, u"access log: cannot write to stderr: " + file->errorString());
  } else {
    const QString dir = QFileInfo(path).absolutePath();
    if (!QDir().mkpath(dir)) return Status(ErrorCode::IoError, u"access log: cannot create directory " + dir);
    file->setFileName(path);
    if (!file->open(QIODevice::WriteOnly | QIODevice::Append | QIODevice::Unbuffered))
      return Status(ErrorCode::IoError, u"access log: cannot open " + path + u": " + file->errorString());
  }
  file_ = std::move(file);
  return Status::ok();
}

Status AccessLog::reopen() {
  QString path;
  {
    std::lock_guard lock(mutex_);
    path = path_;
  }
  return open(path);
}

bool AccessLog::isEnabled() const {
  std::lock_guard lock(mutex_);
  return file_ != nullptr;
}

QByteArray AccessLog::formatRecord(const AccessRecord &r) {
  QByteArray line;
  line.reserve(192 + r.path.size());
  line += "{\"time\":\"";
  appendIsoUtc(line, r.time ? r.time : QDateTime::currentMSecsSinceEpoch());
  line += "\",\"role\":";
  appendJsonString(line, QByteArrayView(r.role));
  line += ",\"method\":";
  appendJsonString(line, QByteArrayView(r.method));
  line += ",\"path\":";
  appendJsonString(line, QByteArrayView(r.path));
  line += ",\"status\":";
  line += QByteArray::number(r.status);
  line += ",\"bytes\":";
  line += QByteArray::number(r.bytes);
  line += ",\"duration_ms\":";
  line += QByteArray::number(std::isfinite(r.durationMs) ? r.durationMs : 0.0, 'f', 3);
  line += ",\"request_id\":";
  appendJsonString(line, QByteArrayView(r.requestId));
  line += ",\"peer\":";
  appendJsonString(line, QByteArrayView(r.peer));
  line += '}';
  return line;
}

void AccessLog::write(const AccessRecord &record) {
  {
    std::lock_guard lock(mutex_);
    if (!file_) return;
  }
  // Formatting happens outside the lock; only the write is serialized.
  QByteArray line = formatRecord(record);
  line += '\n';
  std::lock_guard lock(mutex_);
  if (file_) file_->write(line);
}

}  // namespace rs::log
