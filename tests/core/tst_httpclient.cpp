// The client roles use to call each other: retries on 5xx/transport errors with
// backoff, a per-request timeout, and trace context handed on to the callee.

#include "core/http/server.h"
#include "core/http/trace.h"
#include "core/net/httpclient.h"
#include "support/rawhttp.h"

#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTest>
#include <QThread>
#include <QTimer>
#include <atomic>

using namespace rs;

namespace {

net::ClientReply call(net::HttpClient &client, const QByteArray &method, const QUrl &url, const net::ClientOptions &o,
                      const QByteArray &body = {}) {
  net::ClientReply out;
  bool done = false;
  client.request(method, url, body, o, [&](net::ClientReply r) {
    out = std::move(r);
    done = true;
  });
  QDeadlineTimer deadline(10000);
  while (!done && !deadline.hasExpired()) QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
  if (!done) out.error = QStringLiteral("test: no callback within 10 s");
  return out;
}

}  // namespace

class TestHttpClient : public QObject {
  Q_OBJECT
  std::shared_ptr<http::Router> router_ = std::make_shared<http::Router>();
  std::unique_ptr<test::ServerHost> server_;
  std::atomic<int> flakyCalls_{0};
  QByteArray lastTraceparent_;
  QUrl base_;

 private Q_SLOTS:
  void initTestCase() {
    router_->get(QStringLiteral("/flaky"), http::Access::Public, [this](http::Request &) {
      // Two 503s, then success.
      return ++flakyCalls_ <= 2 ? http::Response::error(ErrorCode::Unavailable, QStringLiteral("warming up"))
                                : http::Response::text(200, "ready");
    });
    router_->get(QStringLiteral("/missing"), http::Access::Public, [this](http::Request &) {
      ++flakyCalls_;
      return http::Response::error(ErrorCode::NotFound, QStringLiteral("nope"));
    });
    router_->get(QStringLiteral("/trace"), http::Access::Public, [this](http::Request &req) {
      lastTraceparent_ = req.header("traceparent");
      return http::Response::text(200, req.trace.traceId);
    });
    router_->addAsync("GET", QStringLiteral("/never"), http::Access::Public, [](http::Request &, http::Responder) {});
    router_->post(QStringLiteral("/echo"), http::Access::Public, [](http::Request &req) { return http::Response::text(200, req.body); });
    http::ServerOptions o;
    o.workers = 1;
    server_ = std::make_unique<test::ServerHost>(o, router_);
    QVERIFY2(server_->ok(), qPrintable(server_->error()));
    base_ = QUrl(QStringLiteral("http://127.0.0.1:%1").arg(server_->port()));
  }

  void cleanupTestCase() { server_->stop(); }

  void retriesUntilSuccess() {
    flakyCalls_ = 0;
    net::HttpClient client;
    net::ClientOptions o;
    o.retries = 3;
    o.backoffMs = 20;
    const auto r = call(client, "GET", base_.resolved(QUrl(QStringLiteral("/flaky"))), o);
    QCOMPARE(r.status, 200);
    QCOMPARE(r.body, QByteArray("ready"));
    QCOMPARE(flakyCalls_.load(), 3);
  }

  void givesUpAfterRetries() {
    flakyCalls_ = 0;
    net::HttpClient client;
    net::ClientOptions o;
    o.retries = 1;
    o.backoffMs = 20;
    const auto r = call(client, "GET", base_.resolved(QUrl(QStringLiteral("/flaky"))), o);
    QCOMPARE(r.status, 503);
    QVERIFY(!r.ok());
    QCOMPARE(flakyCalls_.load(), 2);
  }

  void doesNotRetryClientErrors() {
    flakyCalls_ = 0;
    net::HttpClient client;
    net::ClientOptions o;
    o.retries = 3;
    const auto r = call(client, "GET", base_.resolved(QUrl(QStringLiteral("/missing"))), o);
    QCOMPARE(r.status, 404);
    QCOMPARE(flakyCalls_.load(), 1);
  }

  void timesOut() {
    net::HttpClient client;
    net::ClientOptions o;
    o.timeoutMs = 300;
    QElapsedTimer t;
    t.start();
    const auto r = call(client, "GET", base_.resolved(QUrl(QStringLiteral("/never"))), o);
    QCOMPARE(r.status, 0);
    QVERIFY2(r.error.contains(QStringLiteral("timed out")), qPrintable(r.error));
    QVERIFY2(t.elapsed() < 3000, "the timeout did not cut the request");
  }

  void refusedConnectionIsAnError() {
    net::HttpClient client;
    net::ClientOptions o;
    o.retries = 1;
    o.backoffMs = 10;
    const auto r = call(client, "GET", QUrl(QStringLiteral("http://127.0.0.1:1/")), o);
    QCOMPARE(r.status, 0);
    QVERIFY(!r.error.isEmpty());
  }

  void propagatesTrace() {
    net::HttpClient client;
    net::ClientOptions o;
    o.trace = http::newTrace();
    const auto r = call(client, "GET", base_.resolved(QUrl(QStringLiteral("/trace"))), o);
    QCOMPARE(r.status, 200);
    // The callee continues our trace, under a new span whose parent is ours.
    QCOMPARE(r.body, o.trace.traceId);
    http::TraceContext seen;
    QVERIFY(http::parseTraceparent(lastTraceparent_, &seen));
    QCOMPARE(seen.traceId, o.trace.traceId);
    QCOMPARE(seen.parentId.size(), 16);
    QVERIFY(seen.parentId != o.trace.spanId);  // a child span, not ours reused
  }

  void callableFromAnotherThread() {
    net::HttpClient client;
    net::ClientReply out;
    std::atomic<bool> done{false};
    QThread *t = QThread::create([&] {
      client.post(base_.resolved(QUrl(QStringLiteral("/echo"))), "from a worker", {}, [&](net::ClientReply r) {
        QCOMPARE(QThread::currentThread(), client.thread());  // callbacks run on the client's thread
        out = std::move(r);
        done = true;
      });
    });
    t->start();
    QTRY_VERIFY_WITH_TIMEOUT(done.load(), 5000);
    t->wait();
    delete t;
    QCOMPARE(out.body, QByteArray("from a worker"));
  }
};

QTEST_GUILESS_MAIN(TestHttpClient)
#include "tst_httpclient.moc"
