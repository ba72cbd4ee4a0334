// End-to-end tests of the HTTP/1.1 server: framing, keep-alive, pipelining, limits,
// smuggling defences, timeouts, connection limits, tracing, shutdown and metrics.
//
// The server runs in its own QThread (its acceptor is a QTcpServer living there); the
// clients are raw blocking POSIX sockets in the test thread, so every byte on the wire
// is under the test's control.

#include "core/http/fileserver.h"
#include "core/http/server.h"
#include "support/rawhttp.h"
#include "core/metrics/metrics.h"

#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QSet>
#include <QTest>
#include <QThread>
#include <QTimer>

#include <arpa/inet.h>
#include <atomic>
#include <cerrno>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <mutex>
#include <optional>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

using namespace rs::http;
using namespace rs::test;

namespace {

QByteArray get(const QByteArray &path, const QByteArray &extra = {}) {
  return "GET " + path + " HTTP/1.1\r\nHost: test\r\n" + extra + "\r\n";
}

QByteArray post(const QByteArray &path, const QByteArray &body, const QByteArray &extra = {}) {
  return "POST " + path + " HTTP/1.1\r\nHost: test\r\nContent-Length: " + QByteArray::number(body.size()) +
         "\r\n" + extra + "\r\n" + body;
}

QByteArray chunkedBody(const QList<QByteArray> &chunks) {
  QByteArray out;
  for (const QByteArray &c : chunks) out += QByteArray::number(c.size(), 16) + "\r\n" + c + "\r\n";
  return out + "0\r\n\r\n";
}

bool isHex(QByteArrayView s, qsizetype len) {
  if (s.size() != len) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

// Shared with the handlers: a thread with an event loop for "later" answers.
QObject *gLater = nullptr;

// A BodySource filled piece by piece on gLater's thread while connections read it:
// the read-while-writer shape the edge uses for a download many clients wait on.
class GrowingSource : public BodySource {
 public:
  explicit GrowingSource(QByteArray all) : all_(std::move(all)) {}
  View view(qint64 offset, qint64 max) const override {
    std::lock_guard lock(mutex_);
    if (offset < written_) return {all_.constData() + offset, qMin(max, written_ - offset), false};
    return {nullptr, 0, failed_};
  }
  void notify(qint64 offset, std::function<void()> wake) override {
    {
      std::lock_guard lock(mutex_);
      if (offset >= written_ && !failed_) {
        waiters_.push_back(std::move(wake));
        return;
      }
    }
    wake();
  }
  void append(qint64 bytes) { publish([&] { written_ = qMin<qint64>(all_.size(), written_ + bytes); }); }
  void fail() { publish([&] { failed_ = true; }); }
  qint64 written() const {
    std::lock_guard lock(mutex_);
    return written_;
  }

 private:
  template <typename F> void publish(F change) {
    std::vector<std::function<void()>> wake;
    {
      std::lock_guard lock(mutex_);
      change();
      wake.swap(waiters_);
    }
    for (auto &w : wake) w();
  }
  const QByteArray all_;
  mutable std::mutex mutex_;
  qint64 written_ = 0;
  bool failed_ = false;
  std::vector<std::function<void()>> waiters_;
};

QByteArray sourceBytes() {
  QByteArray b(600 * 1024, Qt::Uninitialized);
  for (qsizetype i = 0; i < b.size(); ++i) b[i] = char((i * 7 + i / 4096) & 0xff);
  return b;
}

// The source currently being filled by /growing (tests run one at a time).
std::shared_ptr<GrowingSource> gGrowing;

std::shared_ptr<Router> makeRouter() {
  auto r = std::make_shared<Router>();
  r->get(QStringLiteral("/hello"), Access::Public, [](Request &) { return Response::text(200, "hello"); });
  r->post(QStringLiteral("/echo"), {Access::Public, 1024},
          [](Request &req) { return Response::text(200, req.body, "application/octet-stream"); });
  r->addAsync("GET", QStringLiteral("/slow"), Access::Public, [](Request &, Responder responder) {
    QMetaObject::invokeMethod(gLater, [responder] {
      QTimer::singleShot(200, gLater, [responder] { responder.send(Response::text(200, "slow")); });
    }, Qt::QueuedConnection);
  });
  r->addAsync("GET", QStringLiteral("/stream"), Access::Public, [](Request &, Responder responder) {
    QMetaObject::invokeMethod(gLater, [responder] {
      Headers h;
      h.add("Content-Type", "text/plain");
      responder.begin(200, std::move(h));
      // Spaced out so the chunks leave as separate writes.
      QTimer::singleShot(10, gLater, [responder] { responder.write("one,"); });
      QTimer::singleShot(30, gLater, [responder] { responder.write("two,"); });
      QTimer::singleShot(50, gLater, [responder] {
        responder.write("three");
        responder.end();
      });
    }, Qt::QueuedConnection);
  });
  // Answers from gGrowing at once, whatever it holds yet; the test fills it.
  r->get(QStringLiteral("/growing"), Access::Public, [](Request &req) {
    Response resp;
    resp.headers.add("Content-Type", "application/octet-stream");
    const qint64 len = sourceBytes().size();
    const ByteRange range = parseRange(req.header("range"), len);
    qint64 offset = 0, length = len;
    if (range.kind == ByteRange::Satisfiable) {
      resp.status = 206;
      offset = range.first;
      length = range.length;
    }
    resp.source = SourceBody{gGrowing, offset, length};
    return resp;
  });
  r->post(QStringLiteral("/upload"), {Access::Public, 64 << 20},
          [](Request &req) { return Response::text(200, QByteArray::number(req.body.size())); });
  r->get(QStringLiteral("/big"), Access::Public, [](Request &) { return Response::text(200, QByteArray(32 << 20, 'b'), "application/octet-stream"); });
  r->get(QStringLiteral("/params/{id}/{*rest}"), Access::Public, [](Request &req) {
    const QString s = QStringLiteral("id=") + req.param(QStringLiteral("id")) + QStringLiteral(";rest=") +
                      req.param(QStringLiteral("rest"));
    return Response::text(200, s.toUtf8());
  });
  return r;
}

ServerOptions baseOptions() {
  ServerOptions o;
  o.name = QStringLiteral("test");
  o.address = QHostAddress::LocalHost;
  o.port = 0;
  o.workers = 2;
  return o;
}

}  // namespace

#define REQUIRE_RESPONSE(var, client, ...)                      \
  auto var = (client).readResponse(__VA_ARGS__);                \
  QVERIFY2(var.has_value(), (client).error())

class TestHttpServer : public QObject {
  Q_OBJECT

 private:
  QThread laterThread_;
  std::unique_ptr<ServerHost> host_;
  quint16 port() const { return host_->port(); }

  // One bad request followed, in the same write, by a valid one: exactly one error
  // response, then the connection closes and the second request is never answered.
  void expectErrorThenClose(const QByteArray &bad, int status, bool appendHello = true) {
    Client c(port());
    QVERIFY(c.connected());
    QVERIFY(c.send(appendHello ? bad + get("/hello") : bad));
    REQUIRE_RESPONSE(r, c);
    QCOMPARE(r->status, status);
    QCOMPARE(r->header("connection").toLower(), QByteArray("close"));
    const QJsonObject err = QJsonDocument::fromJson(r->body).object().value(QStringLiteral("error")).toObject();
    QVERIFY2(!err.value(QStringLiteral("code")).toString().isEmpty(), r->body.constData());
    QVERIFY(c.closedByPeer(3000));
    QVERIFY2(c.pending().isEmpty(), c.pending().constData());
  }

 private Q_SLOTS:
  void initTestCase() {
    rlimit rl{};
    ::getrlimit(RLIMIT_NOFILE, &rl);
    if (rl.rlim_cur < 4096) {
      rl.rlim_cur = qMin<rlim_t>(rl.rlim_max, 8192);
      ::setrlimit(RLIMIT_NOFILE, &rl);
    }
    laterThread_.start();
    gLater = new QObject;
    gLater->moveToThread(&laterThread_);

    ServerOptions o = baseOptions();
    o.headerTimeoutMs = 5000;
    host_ = std::make_unique<ServerHost>(o, makeRouter());
    QVERIFY2(host_->ok(), qPrintable(host_->error()));
    QVERIFY(port() != 0);
  }

  void cleanupTestCase() {
    host_.reset();
    QMetaObject::invokeMethod(gLater, [] { delete gLater; }, Qt::BlockingQueuedConnection);
    gLater = nullptr;
    laterThread_.quit();
    laterThread_.wait();
  }

  // ---- keep-alive and pipelining --------------------------------------------------

  void keepAlive100() {
    Client c(port());
    QVERIFY(c.connected());
    for (int i = 0; i < 100; ++i) {
      QVERIFY(c.send(get("/hello")));
      REQUIRE_RESPONSE(r, c);
      QCOMPARE(r->status, 200);
      QCOMPARE(r->body, QByteArray("hello"));
      QCOMPARE(r->header("content-length"), QByteArray("5"));
      QVERIFY(!r->header("connection").toLower().contains("close"));
    }
    QVERIFY(!c.closedByPeer(200));
    QVERIFY(c.send(get("/hello")));
    REQUIRE_RESPONSE(last, c);
    QCOMPARE(last->status, 200);
  }

  void pipelining() {
    Client c(port());
    QVERIFY(c.connected());
    QByteArray all;
    QList<QByteArray> expected;
    for (int i = 0; i < 10; ++i) {
      if (i == 5) {
        all += post("/echo", "posted-body-in-the-middle");
        expected << QByteArray("posted-body-in-the-middle");
        continue;
      }
      all += get("/params/" + QByteArray::number(i) + "/x/" + QByteArray::number(i * i));
      expected << "id=" + QByteArray::number(i) + ";rest=x/" + QByteArray::number(i * i);
    }
    QVERIFY(c.send(all));  // one write
    for (int i = 0; i < 10; ++i) {
      REQUIRE_RESPONSE(r, c);
      QCOMPARE(r->status, 200);
      QCOMPARE(r->body, expected[i]);
    }
    QVERIFY(c.pending().isEmpty());
    QVERIFY(!c.closedByPeer(100));
  }

  // A 404 in the middle of a pipeline must not stall the requests behind it.
  void pipeliningAfterNotFound() {
    Client c(port());
    QVERIFY(c.connected());
    QVERIFY(c.send(get("/nope") + get("/hello") + "POST /hello HTTP/1.1\r\nHost: test\r\n\r\n" + get("/hello")));
    REQUIRE_RESPONSE(r1, c);
    QCOMPARE(r1->status, 404);
    REQUIRE_RESPONSE(r2, c, false, 2000);
    QCOMPARE(r2->status, 200);
    QCOMPARE(r2->body, QByteArray("hello"));
    REQUIRE_RESPONSE(r3, c, false, 2000);
    QCOMPARE(r3->status, 405);
    REQUIRE_RESPONSE(r4, c, false, 2000);
    QCOMPARE(r4->status, 200);
  }

  void headRequest() {
    Client c(port());
    QVERIFY(c.connected());
    QVERIFY(c.send("HEAD /hello HTTP/1.1\r\nHost: test\r\n\r\n" + get("/params/7/z")));
    REQUIRE_RESPONSE(h, c, true);
    QCOMPARE(h->status, 200);
    QCOMPARE(h->header("content-length"), QByteArray("5"));
    QVERIFY(h->body.isEmpty());
    // If the server had sent a body, it would be in front of the next status line.
    QVERIFY2(c.pending().isEmpty() || c.pending().startsWith("HTTP/1.1 "), c.pending().constData());
    REQUIRE_RESPONSE(g, c);
    QCOMPARE(g->status, 200);
    QCOMPARE(g->body, QByteArray("id=7;rest=z"));
  }

  void http10Closes() {
    Client c(port());
    QVERIFY(c.connected());
    QVERIFY(c.send("GET /hello HTTP/1.0\r\n\r\n"));
    REQUIRE_RESPONSE(r, c);
    QCOMPARE(r->status, 200);
    QCOMPARE(r->body, QByteArray("hello"));
    QVERIFY(c.closedByPeer(2000));
  }

  void http10KeepAlive() {
    Client c(port());
    QVERIFY(c.connected());
    QVERIFY(c.send("GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
    REQUIRE_RESPONSE(r, c);
    QCOMPARE(r->status, 200);
    QCOMPARE(r->header("connection").toLower(), QByteArray("keep-alive"));
    QVERIFY(c.send("GET /hello HTTP/1.0\r\n\r\n"));
    REQUIRE_RESPONSE(r2, c);
    QCOMPARE(r2->status, 200);
    QVERIFY(c.closedByPeer(2000));
  }

  void connectionClose() {
    Client c(port());
    QVERIFY(c.connected());
    QVERIFY(c.send(get("/hello", "Connection: close\r\n") + get("/hello")));
    REQUIRE_RESPONSE(r, c);
    QCOMPARE(r->status, 200);
    QCOMPARE(r->header("connection").toLower(), QByteArray("close"));
    QVERIFY(c.closedByPeer(2000));
    QVERIFY(c.pending().isEmpty());
  }

  // Connection: close and HTTP/1.0 semantics hold for error responses from routing too.
  void connectionCloseOnNotFound_data() {
    QTest::addColumn<QByteArray>("request");
    QTest::newRow("1.1 close, 404") << get("/nope", "Connection: close\r\n");
    QTest::newRow("1.0, 404") << QByteArray("GET /nope HTTP/1.0\r\n\r\n");
    QTest::newRow("1.1 close, 405") << QByteArray("DELETE /hello HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
  }
  void connectionCloseOnNotFound() {
    QFETCH(QByteArray, request);
    Client c(port());
    QVERIFY(c.connected());
    QVERIFY(c.send(request));
    REQUIRE_RESPONSE(r, c);
    QVERIFY(r->status == 404 || r->status == 405);
    const bool noFalsePromise = r->header("connection").toLower() != "keep-alive";
    const bool closed = c.closedByPeer(2000);
    QVERIFY2(noFalsePromise && closed,
             qPrintable(QStringLiteral("Connection header '%1', closed by server: %2")
                            .arg(QString::fromLatin1(r->header("connection")), closed ? QStringLiteral("yes")
                                                                                     : QStringLiteral("no"))));
  }

  // ---- request bodies --------------------------------------------------------------

  void chunkedEcho() {
    Client c(port());
    QVERIFY(c.connected());
    QVERIFY(c.send("POST /echo HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n" +
                   chunkedBody({"Hello, ", "chunked ", "world"})));
    REQUIRE_RESPONSE(r, c);
    QCOMPARE(r->status, 200);
    QCOMPARE(r->body, QByteArray("Hello, chunked world"));
    // Still usable afterwards.
    QVERIFY(c.send(get("/hello")));
    REQUIRE_RESPONSE(r2, c);
    QCOMPARE(r2->status, 200);
  }

  void chunkedEchoSplitWrites() {
    // The same body trickled in pieces that cut through chunk-size lines and data.
    Client c(port());
    QVERIFY(c.connected());
    const QByteArray all = "POST /echo HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n" +
                           chunkedBody({"abcdefghij", "0123456789abcdef0123"});
    for (qsizetype i = 0; i < all.size(); i += 7) {
      QVERIFY(c.send(all.mid(i, 7)));
      QThread::msleep(2);
    }
    REQUIRE_RESPONSE(r, c);
    QCOMPARE(r->status, 200);
    QCOMPARE(r->body, QByteArray("abcdefghij0123456789abcdef0123"));
  }

  void expectContinue() {
    Client c(port());
    QVERIFY(c.connected());
    QVERIFY(c.send("POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: 11\r\nExpect: 100-continue\r\n\r\n"));
    REQUIRE_RESPONSE(cont, c, false, 2000);
    QCOMPARE(cont->status, 100);
    QVERIFY(c.pending().isEmpty());
    QVERIFY(c.send("hello world"));
    REQUIRE_RESPONSE(r, c);
    QCOMPARE(r->status, 200);
    QCOMPARE(r->body, QByteArray("hello world"));
  }

  void bodyAtLimit() {
    Client c(port());
    QVERIFY(c.connected());
    const QByteArray body(1024, 'x');
    QVERIFY(c.send(post("/echo", body)));
    REQUIRE_RESPONSE(r, c);
    QCOMPARE(r->status, 200);
    QCOMPARE(r->body, body);
  }

  // ---- async and streaming ---------------------------------------------------------

  void asyncHandler() {
    Client c(port());
    QVERIFY(c.connected());
    QElapsedTimer t;
    t.start();
    QVERIFY(c.send(get("/slow") + get("/hello")));
    REQUIRE_RESPONSE(r, c);
    QCOMPARE(r->status, 200);
    QCOMPARE(r->body, QByteArray("slow"));
    QVERIFY(t.elapsed() >= 190);
    REQUIRE_RESPONSE(r2, c);  // pipelined behind the async one, answered in order
    QCOMPARE(r2->body, QByteArray("hello"));
  }

  void streaming() {
    Client c(port());
    QVERIFY(c.connected());
    QVERIFY(c.send(get("/stream") + get("/hello")));
    REQUIRE_RESPONSE(r, c);
    QCOMPARE(r->status, 200);
    QVERIFY(r->chunked);
    QVERIFY(!r->has("content-length"));
    QCOMPARE(r->chunks, 3);
    QCOMPARE(r->body, QByteArray("one,two,three"));
    REQUIRE_RESPONSE(r2, c);
    QCOMPARE(r2->body, QByteArray("hello"));
  }

  void streamingHttp10() {
    Client c(port());
    QVERIFY(c.connected());
    QVERIFY(c.send("GET /stream HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
    REQUIRE_RESPONSE(r, c);  // close-delimited
    QCOMPARE(r->status, 200);
    QVERIFY(!r->chunked);
    QCOMPARE(r->body, QByteArray("one,two,three"));
  }

  // ---- bodies read while they are written (BodySource) -------------------------------

  // Clients get the bytes that exist as soon as they exist, not when the writer ends;
  // everyone ends with the identical, complete body.
  void sourceBodyStreamsWhileWritten() {
    const QByteArray all = sourceBytes();
    gGrowing = std::make_shared<GrowingSource>(all);
    auto source = gGrowing;
    std::vector<std::unique_ptr<Client>> clients;
    for (int i = 0; i < 20; ++i) {
      clients.push_back(std::make_unique<Client>(port()));
      QVERIFY(clients.back()->connected());
      QVERIFY(clients.back()->send(get("/growing")));
    }
    QMetaObject::invokeMethod(gLater, [source] { source->append(100 * 1024); }, Qt::QueuedConnection);
    // The first 100 KiB reach a client while the rest does not exist yet.
    Client &first = *clients.front();
    QDeadlineTimer dl(3000);
    while (first.pending().size() < 100 * 1024 && first.fill(dl)) {}
    QVERIFY2(first.pending().size() >= 100 * 1024, "the bytes written so far did not arrive");
    QCOMPARE(source->written(), qint64(100 * 1024));
    for (int piece = 1; piece < 6; ++piece) {
      QMetaObject::invokeMethod(gLater, [source] {
        QTimer::singleShot(20, gLater, [source] { source->append(100 * 1024); });
      }, Qt::QueuedConnection);
      QThread::msleep(40);
    }
    for (auto &c : clients) {
      REQUIRE_RESPONSE(r, *c);
      QCOMPARE(r->status, 200);
      QCOMPARE(r->header("content-length"), QByteArray::number(all.size()));
      QVERIFY(r->body == all);
    }
    // The connection is reusable after a source body.
    QVERIFY(first.send(get("/hello")));
    REQUIRE_RESPONSE(h, first);
    QCOMPARE(h->body, QByteArray("hello"));
  }

  void sourceBodyRange() {
    const QByteArray all = sourceBytes();
    gGrowing = std::make_shared<GrowingSource>(all);
    gGrowing->append(all.size());
    Client c(port());
    QVERIFY(c.connected());
    QVERIFY(c.send(get("/growing", "Range: bytes=1000-299999\r\n")));
    REQUIRE_RESPONSE(r, c);
    QCOMPARE(r->status, 206);
    QVERIFY(r->body == all.mid(1000, 299000));
  }

  // A writer that fails mid-body: the client sees the connection close before
  // Content-Length bytes, never a short body presented as complete.
  void sourceBodyFailureTruncates() {
    gGrowing = std::make_shared<GrowingSource>(sourceBytes());
    auto source = gGrowing;
    Client c(port());
    QVERIFY(c.connected());
    QVERIFY(c.send(get("/growing")));
    QMetaObject::invokeMethod(gLater, [source] {
      source->append(50 * 1024);
      QTimer::singleShot(100, gLater, [source] { source->fail(); });
    }, Qt::QueuedConnection);
    const auto r = c.readResponse(false, 5000);
    QVERIFY(!r.has_value());
    QVERIFY2(QByteArray(c.error()).contains("closed before the response was complete"), c.error());
  }

  // HEAD answers the head alone, even from a source that never fills.
  void sourceBodyHead() {
    gGrowing = std::make_shared<GrowingSource>(sourceBytes());
    Client c(port());
    QVERIFY(c.connected());
    QVERIFY(c.send("HEAD /growing HTTP/1.1\r\nHost: test\r\n\r\n" + get("/hello")));
    REQUIRE_RESPONSE(r, c, true);
    QCOMPARE(r->status, 200);
    QCOMPARE(r->header("content-length"), QByteArray::number(sourceBytes().size()));
    REQUIRE_RESPONSE(h, c);
    QCOMPARE(h->body, QByteArray("hello"));
  }

  // ---- error shapes ----------------------------------------------------------------

  void notFoundJson() {
    Client c(port());
    QVERIFY(c.connected());
    QVERIFY(c.send(get("/does/not/exist")));
    REQUIRE_RESPONSE(r, c);
    QCOMPARE(r->status, 404);
    QCOMPARE(r->header("content-type"), QByteArray("application/json"));
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(r->body, &pe);
    QCOMPARE(pe.error, QJsonParseError::NoError);
    const QJsonObject err = doc.object().value(QStringLiteral("error")).toObject();
    QCOMPARE(err.value(QStringLiteral("code")).toString(), QStringLiteral("not_found"));
    QVERIFY(err.value(QStringLiteral("message")).isString());
    QVERIFY(!err.value(QStringLiteral("message")).toString().isEmpty());
    QCOMPARE(doc.object().size(), 1);
  }

  void methodNotAllowed() {
    Client c(port());
    QVERIFY(c.connected());
    QVERIFY(c.send("POST /hello HTTP/1.1\r\nHost: test\r\nContent-Length: 0\r\n\r\n"));
    REQUIRE_RESPONSE(r, c);
    QCOMPARE(r->status, 405);
    QCOMPARE(r->header("allow"), QByteArray("GET, HEAD"));
    QCOMPARE(r->header("content-type"), QByteArray("application/json"));
    const QJsonObject err = QJsonDocument::fromJson(r->body).object().value(QStringLiteral("error")).toObject();
    QCOMPARE(err.value(QStringLiteral("code")).toString(), QStringLiteral("method_not_allowed"));
    QVERIFY(c.send("GET /echo HTTP/1.1\r\nHost: test\r\n\r\n"));
    REQUIRE_RESPONSE(r2, c);
    QCOMPARE(r2->status, 405);
    QCOMPARE(r2->header("allow"), QByteArray("POST"));
  }

  // ---- limits ----------------------------------------------------------------------

  void requestLineTooLong() {
    expectErrorThenClose("GET /" + QByteArray(9 * 1024, 'a') + " HTTP/1.1\r\nHost: test\r\n\r\n", 414);
  }

  void headersTooLarge() {
    QByteArray headers;
    for (int i = 0; i < 40; ++i) headers += "X-Big-" + QByteArray::number(i) + ": " + QByteArray(1000, 'v') + "\r\n";
    expectErrorThenClose(get("/hello", headers), 431);
  }

  void tooManyHeaders() {
    QByteArray headers;
    for (int i = 0; i < 101; ++i) headers += "X-H" + QByteArray::number(i) + ": v\r\n";
    expectErrorThenClose(get("/hello", headers), 431);
    // 99 + Host = 100 is still fine.
    headers.clear();
    for (int i = 0; i < 99; ++i) headers += "X-H" + QByteArray::number(i) + ": v\r\n";
    Client c(port());
    QVERIFY(c.send(get("/hello", headers)));
    REQUIRE_RESPONSE(r, c);
    QCOMPARE(r->status, 200);
  }

  void bodyTooLargeContentLength() {
    expectErrorThenClose(post("/echo", QByteArray(2000, 'b')), 413);
    // The limit is checked from the Content-Length before any body byte is read.
    Client c(port());
    QVERIFY(c.send("POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: 1025\r\n\r\n"));
    REQUIRE_RESPONSE(r, c, false, 2000);
    QCOMPARE(r->status, 413);
    QVERIFY(c.closedByPeer(2000));
  }

  void bodyTooLargeChunked() {
    Client c(port());
    QVERIFY(c.connected());
    QVERIFY(c.send("POST /echo HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n"));
    const QByteArray chunk = "200\r\n" + QByteArray(512, 'c') + "\r\n";
    bool answered = false;
    for (int i = 0; i < 4 && !answered; ++i) {
      c.send(chunk);  // may fail once the server has closed
      answered = c.fill(QDeadlineTimer(100)) || c.closedByPeer(0);
    }
    REQUIRE_RESPONSE(r, c);
    QCOMPARE(r->status, 413);
    QVERIFY(c.closedByPeer(2000));
  }

  // ---- smuggling -------------------------------------------------------------------

  void smuggling_data() {
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<int>("status");
    QTest::newRow("CL + TE") << QByteArray(
        "POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
                             << 400;
    QTest::newRow("TE + CL") << QByteArray(
        "POST /echo HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n")
                             << 400;
    QTest::newRow("two CL equal") << QByteArray(
        "POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello")
                                  << 400;
    QTest::newRow("two CL differ") << QByteArray(
        "POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: 5\r\nContent-Length: 0\r\n\r\nhello")
                                   << 400;
    QTest::newRow("bare LF in chunk size line") << QByteArray(
        "POST /echo HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n5\nhello\r\n0\r\n\r\n")
                                                << 400;
    QTest::newRow("bare LF after chunk data") << QByteArray(
        "POST /echo HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\n0\r\n\r\n")
                                              << 400;
    QTest::newRow("TE gzip, chunked") << QByteArray(
        "POST /echo HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n")
                                      << 501;
    QTest::newRow("TE chunked, gzip") << QByteArray(
        "POST /echo HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n")
                                      << 400;
    QTest::newRow("bare LF in header") << QByteArray("GET /hello HTTP/1.1\nHost: test\r\n\r\n") << 400;
    QTest::newRow("space before colon") << QByteArray(
        "POST /echo HTTP/1.1\r\nHost: test\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n")
                                        << 400;
    QTest::newRow("negative CL") << QByteArray(
        "POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: -1\r\n\r\n")
                                 << 400;
    QTest::newRow("TE in HTTP/1.0") << QByteArray(
        "POST /echo HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
                                    << 400;
  }
  void smuggling() {
    QFETCH(QByteArray, request);
    QFETCH(int, status);
    expectErrorThenClose(request, status);
  }

  void missingHost() {
    expectErrorThenClose("GET /hello HTTP/1.1\r\n\r\n", 400);
    // HTTP/1.0 needs no Host.
    Client c(port());
    QVERIFY(c.send("GET /hello HTTP/1.0\r\n\r\n"));
    REQUIRE_RESPONSE(r, c);
    QCOMPARE(r->status, 200);
  }

  void traversal_data() {
    QTest::addColumn<QByteArray>("target");
    QTest::newRow("dotdot") << QByteArray("/params/../../etc/passwd");
    QTest::newRow("encoded dotdot") << QByteArray("/%2e%2e/%2e%2e/etc/passwd");
    QTest::newRow("encoded slash") << QByteArray("/params/..%2f..%2fetc");
    QTest::newRow("mixed case") << QByteArray("/params/%2E%2E/%2e./etc");
    QTest::newRow("backslash") << QByteArray("/params/..%5c..%5cetc");
  }
  void traversal() {
    QFETCH(QByteArray, target);
    Client c(port());
    QVERIFY(c.connected());
    QVERIFY(c.send(get(target)));
    REQUIRE_RESPONSE(r, c);
    QCOMPARE(r->status, 400);
    QVERIFY(!r->body.contains("root:"));
  }

  // ---- timeouts and load -----------------------------------------------------------

  void slowloris() {
    ServerOptions o = baseOptions();
    o.headerTimeoutMs = 2000;
    ServerHost host(o, makeRouter());
    QVERIFY(host.ok());

    std::atomic<qint64> closedAfterMs{-1};
    std::atomic<int> bytesSent{0};
    QByteArray slowGot;
    std::jthread slow([&] {
      Client s(host.port());
      const QByteArray req = "GET /hello HTTP/1.1\r\nHost: test\r\nX-Slow: " + QByteArray(200, 's') + "\r\n\r\n";
      QElapsedTimer t;
      t.start();
      for (int i = 0; i < 25; ++i) {  // 25 × 300 ms: far longer than the header timeout
        if (!s.send(req.mid(i, 1))) break;
        ++bytesSent;
        if (s.closedByPeer(300)) break;
      }
      if (s.closedByPeer(0)) closedAfterMs = t.elapsed();
      slowGot = s.pending();
    });

    QThread::msleep(600);  // the slow client is well under way
    QElapsedTimer t;
    t.start();
    std::vector<std::unique_ptr<Client>> clients;
    for (int i = 0; i < 50; ++i) {
      clients.push_back(std::make_unique<Client>(host.port()));
      QVERIFY(clients.back()->connected());
      QVERIFY(clients.back()->send(get("/hello")));
    }
    int ok = 0;
    for (auto &c : clients) {
      auto r = c->readResponse(false, 1000);
      if (r && r->status == 200 && r->body == "hello") ++ok;
    }
    const qint64 elapsed = t.elapsed();
    QCOMPARE(ok, 50);
    QVERIFY2(elapsed < 1000, qPrintable(QStringLiteral("50 clients took %1 ms").arg(elapsed)));

    slow.join();
    QVERIFY2(closedAfterMs >= 0, "slow client was never disconnected");
    QVERIFY2(closedAfterMs >= 1800 && closedAfterMs <= 4000,
             qPrintable(QStringLiteral("slow client closed after %1 ms").arg(closedAfterMs.load())));
    if (!slowGot.isEmpty()) {
      QVERIFY2(slowGot.startsWith("HTTP/1.1 408 "), slowGot.constData());
    }
  }

  // A client that pauses in the middle of a body, right after exactly one read
  // buffer's worth, or that stops reading a big response, must not hold up the other
  // clients of its worker (regression: accepted sockets were blocking, and the worker
  // sat in recv()/send()).
  void stalledClientsDoNotBlockTheirWorker() {
    ServerOptions o = baseOptions();
    o.workers = 1;
    ServerHost host(o, makeRouter());
    QVERIFY(host.ok());
    Client uploader(host.port());
    QVERIFY(uploader.send("POST /upload HTTP/1.1\r\nHost: test\r\nContent-Length: 262144\r\n\r\n"));
    QThread::msleep(100);
    QVERIFY(uploader.send(QByteArray(65536, 'u')));  // then nothing for a while
    Client reader(host.port(), 4096);
    QVERIFY(reader.send(get("/big")));  // and never reads
    QThread::msleep(300);

    QElapsedTimer t;
    t.start();
    Client other(host.port());
    QVERIFY(other.send(get("/hello")));
    REQUIRE_RESPONSE(r, other, false, 2000);
    QCOMPARE(r->status, 200);
    QVERIFY2(t.elapsed() < 1000, qPrintable(QStringLiteral("took %1 ms").arg(t.elapsed())));

    // The stalled upload still completes once the rest arrives, and counts every byte.
    QVERIFY(uploader.send(QByteArray(262144 - 65536, 'u')));
    REQUIRE_RESPONSE(u, uploader);
    QCOMPARE(u->body, QByteArray("262144"));
  }

  // A fast client sending a body of many megabytes in one go gets its answer (the
  // read loop yields at its input cap but must keep reading the body).
  void largeBodyFast() {
    Client c(port());
    const QByteArray body(9 << 20, 'x');
    QVERIFY(c.send("POST /upload HTTP/1.1\r\nHost: test\r\nConnection: close\r\nContent-Length: " +
                   QByteArray::number(body.size()) + "\r\n\r\n" + body));
    REQUIRE_RESPONSE(r, c, false, 5000);
    QCOMPARE(r->body, QByteArray::number(body.size()));
    // Closed by the server before the next test counts the shared host's connections.
    QVERIFY(c.closedByPeer(2000));
  }

  void thousandConnections() {
    constexpr int kConns = 1000;
    // Earlier tests' clients are closed, but the server may still be noticing: count
    // from a server with none left, or one closing late spoils the count below.
    QTRY_COMPARE_WITH_TIMEOUT(host_->activeConnections(), 0, 5000);
    const int base = host_->activeConnections();
    std::vector<int> fds;
    fds.reserve(kConns);
    auto cleanup = qScopeGuard([&] {
      for (int fd : fds) ::close(fd);
    });
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port());
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    // In batches below the listen backlog, each one accepted before the next.
    for (int i = 0; i < kConns; ++i) {
      const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      QVERIFY2(fd >= 0, strerror(errno));
      fds.push_back(fd);
      const int rc = ::connect(fd, reinterpret_cast<sockaddr *>(&a), sizeof a);
      QVERIFY2(rc == 0 || errno == EINPROGRESS, strerror(errno));
      if ((i + 1) % 40 == 0 || i + 1 == kConns) {
        QDeadlineTimer dl(10000);
        while (host_->activeConnections() < base + i + 1 && !dl.hasExpired()) QThread::msleep(1);
        QVERIFY2(host_->activeConnections() >= base + i + 1,
                 qPrintable(QStringLiteral("only %1 of %2 accepted").arg(host_->activeConnections() - base).arg(i + 1)));
      }
    }

    for (int round = 0; round < 2; ++round) {
      const QByteArray req = get("/params/" + QByteArray::number(round) + "/r");
      for (int fd : fds) {
        // Connected sockets with empty buffers take a small request whole.
        pollfd p{fd, POLLOUT, 0};
        QVERIFY(::poll(&p, 1, 5000) == 1);
        QCOMPARE(::send(fd, req.constData(), size_t(req.size()), MSG_NOSIGNAL), ssize_t(req.size()));
      }
      std::vector<QByteArray> bufs(kConns);
      std::vector<bool> done(kConns, false);
      int ok = 0, finished = 0;
      const QByteArray expectBody = "id=" + QByteArray::number(round) + ";rest=r";
      QDeadlineTimer dl(30000);
      std::vector<pollfd> pfds(kConns);
      while (finished < kConns && !dl.hasExpired()) {
        for (int i = 0; i < kConns; ++i) pfds[i] = {done[i] ? -1 : fds[i], POLLIN, 0};
        const int n = ::poll(pfds.data(), nfds_t(kConns), 1000);
        if (n <= 0) continue;
        for (int i = 0; i < kConns; ++i) {
          if (done[i] || !(pfds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
          char tmp[4096];
          const ssize_t got = ::recv(fds[i], tmp, sizeof tmp, 0);
          const bool eof = got == 0 || (got < 0 && errno != EAGAIN && errno != EINTR);
          if (got > 0) bufs[i].append(tmp, got);
          HttpResponse r;
          const Parse pr = parseResponse(bufs[i], false, eof, &r);
          if (pr == Parse::Incomplete && !eof) continue;
          done[i] = true;
          ++finished;
          if (pr == Parse::Done && r.status == 200 && r.body == expectBody && bufs[i].isEmpty() && !eof) ++ok;
        }
      }
      QCOMPARE(finished, kConns);
      QCOMPARE(ok, kConns);
    }
    QCOMPARE(host_->activeConnections(), base + kConns);
  }

  void maxConnections() {
    ServerOptions o = baseOptions();
    o.maxConnections = 5;
    ServerHost host(o, makeRouter());
    QVERIFY(host.ok());
    std::vector<std::unique_ptr<Client>> clients;
    for (int i = 0; i < 5; ++i) {
      clients.push_back(std::make_unique<Client>(host.port()));
      QVERIFY(clients.back()->send(get("/hello")));
      REQUIRE_RESPONSE(r, *clients.back());
      QCOMPARE(r->status, 200);
    }
    QCOMPARE(host.activeConnections(), 5);

    {
      Client sixth(host.port());
      QVERIFY(sixth.connected());
      const auto full = sixth.readResponse(false, 3000);
      QVERIFY2(full.has_value(), sixth.error());
      const HttpResponse resp = full ? *full : sixth.lastPartial();
      const HttpResponse *r = &resp;
      QCOMPARE(r->status, 503);
      QCOMPARE(r->header("content-type"), QByteArray("application/json"));
      QJsonParseError pe;
      const QJsonDocument doc = QJsonDocument::fromJson(r->body, &pe);
      QCOMPARE(pe.error, QJsonParseError::NoError);
      QCOMPARE(doc.object().value(QStringLiteral("error")).toObject().value(QStringLiteral("code")).toString(),
               QStringLiteral("unavailable"));
      QVERIFY(sixth.closedByPeer(2000));
      if (full) QVERIFY(sixth.pending().isEmpty());
    }

    for (auto &c : clients) {
      QVERIFY(c->send(get("/hello")));
      REQUIRE_RESPONSE(r, *c);
      QCOMPARE(r->status, 200);
    }
    // A slot freed is a slot available again.
    clients.front().reset();
    QTRY_COMPARE_WITH_TIMEOUT(host.activeConnections(), 4, 3000);
    Client again(host.port());
    QVERIFY(again.send(get("/hello")));
    REQUIRE_RESPONSE(r, again);
    QCOMPARE(r->status, 200);
  }

  // ---- tracing ---------------------------------------------------------------------

  void traceparent() {
    const QByteArray traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    const QByteArray parent = "00f067aa0ba902b7";
    Client c(port());
    QVERIFY(c.connected());
    QVERIFY(c.send(get("/hello", "traceparent: 00-" + traceId + "-" + parent + "-01\r\nX-Request-Id: req-42.a_b\r\n")));
    REQUIRE_RESPONSE(r, c);
    const QList<QByteArray> tp = r->header("traceparent").split('-');
    QCOMPARE(tp.size(), 4);
    QCOMPARE(tp[0], QByteArray("00"));
    QCOMPARE(tp[1], traceId);
    QVERIFY(isHex(tp[2], 16));
    QVERIFY(tp[2] != parent);  // our own span
    QCOMPARE(tp[3], QByteArray("01"));
    QCOMPARE(r->header("x-request-id"), QByteArray("req-42.a_b"));
    QCOMPARE(r->headerCount("x-request-id"), 1);

    // Invalid traceparents (uppercase hex, all-zero trace id, bad length) start a new trace.
    const QList<QByteArray> invalid = {
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
        "garbage",
    };
    QSet<QByteArray> seen;
    for (const QByteArray &bad : invalid) {
      QVERIFY(c.send(get("/hello", "traceparent: " + bad + "\r\nX-Request-Id: has spaces in it\r\n")));
      REQUIRE_RESPONSE(r2, c);
      QCOMPARE(r2->status, 200);
      const QList<QByteArray> p = r2->header("traceparent").split('-');
      QCOMPARE(p.size(), 4);
      QVERIFY(isHex(p[1], 32));
      QVERIFY(p[1] != traceId.toLower());
      QVERIFY(p[1] != QByteArray(32, '0'));
      QVERIFY(isHex(p[2], 16));
      QVERIFY(!seen.contains(p[1]));
      seen.insert(p[1]);
      const QByteArray id = r2->header("x-request-id");
      QVERIFY(!id.isEmpty());
      QVERIFY(!id.contains(' '));
      QVERIFY(QRegularExpression(QStringLiteral("^[A-Za-z0-9._-]{1,64}$")).match(QString::fromLatin1(id)).hasMatch());
    }
    // No header at all: a fresh trace and a generated request id.
    QVERIFY(c.send(get("/hello")));
    REQUIRE_RESPONSE(r3, c);
    QVERIFY(isHex(r3->header("traceparent").split('-').value(1), 32));
    QVERIFY(!r3->header("x-request-id").isEmpty());
  }

  // ---- shutdown and metrics --------------------------------------------------------

  void gracefulShutdown() {
    ServerHost host(baseOptions(), makeRouter());
    QVERIFY(host.ok());
    const quint16 p = host.port();

    Client idle(p);  // keep-alive, between requests
    QVERIFY(idle.send(get("/hello")));
    REQUIRE_RESPONSE(ir, idle);
    QCOMPARE(ir->status, 200);

    Client busy(p);
    QVERIFY(busy.send(get("/slow")));
    QThread::msleep(50);  // dispatched, waiting on its timer

    QElapsedTimer t;
    t.start();
    host.shutdownAsync(3000);
    // New connections are refused as soon as the listener is closed.
    QDeadlineTimer dl(1000);
    bool refused = false;
    while (!refused && !dl.hasExpired()) {
      Client probe(p);
      refused = !probe.connected() && probe.connectErrno() == ECONNREFUSED;
      if (!refused) QThread::msleep(10);
    }
    QVERIFY2(refused, "new connections still accepted during shutdown");

    REQUIRE_RESPONSE(r, busy, false, 3000);
    QCOMPARE(r->status, 200);
    QCOMPARE(r->body, QByteArray("slow"));
    QVERIFY(busy.closedByPeer(2000));
    QVERIFY(idle.closedByPeer(1000));

    QTRY_VERIFY_WITH_TIMEOUT(host.shutdownDone(), 4000);
    QVERIFY2(t.elapsed() < 2500, "shutdown waited for its deadline although nothing was left in flight");
    Client after(p);
    QVERIFY(!after.connected());
    QCOMPARE(after.connectErrno(), ECONNREFUSED);
  }

  void metrics() {
    rs::metrics::Registry registry;  // outlives the server
    {
      ServerOptions o = baseOptions();
      o.metrics = &registry;
      ServerHost host(o, makeRouter());
      QVERIFY(host.ok());
      Client c(host.port());
      for (int i = 0; i < 3; ++i) {
        QVERIFY(c.send(get("/hello")));
        REQUIRE_RESPONSE(r, c);
        QCOMPARE(r->status, 200);
      }
      QVERIFY(c.send(post("/echo", "abc")));
      REQUIRE_RESPONSE(e, c);
      QCOMPARE(e->status, 200);
      QVERIFY(c.send(get("/missing")));
      REQUIRE_RESPONSE(m, c);
      QCOMPARE(m->status, 404);

      // Recorded right after the last byte is written: poll briefly.
      QTRY_VERIFY_WITH_TIMEOUT(registry.render().contains("http_request_duration_seconds_count 5\n"), 2000);
      const QByteArray text = registry.render();
      QVERIFY2(text.contains("http_requests_total{code=\"2xx\"} 4\n"), text.constData());
      QVERIFY2(text.contains("http_requests_total{code=\"4xx\"} 1\n"), text.constData());
      QVERIFY2(text.contains("http_requests_total{code=\"5xx\"} 0\n"), text.constData());
      QVERIFY2(text.contains("http_request_duration_seconds_count 5\n"), text.constData());
      QVERIFY2(text.contains("http_connections_accepted_total 1\n"), text.constData());
      QVERIFY2(text.contains("http_connections_active 1\n"), text.constData());
    }
  }
};

QTEST_GUILESS_MAIN(TestHttpServer)
#include "tst_httpserver.moc"
