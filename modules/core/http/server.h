#pragma once
// The HTTP/1.1 server every role shares: one acceptor, N worker threads each with its
// own event loop, connections on raw sockets (sendfile for files), plain or TLS
// through OpenSSL on the same descriptor (modules/core/tls).

#include "core/http/access.h"
#include "core/http/requestparser.h"
#include "core/http/router.h"
#include "core/status.h"

#include <QHostAddress>
#include <QObject>
#include <QTcpServer>
#include <atomic>
#include <memory>
#include <vector>

class QThread;
class QTimer;

namespace rs::log { class AccessLog; }
namespace rs::metrics { class Registry; class Counter; class Histogram; class Gauge; }
namespace rs::tls { class ServerContext; }

namespace rs::http {

class Worker;

// Defaults follow nginx where nginx has one (client_header_timeout 60 s,
// keepalive_timeout 75 s, large_client_header_buffers 8k, client_max_body_size 1m),
// so the server behaves the way operators already expect. All are configurable.
struct ServerOptions {
  QString name = QStringLiteral("http");  // the role; labels metrics and access log lines
  QHostAddress address = QHostAddress::LocalHost;
  quint16 port = 0;
  int workers = 0;  // 0 → one per core
  ParserLimits parser;
  int headerTimeoutMs = 60'000;  // whole request head must arrive within this
  int bodyTimeoutMs = 60'000;    // between two reads of a body
  int idleTimeoutMs = 75'000;    // keep-alive connection with no request
  int sendTimeoutMs = 60'000;    // between two successful writes
  int maxConnections = 4096;     // beyond: 503 and close
  qint64 maxBodyBytes = 1024 * 1024;  // for routes that set no limit; nginx's client_max_body_size
  QString tlsCertificate;        // PEM paths; both set → TLS
  QString tlsPrivateKey;
  // With TLS: reload the pair when either file changes (checked this often; 0 = only
  // on reloadTls(), e.g. from SIGHUP).
  int tlsWatchMs = 2000;
  // Decides every route that is not Access::Public; without one such routes answer 401.
  std::shared_ptr<const Authenticator> authenticator;
  log::AccessLog *accessLog = nullptr;    // optional
  metrics::Registry *metrics = nullptr;   // optional
};

// Lets an async handler answer later, from any thread. Copyable; the first send()
// (or begin()…end()) wins. If the client went away, calls are dropped silently.
class Responder {
 public:
  struct Exchange;  // shared between the connection and the responder
  Responder() = default;
  explicit Responder(std::shared_ptr<Exchange> ex) : ex_(std::move(ex)) {}

  void send(Response response) const;
  // Streaming: contentLength < 0 → chunked transfer coding (close-delimited on HTTP/1.0).
  void begin(int status, Headers headers, qint64 contentLength = -1) const;
  void write(QByteArray chunk) const;
  void end() const;
  // Aborts a streaming response mid-body: the connection is closed so the client sees
  // a truncated body, never a short body presented as complete.
  void abort() const;
  bool clientConnected() const;

 private:
  std::shared_ptr<Exchange> ex_;
};

class HttpServer : public QTcpServer {
  Q_OBJECT
 public:
  HttpServer(ServerOptions options, std::shared_ptr<const Router> router, QObject *parent = nullptr);
  ~HttpServer() override;

  // bind() then startWorkers(). Split so the port is known (for port 0) before routes
  // are declared; no connection is accepted until the event loop runs. startWorkers()
  // refuses a router with a route that does not declare its Access.
  Status start();
  Status bind();
  Status startWorkers();
  quint16 boundPort() const { return serverPort(); }
  const ServerOptions &options() const { return options_; }
  int activeConnections() const { return active_->load(); }

  // Stops accepting, lets in-flight requests finish (idle keep-alive connections are
  // closed at once), and force-closes whatever is left at the deadline.
  void shutdown(int deadlineMs);

  bool isTls() const { return tls_; }
  // Reads the certificate and key again; connections already open keep the old pair,
  // new ones get the new one. On error the old pair stays in service.
  Status reloadTls();
  // Successful TLS loads so far (1 after start); for tests and the log.
  int tlsGeneration() const;

 protected:
  void incomingConnection(qintptr fd) override;

 private:
  friend class Worker;
  ServerOptions options_;
  std::shared_ptr<const Router> router_;
  std::vector<QThread *> threads_;
  std::vector<Worker *> workers_;
  std::shared_ptr<std::atomic<int>> active_ = std::make_shared<std::atomic<int>>(0);
  size_t nextWorker_ = 0;
  bool tls_ = false;
  std::unique_ptr<tls::ServerContext> tlsContext_;
  QTimer *tlsWatch_ = nullptr;
  struct Metrics;
  std::unique_ptr<Metrics> m_;
};

}  // namespace rs::http
