#pragma once
// Shared parts of the edge tests: an origin the test controls to the byte (when the
// head goes out, how the body is cut into pieces, where the connection breaks, how
// often each path was asked for), a real `platform --role=edge` in front of it, and
// raw-socket requests so every header and truncation is visible.

#include "support/credentials.h"
#include "support/metrics.h"
#include "support/rawhttp.h"
#include "support/stack.h"

#include <QDirIterator>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QTcpServer>
#include <QTemporaryDir>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

namespace rs::test {

inline QByteArray randomBytes(qsizetype n, quint32 seed) {
  QByteArray b(n, Qt::Uninitialized);
  QRandomGenerator g(seed);
  for (qsizetype i = 0; i < n; ++i) b[i] = char(g.generate() & 0xff);
  return b;
}

// One object the test origin serves, and how.
struct OriginObject {
  QByteArray body;
  QByteArray contentType = "video/mp4";
  QByteArray cacheControl = "public, max-age=31536000, immutable";
  QByteArray xcache;          // sent as X-Cache when set (a parent edge's answer)
  int status = 200;
  int headDelayMs = 0;        // before the status line
  int pieces = 1;             // body written in this many parts...
  int pieceDelayMs = 0;       // ...with this pause before each part after the first
  qint64 abortAfter = -1;     // close the connection after this many body bytes
};

class TestOrigin {
 public:
  // port 0: any free one; a fixed one lets a test point an edge at an origin that is
  // not listening yet.
  explicit TestOrigin(quint16 port = 0) {
    auto router = std::make_shared<Router>();
    router->get(QStringLiteral("/healthz"), Access::Public, [this](Request &) {
      return healthy_ ? Response::json(QJsonObject{{QStringLiteral("status"), QStringLiteral("ok")}})
                      : Response::error(ErrorCode::Unavailable, QStringLiteral("told to be unhealthy"));
    });
    router->addAsync("GET", QStringLiteral("/media/{*path}"), Access::Public, [this](Request &req, Responder responder) {
      serve(QStringLiteral("/media/") + req.param(QStringLiteral("path")), req.isHead(), std::move(responder));
    });
    ServerOptions o;
    o.name = QStringLiteral("test-origin");
    o.workers = 2;
    o.port = port;
    host_ = std::make_unique<ServerHost>(o, router);
  }
  ~TestOrigin() { stop(); }

  bool ok() const { return host_ && host_->ok(); }
  quint16 port() const { return port_ ? port_ : host_->port(); }
  QString url() const { return QStringLiteral("http://127.0.0.1:%1").arg(port()); }

  void put(const QString &path, OriginObject o) {
    std::lock_guard lock(mutex_);
    objects_.insert(path, std::move(o));
  }
  int count(const QString &path) const {
    std::lock_guard lock(mutex_);
    return counts_.value(path);
  }
  // Monotonic ms (QElapsedTimer of the test) when the last piece of `path` was sent.
  qint64 finishedAtMs(const QString &path) const {
    std::lock_guard lock(mutex_);
    return finished_.value(path, -1);
  }
  void setHealthy(bool h) { healthy_ = h; }

  // Stops listening (connections are refused from now on) and joins the slow senders.
  void stop() {
    if (!host_) return;
    port_ = host_->port();
    stopping_ = true;
    for (auto &t : senders_) t.join();
    senders_.clear();
    host_->stop();
    host_.reset();
  }

  static QElapsedTimer &clock() {
    static QElapsedTimer c = [] {
      QElapsedTimer t;
      t.start();
      return t;
    }();
    return c;
  }

 private:
  static Headers headersOf(const OriginObject &o) {
    Headers h;
    h.add("Content-Type", o.contentType);
    h.add("Cache-Control", o.cacheControl);
    h.add("ETag", '"' + QByteArray::number(qHash(o.body), 16) + '"');
    h.add("Last-Modified", "Wed, 25 Nov 2026 10:00:00 GMT");
    if (!o.xcache.isEmpty()) h.add("X-Cache", o.xcache);
    return h;
  }

  void serve(const QString &path, bool head, Responder responder) {
    OriginObject o;
    {
      std::lock_guard lock(mutex_);
      ++counts_[path];
      auto it = objects_.find(path);
      if (it == objects_.end()) {
        responder.send(Response::error(ErrorCode::NotFound, QStringLiteral("no such object")));
        return;
      }
      o = *it;
    }
    if (o.status != 200) {
      responder.send(Response::error(errorCodeForHttpStatus(o.status), QStringLiteral("told to fail")));
      return;
    }
    const bool simple = o.headDelayMs == 0 && o.pieces <= 1 && o.abortAfter < 0;
    if (simple) {
      Response r;
      r.headers = headersOf(o);
      r.body = o.body;
      responder.send(r);
      markFinished(path);
      return;
    }
    std::lock_guard lock(sendersMutex_);
    senders_.emplace_back([this, o, path, head, responder] {
      sleepMs(o.headDelayMs);
      responder.begin(200, headersOf(o), o.body.size());
      if (head) {
        responder.end();
        return;
      }
      const qint64 piece = (o.body.size() + o.pieces - 1) / qMax(1, o.pieces);
      qint64 sent = 0;
      for (int i = 0; i < o.pieces && sent < o.body.size(); ++i) {
        if (i > 0) sleepMs(o.pieceDelayMs);
        if (stopping_) break;
        qint64 n = qMin(piece, o.body.size() - sent);
        if (o.abortAfter >= 0 && sent + n >= o.abortAfter) {
          responder.write(o.body.mid(sent, o.abortAfter - sent));
          sleepMs(50);  // let those bytes leave before the connection breaks
          responder.abort();
          return;
        }
        responder.write(o.body.mid(sent, n));
        sent += n;
      }
      if (sent < o.body.size()) {
        responder.abort();
        return;
      }
      markFinished(path);
      responder.end();
    });
  }

  void markFinished(const QString &path) {
    std::lock_guard lock(mutex_);
    finished_[path] = clock().elapsed();
  }

  void sleepMs(int ms) {
    for (int left = ms; left > 0 && !stopping_; left -= 10) std::this_thread::sleep_for(std::chrono::milliseconds(qMin(left, 10)));
  }

  std::unique_ptr<ServerHost> host_;
  quint16 port_ = 0;
  std::atomic<bool> healthy_{true}, stopping_{false};
  mutable std::mutex mutex_;
  QHash<QString, OriginObject> objects_;
  QHash<QString, int> counts_;
  QHash<QString, qint64> finished_;
  std::mutex sendersMutex_;
  std::vector<std::thread> senders_;
};

struct Got {
  int status = 0;
  QByteArray body;
  HttpResponse response;
  bool complete = false;  // false: the connection closed before the body was complete
  QString error;
  QByteArray header(QByteArrayView name) const { return response.header(name); }
  QByteArray xcache() const { return response.header("x-cache"); }
  QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
};

// The cluster key the tests' edges hold (they run without control).
inline const TestKeyRing &edgeKeys() {
  static const TestKeyRing ring;
  return ring;
}

// One request on a fresh connection, as a client of the edge sends it: with a service
// credential (the edge tests are about caching; tst_edgeauth is about who may ask)
// unless `headers` name an Authorization, where an empty one means anonymous.
inline Got rawRequest(quint16 port, const QByteArray &method, const QByteArray &path,
                      const QList<QPair<QByteArray, QByteArray>> &headers = {}, int timeoutMs = 15000,
                      const QByteArray &body = {}) {
  Got g;
  HeaderList sent = headers;
  const bool named = std::any_of(headers.begin(), headers.end(),
                                 [](const auto &h) { return h.first.compare("Authorization", Qt::CaseInsensitive) == 0; });
  if (!named) sent.append({"Authorization", edgeKeys().service()});
  g.response = request(port, method, path, sent, body,
                       {.host = "edge", .close = false, .timeoutMs = timeoutMs, .keepPartial = true, .error = &g.error});
  g.status = g.response.status;
  g.body = g.response.body;
  g.complete = g.error.isEmpty();
  return g;
}

inline Got rawGet(quint16 port, const QString &path, const QList<QPair<QByteArray, QByteArray>> &headers = {},
                  int timeoutMs = 15000) {
  return rawRequest(port, "GET", path.toUtf8(), headers, timeoutMs);
}

// A platform running only the edge, in front of `upstreams`; control is unreachable
// (heartbeats fail and are only logged).
inline bool startEdge(Platform &p, const QStringList &upstreams, const QStringList &extra, QString *error) {
  QStringList args{QStringLiteral("--role=edge"), QStringLiteral("--control=http://127.0.0.1:1"),
                   QStringLiteral("--cluster-key-file=") + edgeKeys().file(),
                   QStringLiteral("--edge-health-interval=0.3"), QStringLiteral("--workers=2"),
                   QStringLiteral("--log-level=warning")};
  if (!upstreams.isEmpty()) args << QStringLiteral("--upstream=") + upstreams.join(QLatin1Char(','));
  args << extra;
  return p.start(args, error);
}

// A loopback port nothing listens on right now (bound, then released), for a server
// that is started later than the one that will call it.
inline quint16 freeLoopbackPort() {
  QTcpServer s;
  if (!s.listen(QHostAddress::LocalHost, 0)) return 0;
  const quint16 port = s.serverPort();
  s.close();
  return port;
}

inline quint16 edgePort(const Platform &p) { return quint16(p.url(QStringLiteral("edge")).port()); }

inline QJsonObject edgeJson(const Platform &p, const QString &path) {
  const Got g = rawGet(edgePort(p), path);
  return g.json();
}

// Bytes of every file below dir (the disk tier's objects/).
inline qint64 treeBytes(const QString &dir) {
  qint64 sum = 0;
  QDirIterator it(dir, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
  while (it.hasNext()) sum += QFileInfo(it.next()).size();
  return sum;
}

}  // namespace rs::test
