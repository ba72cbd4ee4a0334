#include "core/http/server.h"

#include "core/http/connection.h"
#include "core/http/fileserver.h"
#include "core/http/worker.h"
#include "core/log/log.h"
#include "core/metrics/metrics.h"
#include "core/tls/servercontext.h"
#include "core/tls/stream.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QFile>
#include <QThread>
#include <QTimer>

#include <ctime>
#include <netinet/in.h>
#include <fcntl.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

namespace rs::http {

qint64 monotonicNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return qint64(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

const QByteArray &httpDateNow() {
  thread_local time_t cachedSecond = 0;
  thread_local QByteArray cached;
  const time_t now = time(nullptr);
  if (now != cachedSecond) {
    cachedSecond = now;
    cached = formatHttpDate(now);
  }
  return cached;
}

struct HttpServer::Metrics {
  metrics::Counter *requests[6] = {};  // by status class 1xx..5xx, index 0 unused
  metrics::Histogram *duration = nullptr;
  metrics::Counter *bytesSent = nullptr;
  metrics::Counter *connectionsAccepted = nullptr;
  metrics::Counter *connectionsRejected = nullptr;
};

// ---- Responder ------------------------------------------------------------------

void Responder::send(Response response) const {
  if (!ex_ || ex_->answered.exchange(true)) return;
  auto ex = ex_;
  ex->worker->post(ex->connectionId, [ex, r = std::move(response)](Connection *c) mutable { c->respond(ex, std::move(r)); });
}

void Responder::begin(int status, Headers headers, qint64 contentLength) const {
  if (!ex_ || ex_->answered.exchange(true)) return;
  auto ex = ex_;
  ex->worker->post(ex->connectionId, [ex, status, h = std::move(headers), contentLength](Connection *c) mutable {
    c->streamBegin(ex, status, std::move(h), contentLength);
  });
}

void Responder::write(QByteArray chunk) const {
  if (!ex_ || ex_->clientGone) return;
  auto ex = ex_;
  ex->worker->post(ex->connectionId, [ex, d = std::move(chunk)](Connection *c) mutable { c->streamWrite(ex, std::move(d)); });
}

void Responder::end() const {
  if (!ex_ || ex_->clientGone) return;
  auto ex = ex_;
  ex->worker->post(ex->connectionId, [ex](Connection *c) { c->streamEnd(ex); });
}

void Responder::abort() const {
  if (!ex_ || ex_->clientGone) return;
  auto ex = ex_;
  ex->worker->post(ex->connectionId, [ex](Connection *c) { c->streamAbort(ex); });
}

bool Responder::clientConnected() const { return ex_ && !ex_->clientGone; }

// ---- Worker ---------------------------------------------------------------------

Worker::Worker(HttpServer *server, int index) : server_(server), index_(index) {}

void Worker::adopt(int fd) {
  if (!timer_) {
    timer_ = new QTimer(this);
    connect(timer_, &QTimer::timeout, this, &Worker::tick);
    timer_->start(1000);
  }
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  QHostAddress peer;
  if (::getpeername(fd, reinterpret_cast<sockaddr *>(&addr), &len) == 0) peer.setAddress(reinterpret_cast<sockaddr *>(&addr));
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  // accept() in QTcpServer hands over a blocking socket; a worker must never wait in
  // recv() or send() on one client while its others starve.
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);

  const quint64 id = (quint64(index_) << 48) | nextId_++;
  std::unique_ptr<tls::ServerStream> stream;
  if (server_->tlsContext_) stream = std::make_unique<tls::ServerStream>(server_->tlsContext_->current(), fd);
  auto *c = new Connection(this, id, fd, peer, std::move(stream));
  connections_.insert(id, c);
  if (draining_) c->drain();
}

void Worker::post(quint64 connectionId, std::function<void(Connection *)> fn) {
  QMetaObject::invokeMethod(this, [this, connectionId, fn = std::move(fn)] {
    if (Connection *c = connections_.value(connectionId)) fn(c);
  });
}

void Worker::postQueued(quint64 connectionId, std::function<void(Connection *)> fn) {
  QMetaObject::invokeMethod(
      this,
      [this, connectionId, fn = std::move(fn)] {
        if (Connection *c = connections_.value(connectionId)) fn(c);
      },
      Qt::QueuedConnection);
}

void Worker::connectionClosed(Connection *c) {
  if (connections_.remove(c->id())) server_->active_->fetch_sub(1);
  c->deleteLater();
}

void Worker::drain() {
  draining_ = true;
  const auto all = connections_.values();
  for (Connection *c : all) c->drain();
}

void Worker::forceCloseAll() {
  const auto all = connections_.values();
  for (Connection *c : all) c->forceClose();
  delete timer_;
  timer_ = nullptr;
}

void Worker::tick() {
  const qint64 now = monotonicNs() / 1'000'000;
  const auto all = connections_.values();
  for (Connection *c : all) c->checkTimeout(now);
}

void Worker::recordRequest(const Request &req, int status, qint64 bytes, qint64 nowNs) {
  const double seconds = req.receivedAtNs ? double(nowNs - req.receivedAtNs) / 1e9 : 0.0;
  if (auto *m = server_->m_.get()) {
    const int cls = qBound(1, status / 100, 5);
    m->requests[cls]->inc();
    m->duration->observe(seconds);
    m->bytesSent->inc(double(bytes));
  }
  if (auto *accessLog = options().accessLog; accessLog && accessLog->isEnabled()) {
    log::AccessRecord r;
    r.role = options().name.toLatin1();
    r.method = req.head.method;
    r.path = req.path.isEmpty() ? QByteArray("-") : req.path.toUtf8();
    // A route's {token} is a credential (playback tokens in /m/<token>/…): the log
    // keeps where the request went, not the key that opened it.
    if (const auto t = req.params.constFind(QStringLiteral("token")); t != req.params.cend() && !t->isEmpty())
      r.path.replace(QByteArray('/' + t->toUtf8() + '/'), QByteArray("/-/"));
    r.status = status;
    r.bytes = bytes;
    r.durationMs = seconds * 1000.0;
    r.requestId = req.requestId;
    r.peer = req.peer.toString().toLatin1();
    accessLog->write(r);
  }
}

// ---- HttpServer -----------------------------------------------------------------

HttpServer::HttpServer(ServerOptions options, std::shared_ptr<const Router> router, QObject *parent)
    : QTcpServer(parent), options_(std::move(options)), router_(std::move(router)) {
  if (options_.workers <= 0) options_.workers = qMax(1, QThread::idealThreadCount());
  tls_ = !options_.tlsCertificate.isEmpty() && !options_.tlsPrivateKey.isEmpty();
  if (auto *reg = options_.metrics) {
    m_ = std::make_unique<Metrics>();
    static const char *classes[] = {"", "1xx", "2xx", "3xx", "4xx", "5xx"};
    for (int i = 1; i <= 5; ++i) {
      m_->requests[i] = &reg->counter("http_requests_total", "HTTP requests answered, by status class.",
                                      {{"code", QByteArray(classes[i])}});
    }
    m_->duration = &reg->histogram("http_request_duration_seconds",
                                   "Time from a request's head arriving to its response being written.",
                                   {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10});
    m_->bytesSent = &reg->counter("http_response_body_bytes_total", "Response body bytes sent.");
    m_->connectionsAccepted = &reg->counter("http_connections_accepted_total", "TCP connections accepted.");
    m_->connectionsRejected =
        &reg->counter("http_connections_rejected_total", "Connections refused with 503 because max connections was reached.");
    // The registry may outlive this server: the callback holds the counter, not us.
    reg->gaugeCallback("http_connections_active", "Open client connections.",
                       [active = active_] { return double(active->load()); });
  }
}

HttpServer::~HttpServer() {
  if (!threads_.empty()) shutdown(0);
}

Status HttpServer::start() {
  RS_RETURN_IF_ERROR(bind());
  return startWorkers();
}

Status HttpServer::bind() {
  if (tls_) {
    // Read and checked once here, so a bad file is a start-up error, not a failure
    // on every connection.
    tls::ServerContextOptions to;
    to.certificateFile = options_.tlsCertificate;
    to.privateKeyFile = options_.tlsPrivateKey;
    auto ctx = tls::ServerContext::create(to);
    if (!ctx) return Status(ctx.status().code(), QStringLiteral("%1 listener: %2").arg(options_.name, ctx.status().message()));
    tlsContext_ = std::move(*ctx);
    if (options_.tlsWatchMs > 0) {
      // certbot and friends replace the files in place; a cheap stat() poll on the
      // acceptor's thread picks that up without a signal.
      tlsWatch_ = new QTimer(this);
      connect(tlsWatch_, &QTimer::timeout, this, [this] {
        Status err;
        if (tlsContext_->reloadIfChanged(&err))
          qCInfo(lcHttp).noquote() << options_.name << "TLS certificate changed on disk, reloaded:" << tlsContext_->subject()
                                   << "valid until" << tlsContext_->notAfter().toString(Qt::ISODate);
        else if (!err.isOk())
          qCWarning(lcHttp).noquote() << options_.name << "TLS certificate changed on disk but did not load (the old one stays):"
                                      << err.message();
      });
      tlsWatch_->start(options_.tlsWatchMs);
    }
  }
  setMaxPendingConnections(1024);
  // Qt's default listen backlog is 50: a flash crowd of a thousand connects would
  // see its SYNs dropped and retried for seconds. nginx asks for 511; the kernel caps
  // it at net.core.somaxconn.
  setListenBacklogSize(qBound(511, options_.maxConnections, 4096));
  if (!listen(options_.address, options_.port)) {
    return Status(ErrorCode::Unavailable, QStringLiteral("%1: cannot listen on %2:%3: %4")
                                              .arg(options_.name, options_.address.toString())
                                              .arg(options_.port)
                                              .arg(errorString()));
  }
  return Status::ok();
}

Status HttpServer::startWorkers() {
  // A route nobody said who may call would be open by accident: refuse to serve.
  if (const QStringList open = router_->undeclared(); !open.isEmpty())
    return Status(ErrorCode::Internal, QStringLiteral("%1 listener: route(s) without an access rule: %2")
                                           .arg(options_.name, open.join(QStringLiteral(", "))));
  for (int i = 0; i < options_.workers; ++i) {
    auto *thread = new QThread;
    thread->setObjectName(QStringLiteral("%1-worker-%2").arg(options_.name).arg(i));
    auto *worker = new Worker(this, i);
    worker->moveToThread(thread);
    QObject::connect(thread, &QThread::finished, worker, &QObject::deleteLater);
    thread->start();
    threads_.push_back(thread);
    workers_.push_back(worker);
  }
  qCInfo(lcHttp).noquote() << options_.name << "listening on" << (tls_ ? "https" : "http")
                           << QStringLiteral("%1:%2").arg(serverAddress().toString()).arg(serverPort())
                           << "with" << options_.workers << "workers";
  if (tlsContext_) {
    const QDateTime notAfter = tlsContext_->notAfter();
    qCInfo(lcHttp).noquote() << options_.name << "TLS certificate" << tlsContext_->subject() << "valid until"
                             << notAfter.toString(Qt::ISODate);
    if (notAfter.isValid() && notAfter < QDateTime::currentDateTimeUtc())
      qCWarning(lcHttp).noquote() << options_.name << "TLS certificate has EXPIRED: clients will refuse it";
    // Said once per process: the same for every listener.
    static const bool logged = [] {
      qCInfo(lcHttp).noquote() << tls::detectKernelTls().describe();
      return true;
    }();
    Q_UNUSED(logged);
  }
  return Status::ok();
}

Status HttpServer::reloadTls() {
  if (!tlsContext_) return Status::ok();
  RS_RETURN_IF_ERROR(tlsContext_->reload());
  qCInfo(lcHttp).noquote() << options_.name << "TLS certificate reloaded:" << tlsContext_->subject() << "valid until"
                           << tlsContext_->notAfter().toString(Qt::ISODate);
  return Status::ok();
}

int HttpServer::tlsGeneration() const { return tlsContext_ ? tlsContext_->generation() : 0; }

void HttpServer::incomingConnection(qintptr fd) {
  if (workers_.empty()) {
    ::close(int(fd));
    return;
  }
  if (active_->load() >= options_.maxConnections) {
    // Tell the client why instead of leaving it hanging; best effort, never blocks.
    static const QByteArray kBusy = []() -> QByteArray {
      const Response r = Response::error(ErrorCode::Unavailable, QStringLiteral("too many open connections"));
      return "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: " +
             QByteArray::number(r.body.size()) + "\r\nConnection: close\r\n\r\n" + r.body;
    }();
    [[maybe_unused]] auto n = ::send(int(fd), kBusy.constData(), size_t(kBusy.size()), MSG_NOSIGNAL | MSG_DONTWAIT);
    ::close(int(fd));
    if (m_) m_->connectionsRejected->inc();
    return;
  }
  active_->fetch_add(1);
  if (m_) m_->connectionsAccepted->inc();
  Worker *w = workers_[nextWorker_++ % workers_.size()];
  const int sock = int(fd);
  QMetaObject::invokeMethod(w, [w, sock] { w->adopt(sock); }, Qt::QueuedConnection);
}

void HttpServer::shutdown(int deadlineMs) {
  close();  // stop accepting
  if (tlsWatch_) tlsWatch_->stop();
  for (Worker *w : workers_) QMetaObject::invokeMethod(w, [w] { w->drain(); }, Qt::QueuedConnection);
  QDeadlineTimer deadline(qMax(0, deadlineMs));
  while (active_->load() > 0 && !deadline.hasExpired()) {
    QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
    QThread::msleep(5);
  }
  for (Worker *w : workers_) QMetaObject::invokeMethod(w, [w] { w->forceCloseAll(); }, Qt::BlockingQueuedConnection);
  for (QThread *t : threads_) {
    t->quit();
    t->wait();
    delete t;
  }
  threads_.clear();
  workers_.clear();
}

}  // namespace rs::http
