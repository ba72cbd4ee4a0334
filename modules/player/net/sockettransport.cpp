#include "player/net/sockettransport.h"

#include <QSslSocket>
#include <QTimer>
#include <http_parser.h>

namespace rs::player {

struct SocketTransport::Job {
  FetchId id = 0;
  FetchRequest request;
  QUrl url;
  std::function<void(FetchResult)> done;
  FetchResult result;
  std::int64_t total = -1;
  bool retried = false;
  bool firstRead = true;
};

// One keep-alive connection and the response being read on it.
struct SocketTransport::Connection {
  QString hostKey;
  QSslSocket *socket = nullptr;
  QTimer *timer = nullptr;
  http_parser parser{};
  std::unique_ptr<Job> job;
  bool ready = false;     // connected (and encrypted, for https)
  int served = 0;         // responses read on it
  bool complete = false;  // the current response is whole
  bool keepAlive = true;
  QByteArray field, value;
  bool inValue = false;
};

namespace {

QString hostKeyOf(const QUrl &url) {
  const int port = url.port(url.scheme() == QLatin1String("https") ? 443 : 80);
  return url.scheme() + u'|' + url.host() + u':' + QString::number(port);
}

QByteArray requestText(const FetchRequest &r, const QUrl &url) {
  const bool tls = url.scheme() == QLatin1String("https");
  const int port = url.port(tls ? 443 : 80);
  QByteArray target = url.path(QUrl::FullyEncoded).toLatin1();
  if (target.isEmpty()) target = "/";
  if (url.hasQuery()) target += '?' + url.query(QUrl::FullyEncoded).toLatin1();
  QByteArray host = url.host(QUrl::FullyEncoded).toLatin1();
  if (host.contains(':')) host = '[' + host + ']';
  if (port != (tls ? 443 : 80)) host += ':' + QByteArray::number(port);
  QByteArray out = r.method + ' ' + target + " HTTP/1.1\r\nHost: " + host + "\r\nUser-Agent: ReelStack-player/" REELSTACK_VERSION "\r\n";
  if (!r.authorization.isEmpty()) out += "Authorization: " + r.authorization + "\r\n";
  for (const auto &[name, value] : r.headers) out += name + ": " + value + "\r\n";
  if (!r.body.isEmpty() || r.method == "POST" || r.method == "PUT") {
    out += "Content-Length: " + QByteArray::number(r.body.size()) + "\r\n";
    if (!r.contentType.isEmpty()) out += "Content-Type: " + r.contentType + "\r\n";
  }
  return out + "\r\n" + r.body;
}

}  // namespace

// http_parser's callbacks: `parser->data` is the Connection.
struct ParserCallbacks {
  static SocketTransport::Connection *conn(http_parser *p) { return static_cast<SocketTransport::Connection *>(p->data); }
  static void storeHeader(SocketTransport::Connection *c) {
    if (c->job && c->field.compare("x-cache", Qt::CaseInsensitive) == 0) c->job->result.xCache = c->value;
    if (c->job && c->field.compare("set-cookie", Qt::CaseInsensitive) == 0) c->job->result.setCookies.push_back(c->value);
    c->field.clear();
    c->value.clear();
  }
  static int onHeaderField(http_parser *p, const char *at, size_t n) {
    auto *c = conn(p);
    if (c->inValue) storeHeader(c);
    c->inValue = false;
    c->field.append(at, qsizetype(n));
    return 0;
  }
  static int onHeaderValue(http_parser *p, const char *at, size_t n) {
    auto *c = conn(p);
    c->inValue = true;
    c->value.append(at, qsizetype(n));
    return 0;
  }
  static int onHeadersComplete(http_parser *p) {
    auto *c = conn(p);
    if (c->inValue) storeHeader(c);
    c->inValue = false;
    if (!c->job) return 0;
    c->job->result.status = int(p->status_code);
    if (p->flags & F_CONTENTLENGTH) c->job->total = std::int64_t(p->content_length);
    c->keepAlive = http_should_keep_alive(p) != 0;
    return c->job->request.method == "HEAD" ? 1 : 0;  // 1: this response has no body
  }
  static int onBody(http_parser *p, const char *at, size_t n) {
    auto *c = conn(p);
    if (!c->job) return 0;
    c->job->result.bytes += std::int64_t(n);
    if (c->job->request.wantBody) c->job->result.body.append(at, qsizetype(n));
    return 0;
  }
  static int onMessageComplete(http_parser *p) {
    conn(p)->complete = true;
    return 0;
  }
  static const http_parser_settings &settings() {
    static const http_parser_settings s = [] {
      http_parser_settings x{};
      x.on_header_field = onHeaderField;
      x.on_header_value = onHeaderValue;
      x.on_headers_complete = onHeadersComplete;
      x.on_body = onBody;
      x.on_message_complete = onMessageComplete;
      return x;
    }();
    return s;
  }
};

SocketTransport::SocketTransport(Clock &clock, int connectionsPerHost, QObject *parent)
    : QObject(parent), clock_(clock), perHost_(std::max(1, connectionsPerHost)) {}

SocketTransport::~SocketTransport() {
  for (auto &c : connections_) {
    c->socket->disconnect(this);
    c->socket->abort();
    c->socket->deleteLater();
    c->timer->deleteLater();
  }
}

int SocketTransport::openConnections() const { return int(connections_.size()); }

Transport::FetchId SocketTransport::fetch(const FetchRequest &request, std::function<void(FetchResult)> done) {
  auto job = std::make_unique<Job>();
  job->id = next_++;
  job->request = request;
  job->request.presentation = nullptr;  // the URL below is all it needs
  job->url = request.resolvedUrl();
  if (rewrite_) job->url = rewrite_(job->url);
  job->done = std::move(done);
  job->result.requestedAt = clock_.now();
  const FetchId id = job->id;
  const QString key = hostKeyOf(job->url);
  if (job->url.scheme() != QLatin1String("http") && job->url.scheme() != QLatin1String("https")) {
    // Answered from the event loop, as every other result is.
    auto *failed = job.release();
    QTimer::singleShot(0, this, [failed] {
      std::unique_ptr<Job> j(failed);
      j->result.error = QStringLiteral("not an http(s) URL: %1").arg(j->url.toString());
      j->result.finishedAt = j->result.requestedAt;
      j->done(std::move(j->result));
    });
    return id;
  }
  queues_[key].push_back(std::move(job));
  dispatch(key);
  return id;
}

void SocketTransport::dispatch(const QString &hostKey) {
  auto &queue = queues_[hostKey];
  while (!queue.empty()) {
    Connection *idle = nullptr;
    int count = 0;
    for (auto &c : connections_) {
      if (c->hostKey != hostKey) continue;
      ++count;
      if (!c->job && !idle) idle = c.get();
    }
    if (!idle && count >= perHost_) return;
    if (!idle) {
      auto c = std::make_unique<Connection>();
      c->hostKey = hostKey;
      c->socket = new QSslSocket(this);
      c->timer = new QTimer(this);
      c->timer->setSingleShot(true);
      Connection *cp = c.get();
      c->parser.data = cp;
      const QUrl url = queue.front()->url;
      connect(c->socket, &QSslSocket::readyRead, this, [this, cp] {
        const QByteArray data = cp->socket->readAll();
        if (!cp->job) return drop(cp);  // nothing was asked: the server is confused or closing
        Job &j = *cp->job;
        if (j.firstRead) j.result.firstByteAt = clock_.now();
        const std::int64_t before = j.result.bytes;
        const size_t n = http_parser_execute(&cp->parser, &ParserCallbacks::settings(), data.constData(), size_t(data.size()));
        if (j.firstRead) {
          j.result.firstChunkBytes = j.result.bytes - before;
          j.firstRead = false;
        }
        if (HTTP_PARSER_ERRNO(&cp->parser) != HPE_OK || n != size_t(data.size()))
          return finish(cp, QStringLiteral("bad HTTP response: %1").arg(QLatin1String(http_errno_description(HTTP_PARSER_ERRNO(&cp->parser)))));
        if (cp->complete) return finish(cp, QString());
        cp->timer->start(j.request.timeoutMs);
      });
      auto onReady = [this, cp] {
        cp->ready = true;
        cp->socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
        if (cp->job) cp->socket->write(requestText(cp->job->request, cp->job->url));
      };
      if (url.scheme() == QLatin1String("https")) connect(c->socket, &QSslSocket::encrypted, this, onReady);
      else connect(c->socket, &QSslSocket::connected, this, onReady);
      auto onGone = [this, cp] {
        if (!cp->job) return drop(cp);
        // A keep-alive connection the server closed before answering: once more on a
        // fresh one, as browsers do.
        if (cp->served > 0 && cp->job->result.bytes == 0 && cp->job->result.status == 0 && !cp->job->retried) {
          std::unique_ptr<Job> again = std::move(cp->job);
          again->retried = true;
          again->firstRead = true;
          const QString key = cp->hostKey;
          drop(cp);
          queues_[key].push_front(std::move(again));
          return dispatch(key);
        }
        // A body without a Content-Length ends when the connection does.
        if (cp->job->result.status != 0) http_parser_execute(&cp->parser, &ParserCallbacks::settings(), nullptr, 0);
        if (cp->complete) return finish(cp, QString());
        finish(cp, QStringLiteral("connection closed after %1 bytes: %2").arg(cp->job->result.bytes).arg(cp->socket->errorString()));
      };
      connect(c->socket, &QSslSocket::disconnected, this, onGone);
      connect(c->socket, &QSslSocket::errorOccurred, this, [onGone](QAbstractSocket::SocketError) { onGone(); });
      connect(c->timer, &QTimer::timeout, this, [this, cp] { finish(cp, QStringLiteral("timed out")); });
      const int port = url.port(url.scheme() == QLatin1String("https") ? 443 : 80);
      if (url.scheme() == QLatin1String("https")) c->socket->connectToHostEncrypted(url.host(), quint16(port));
      else c->socket->connectToHost(url.host(), quint16(port));
      connections_.push_back(std::move(c));
      idle = cp;
    }
    std::unique_ptr<Job> job = std::move(queue.front());
    queue.pop_front();
    start(idle, std::move(job));
  }
}

void SocketTransport::start(Connection *c, std::unique_ptr<Job> job) {
  http_parser_init(&c->parser, HTTP_RESPONSE);
  c->parser.data = c;
  c->complete = false;
  c->keepAlive = true;
  c->field.clear();
  c->value.clear();
  c->inValue = false;
  c->job = std::move(job);
  c->timer->start(c->job->request.timeoutMs);
  if (c->ready) c->socket->write(requestText(c->job->request, c->job->url));
}

void SocketTransport::finish(Connection *c, const QString &error) {
  std::unique_ptr<Job> job = std::move(c->job);
  c->timer->stop();
  job->result.finishedAt = clock_.now();
  if (job->result.firstByteAt <= 0) job->result.firstByteAt = job->result.finishedAt;
  if (!error.isEmpty()) job->result.error = error;
  const QString key = c->hostKey;
  if (error.isEmpty() && c->keepAlive) ++c->served;
  else drop(c);  // c is gone from here on
  dispatch(key);
  job->done(std::move(job->result));
}

void SocketTransport::drop(Connection *c) {
  c->socket->disconnect(this);
  c->timer->disconnect(this);
  c->socket->abort();
  c->socket->deleteLater();
  c->timer->deleteLater();
  for (auto it = connections_.begin(); it != connections_.end(); ++it) {
    if (it->get() == c) {
      connections_.erase(it);
      break;
    }
  }
}

SocketTransport::Connection *SocketTransport::connectionOf(FetchId id) const {
  for (const auto &c : connections_)
    if (c->job && c->job->id == id) return c.get();
  return nullptr;
}

FetchProgress SocketTransport::progress(FetchId id) {
  FetchProgress p;
  const Connection *c = connectionOf(id);
  if (!c) return p;
  p.bytes = c->job->result.bytes;
  p.total = c->job->total;
  p.firstByteAt = c->job->firstRead ? -1 : c->job->result.firstByteAt;
  p.firstChunkBytes = c->job->result.firstChunkBytes;
  return p;
}

void SocketTransport::abort(FetchId id) {
  for (auto &[key, queue] : queues_) {
    for (auto it = queue.begin(); it != queue.end(); ++it) {
      if ((*it)->id == id) {
        queue.erase(it);
        return;
      }
    }
  }
  // HTTP/1.1 cannot cancel a response mid-way: the connection goes with it.
  if (Connection *c = connectionOf(id)) {
    const QString key = c->hostKey;
    c->job.reset();
    drop(c);
    dispatch(key);
  }
}

}  // namespace rs::player
