#pragma once
// Raw-socket HTTP test tools: an HttpServer hosted on its own thread, and a blocking
// POSIX client that sends exact bytes and parses responses (Content-Length, chunked,
// close-delimited), so tests control framing down to the byte; and request(), one
// request on a fresh connection for tests that just want the answer.

#include "core/http/server.h"

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QString>
#include <QDeadlineTimer>
#include <QHash>
#include <QMutex>
#include <QElapsedTimer>
#include <QThread>

#include <arpa/inet.h>
#include <atomic>
#include <functional>
#include <cerrno>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <optional>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>

namespace rs::test {

using namespace rs::http;


// ---- The server, hosted in its own thread -------------------------------------------

class ServerHost {
 public:
  ServerHost(ServerOptions options, std::shared_ptr<const Router> router) {
    thread_.setObjectName(QStringLiteral("test-server"));
    thread_.start();
    ctx_ = new QObject;
    ctx_->moveToThread(&thread_);
    QMetaObject::invokeMethod(
        ctx_,
        [&] {
          server_ = new HttpServer(std::move(options), std::move(router));
          status_ = server_->start();
          port_ = server_->boundPort();
        },
        Qt::BlockingQueuedConnection);
  }
  ~ServerHost() { stop(); }
  ServerHost(const ServerHost &) = delete;
  ServerHost &operator=(const ServerHost &) = delete;

  bool ok() const { return status_.isOk(); }
  QString error() const { return status_.message(); }
  quint16 port() const { return port_; }
  int activeConnections() const { return server_ ? server_->activeConnections() : 0; }

  // Runs server->shutdown(ms) on the server's thread without waiting for it.
  void shutdownAsync(int ms) {
    shutdownDone_ = false;
    QMetaObject::invokeMethod(ctx_, [this, ms] {
      server_->shutdown(ms);
      shutdownDone_ = true;
    }, Qt::QueuedConnection);
  }
  bool shutdownDone() const { return shutdownDone_; }
  // Runs fn with the server on the server's thread and waits for it.
  rs::Status onServer(const std::function<rs::Status(HttpServer &)> &fn) {
    rs::Status s;
    QMetaObject::invokeMethod(ctx_, [&] { s = fn(*server_); }, Qt::BlockingQueuedConnection);
    return s;
  }

  void stop() {
    if (!ctx_) return;
    QMetaObject::invokeMethod(ctx_, [this] {
      delete server_;
      server_ = nullptr;
    }, Qt::BlockingQueuedConnection);
    thread_.quit();
    thread_.wait();
    delete ctx_;
    ctx_ = nullptr;
  }

 private:
  QThread thread_;
  QObject *ctx_ = nullptr;
  HttpServer *server_ = nullptr;
  rs::Status status_;
  quint16 port_ = 0;
  std::atomic<bool> shutdownDone_{false};
};

// ---- A raw HTTP/1.1 client --------------------------------------------------------------

struct HttpResponse {
  int status = 0;
  QByteArray reason;
  std::vector<std::pair<QByteArray, QByteArray>> headers;
  QByteArray body;
  bool chunked = false;
  int chunks = 0;
  bool complete = false;  // the body was framed completely

  QByteArray header(QByteArrayView name) const {
    for (const auto &[n, v] : headers)
      if (QByteArrayView(n).compare(name, Qt::CaseInsensitive) == 0) return v;
    return {};
  }
  int headerCount(QByteArrayView name) const {
    int c = 0;
    for (const auto &[n, v] : headers)
      if (QByteArrayView(n).compare(name, Qt::CaseInsensitive) == 0) ++c;
    return c;
  }
  bool has(QByteArrayView name) const { return headerCount(name) > 0; }
};

enum class Parse { Incomplete, Done, Truncated, Malformed };

// Parses one response from the front of buf; on Done the response is removed from buf.
// With eof, an incomplete body is reported as Truncated (out holds what arrived).
Parse parseResponse(QByteArray &buf, bool headRequest, bool eof, HttpResponse *out) {
  const qsizetype headEnd = buf.indexOf("\r\n\r\n");
  if (headEnd < 0) return eof ? (buf.isEmpty() ? Parse::Truncated : Parse::Malformed) : Parse::Incomplete;
  HttpResponse r;
  // Up to and including the last field line's CRLF; split leaves an empty last item.
  QList<QByteArray> lines = buf.left(headEnd + 2).split('\n');
  lines.removeLast();
  QByteArray statusLine = lines.value(0);
  if (statusLine.endsWith('\r')) statusLine.chop(1);
  if (!statusLine.startsWith("HTTP/1.1 ") || statusLine.size() < 12) return Parse::Malformed;
  bool ok = false;
  r.status = statusLine.mid(9, 3).toInt(&ok);
  if (!ok) return Parse::Malformed;
  r.reason = statusLine.mid(13);
  for (qsizetype i = 1; i < lines.size(); ++i) {
    QByteArray line = lines[i];
    if (!line.endsWith('\r')) return Parse::Malformed;  // every line must end in CRLF
    line.chop(1);
    const qsizetype colon = line.indexOf(':');
    if (colon <= 0) return Parse::Malformed;
    r.headers.emplace_back(line.left(colon), line.mid(colon + 1).trimmed());
  }
  qsizetype pos = headEnd + 4;
  auto truncated = [&](QByteArray partial) {
    r.body = std::move(partial);
    r.complete = false;
    *out = r;
    return Parse::Truncated;
  };
  if (headRequest || r.status < 200 || r.status == 204 || r.status == 304) {
    // (no body by definition)
  } else if (r.header("transfer-encoding").toLower().contains("chunked")) {
    r.chunked = true;
    QByteArray body;
    for (;;) {
      const qsizetype le = buf.indexOf("\r\n", pos);
      if (le < 0) return eof ? truncated(body) : Parse::Incomplete;
      QByteArray sizeText = buf.mid(pos, le - pos);
      if (const qsizetype semi = sizeText.indexOf(';'); semi >= 0) sizeText.truncate(semi);
      const qint64 size = sizeText.toLongLong(&ok, 16);
      if (!ok || size < 0) return Parse::Malformed;
      pos = le + 2;
      if (size == 0) {
        for (;;) {  // trailer section up to the empty line
          const qsizetype te = buf.indexOf("\r\n", pos);
          if (te < 0) return eof ? truncated(body) : Parse::Incomplete;
          const bool last = te == pos;
          pos = te + 2;
          if (last) break;
        }
        break;
      }
      if (buf.size() < pos + size + 2) return eof ? truncated(body + buf.mid(pos, size)) : Parse::Incomplete;
      body.append(buf.mid(pos, size));
      if (buf.mid(pos + size, 2) != "\r\n") return Parse::Malformed;
      pos += size + 2;
      ++r.chunks;
    }
    r.body = body;
  } else if (r.has("content-length")) {
    const qint64 n = r.header("content-length").toLongLong(&ok);
    if (!ok || n < 0) return Parse::Malformed;
    if (buf.size() - pos < n) return eof ? truncated(buf.mid(pos)) : Parse::Incomplete;
    r.body = buf.mid(pos, n);
    pos += n;
  } else {
    if (!eof) return Parse::Incomplete;  // close-delimited
    r.body = buf.mid(pos);
    pos = buf.size();
  }
  r.complete = true;
  buf.remove(0, pos);
  *out = std::move(r);
  return Parse::Done;
}

class Client {
 public:
  // `source`: the loopback address to connect from (127.0.0.2 is another client to the
  // server); empty for the default.
  explicit Client(quint16 port, int rcvBuf = 0, const char *source = nullptr) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (rcvBuf > 0) ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &rcvBuf, sizeof rcvBuf);
    if (source) {
      sockaddr_in local{};
      local.sin_family = AF_INET;
      ::inet_pton(AF_INET, source, &local.sin_addr);
      ::bind(fd_, reinterpret_cast<sockaddr *>(&local), sizeof local);
    }
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr *>(&a), sizeof a) != 0) {
      connectErrno_ = errno;
      ::close(fd_);
      fd_ = -1;
    }
  }
  ~Client() { close(); }
  Client(const Client &) = delete;
  Client &operator=(const Client &) = delete;

  bool connected() const { return fd_ >= 0; }
  int connectErrno() const { return connectErrno_; }
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  bool send(const QByteArray &bytes) {
    qsizetype done = 0;
    while (done < bytes.size()) {
      const ssize_t n = ::send(fd_, bytes.data() + done, size_t(bytes.size() - done), MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      done += n;
    }
    return true;
  }

  // One response; nullopt on timeout, malformed framing, or a connection closed before
  // the response was complete (what did arrive is in lastPartial()).
  std::optional<HttpResponse> readResponse(bool headRequest = false, int timeoutMs = 5000) {
    QDeadlineTimer dl(timeoutMs);
    error_.clear();
    for (;;) {
      HttpResponse r;
      switch (parseResponse(buf_, headRequest, eof_, &r)) {
        case Parse::Done: return r;
        case Parse::Malformed:
          error_ = "malformed response: " + buf_.left(200);
          return std::nullopt;
        case Parse::Truncated:
          partial_ = r;
          error_ = "connection closed before the response was complete; got: " + buf_.left(200);
          return std::nullopt;
        case Parse::Incomplete: break;
      }
      if (!fill(dl)) {
        if (eof_) continue;  // parse once more with eof
        error_ = "timeout waiting for a response; got: " + buf_.left(200);
        return std::nullopt;
      }
    }
  }

  // True when the peer closes (FIN or RST) within the timeout. Bytes that arrive
  // meanwhile are kept in pending().
  bool closedByPeer(int timeoutMs = 2000) {
    QDeadlineTimer dl(timeoutMs);
    while (!eof_) {
      if (!fill(dl) && !eof_) return false;
    }
    return true;
  }

  const QByteArray &pending() const { return buf_; }
  const char *error() const { return error_.constData(); }
  const HttpResponse &lastPartial() const { return partial_; }
  int fd() const { return fd_; }

  // Receives what is available within the deadline; false on timeout or EOF.
  bool fill(const QDeadlineTimer &dl, qsizetype max = 256 * 1024) {
    if (fd_ < 0 || eof_) {
      eof_ = true;
      return false;
    }
    for (;;) {
      pollfd p{fd_, POLLIN, 0};
      const int pr = ::poll(&p, 1, int(qMax<qint64>(0, dl.remainingTime())));
      if (pr < 0 && errno == EINTR) continue;
      if (pr <= 0) return false;
      char tmp[256 * 1024];
      const ssize_t n = ::recv(fd_, tmp, size_t(qMin<qsizetype>(max, sizeof tmp)), 0);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) continue;
      if (n <= 0) {
        eof_ = true;  // FIN or RST
        return false;
      }
      buf_.append(tmp, n);
      return true;
    }
  }

 private:
  int fd_ = -1;
  int connectErrno_ = 0;
  QByteArray buf_;
  bool eof_ = false;
  QByteArray error_;
  HttpResponse partial_;
};

// ---- One request on a fresh connection ------------------------------------------------

using HeaderList = QList<QPair<QByteArray, QByteArray>>;

struct RequestOptions {
  QByteArray host = "127.0.0.1";
  bool close = true;          // send "Connection: close"
  int timeoutMs = 15000;
  bool keepPartial = false;   // on failure, return what arrived (complete == false), not an empty response
  QString *error = nullptr;   // why no whole response arrived (connect, timeout, framing)
  const char *source = nullptr;  // connect from this loopback address (Client)
};

// Who a test speaks as, per port: set once (authorize(), credentials.h) and every
// request() to that port carries it unless its headers name an Authorization, where an
// empty value means "send none" (an anonymous request).
namespace detail {
struct DefaultCredentials {
  QMutex mutex;
  QHash<int, QByteArray> byPort;
};
inline DefaultCredentials &defaultCredentials() {
  static DefaultCredentials d;
  return d;
}
}  // namespace detail

inline void setDefaultAuthorization(int port, const QByteArray &authorization) {
  QMutexLocker l(&detail::defaultCredentials().mutex);
  detail::defaultCredentials().byPort.insert(port, authorization);
}
inline QByteArray defaultAuthorization(int port) {
  QMutexLocker l(&detail::defaultCredentials().mutex);
  return detail::defaultCredentials().byPort.value(port);
}
inline const QPair<QByteArray, QByteArray> kAnonymous{"Authorization", QByteArray()};

// Sends the request line, Host, Connection: close (unless told not to), `headers` (and
// the port's default Authorization, see above), a Content-Length when there is a body
// or the method is POST, PUT or PATCH, then the body; reads one response. status 0
// when no whole response arrived.
inline HttpResponse request(quint16 port, const QByteArray &method, const QByteArray &target, const HeaderList &headers = {},
                            const QByteArray &body = {}, const RequestOptions &options = {}) {
  Client c(port, 0, options.source);
  if (!c.connected()) {
    if (options.error) *options.error = QStringLiteral("cannot connect to 127.0.0.1:%1").arg(port);
    return {};
  }
  QByteArray req = method + ' ' + target + " HTTP/1.1\r\nHost: " + options.host + "\r\n";
  if (options.close) req += "Connection: close\r\n";
  bool named = false;
  for (const auto &[n, v] : headers) {
    if (n.compare("Authorization", Qt::CaseInsensitive) == 0) {
      named = true;
      if (v.isEmpty()) continue;
    }
    req += n + ": " + v + "\r\n";
  }
  if (const QByteArray a = named ? QByteArray() : defaultAuthorization(port); !a.isEmpty()) req += "Authorization: " + a + "\r\n";
  if (!body.isEmpty() || method == "POST" || method == "PUT" || method == "PATCH")
    req += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
  c.send(req + "\r\n" + body);
  auto r = c.readResponse(method == "HEAD", options.timeoutMs);
  if (r) return *r;
  if (options.error) *options.error = QString::fromUtf8(c.error());
  return options.keepPartial ? c.lastPartial() : HttpResponse{};
}

}  // namespace rs::test
