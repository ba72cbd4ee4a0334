// The edge when upstreams fail: failover past a refused and a 5xx upstream, 504 when
// the head does not come in time, a stalled body cut off, STALE copies while every
// upstream is down or a refetch of an expired object fails, and uncached objects
// failing fast instead of waiting for timeouts.

#include "edgetest.h"

#include <QTest>

using namespace rs::test;

class TestEdgeFailover : public QObject {
  Q_OBJECT

  QTemporaryDir dir_;

  static QJsonObject upstreamState(const Platform &edge, const QString &url) {
    for (const QJsonValue &v : edgeJson(edge, QStringLiteral("/edge/v1/stats")).value(QStringLiteral("upstreams")).toArray())
      if (v.toObject().value(QStringLiteral("url")).toString() == url) return v.toObject();
    return {};
  }

 private Q_SLOTS:
  void initTestCase() { QVERIFY(dir_.isValid()); }

  // Upstreams tried in order: a refused one (marked down), one answering 503 for the
  // object, then one that has it.
  void failsOverInOrder() {
    TestOrigin a, b;
    QVERIFY(a.ok() && b.ok());
    const QString path = QStringLiteral("/media/t_fo/video/240p/seg-1.m4s");
    const QString onA = QStringLiteral("/media/t_fo/video/240p/seg-2.m4s");
    OriginObject broken;
    broken.status = 503;
    a.put(path, broken);
    OriginObject good;
    good.body = randomBytes(64 * 1024, 21);
    b.put(path, good);
    OriginObject other;
    other.body = randomBytes(1000, 22);
    a.put(onA, other);

    const QString refused = QStringLiteral("http://127.0.0.1:1");
    Platform edge(dir_.filePath(QStringLiteral("failover")));
    QString err;
    QVERIFY2(startEdge(edge, {refused, a.url(), b.url()}, {}, &err), qPrintable(err));
    const quint16 port = edgePort(edge);
    const Got g = rawGet(port, path);
    QCOMPARE(g.status, 200);
    QVERIFY(g.body == good.body);
    QCOMPARE(a.count(path), 1);
    QCOMPARE(b.count(path), 1);
    QCOMPARE(rawGet(port, onA).body, other.body);
    QCOMPARE(b.count(onA), 0);
    QTRY_COMPARE_WITH_TIMEOUT(upstreamState(edge, refused).value(QStringLiteral("healthy")).toBool(true), false, 3000);
    QVERIFY(!upstreamState(edge, refused).value(QStringLiteral("lastError")).toString().isEmpty());
    QCOMPARE(upstreamState(edge, a.url()).value(QStringLiteral("healthy")).toBool(), true);
    const QByteArray m = rawGet(port, QStringLiteral("/metrics")).body;
    QCOMPARE(metricSum(m, "reelstack_edge_upstream_fetches_total{upstream=\"" + a.url().toUtf8() + "\",outcome=\"error\"}"), 1.0);
    QCOMPARE(metricSum(m, "reelstack_edge_upstream_healthy"), 2.0);

    // An upstream whose health check fails is skipped without being asked.
    a.setHealthy(false);
    const QString later = QStringLiteral("/media/t_fo/video/240p/seg-3.m4s");
    a.put(later, good);
    b.put(later, good);
    QTRY_COMPARE_WITH_TIMEOUT(upstreamState(edge, a.url()).value(QStringLiteral("healthy")).toBool(true), false, 3000);
    QCOMPARE(rawGet(port, later).status, 200);
    QCOMPARE(a.count(later), 0);
    QCOMPARE(b.count(later), 1);
    QVERIFY(edge.terminate());
  }

  // No head within --edge-first-byte-timeout: 504 gateway_timeout. A body that stalls
  // longer than --edge-between-bytes-timeout is cut off (and not cached).
  void timeouts() {
    TestOrigin o;
    const QString lateHead = QStringLiteral("/media/t_to/late.m4s");
    const QString stalls = QStringLiteral("/media/t_to/stalls.m4s");
    OriginObject late;
    late.body = randomBytes(1000, 23);
    late.headDelayMs = 3000;
    o.put(lateHead, late);
    OriginObject stalling;
    stalling.body = randomBytes(200 * 1024, 24);
    stalling.pieces = 2;
    stalling.pieceDelayMs = 2500;
    o.put(stalls, stalling);
    Platform edge(dir_.filePath(QStringLiteral("timeouts")));
    QString err;
    QVERIFY2(startEdge(edge, {o.url()}, {QStringLiteral("--edge-first-byte-timeout=0.5"), QStringLiteral("--edge-between-bytes-timeout=0.5")}, &err),
             qPrintable(err));
    const quint16 port = edgePort(edge);
    QElapsedTimer t;
    t.start();
    const Got g = rawGet(port, lateHead);
    QCOMPARE(g.status, 504);
    QCOMPARE(g.json().value(QStringLiteral("error")).toObject().value(QStringLiteral("code")).toString(), QStringLiteral("gateway_timeout"));
    QVERIFY2(t.elapsed() < 2000, qPrintable(QString::number(t.elapsed())));
    QVERIFY2(t.elapsed() >= 450, qPrintable(QString::number(t.elapsed())));

    const Got cut = rawGet(port, stalls);
    QCOMPARE(cut.status, 200);
    QVERIFY2(!cut.complete, "a stalled upstream body must reach the client truncated");
    QVERIFY(cut.body.size() < stalling.body.size());
    const QByteArray m = rawGet(port, QStringLiteral("/metrics")).body;
    QCOMPARE(metricSum(m, "reelstack_edge_upstream_fetches_total{upstream=\"" + o.url().toUtf8() + "\",outcome=\"timeout\"}"), 2.0);
    QCOMPARE(edgeJson(edge, QStringLiteral("/edge/v1/stats")).value(QStringLiteral("memory")).toObject().value(QStringLiteral("objects")).toInt(), 0);
    QVERIFY(edge.terminate());
    o.stop();
  }

  // More concurrent misses than connections to one upstream: the surplus waits in the
  // edge's own queue, where no connect timeout runs, instead of timing out while
  // queued inside the HTTP client.
  void surplusFetchesWaitWithoutTimingOut() {
    TestOrigin o;
    constexpr int kObjects = 14;
    QList<QByteArray> bodies;
    for (int i = 0; i < kObjects; ++i) {
      OriginObject obj;
      obj.body = randomBytes(2000 + i, quint32(200 + i));
      obj.headDelayMs = 700;
      bodies << obj.body;
      o.put(QStringLiteral("/media/t_q/seg-%1.m4s").arg(i), obj);
    }
    Platform edge(dir_.filePath(QStringLiteral("queue")));
    QString err;
    QVERIFY2(startEdge(edge, {o.url()}, {QStringLiteral("--edge-connect-timeout=0.3")}, &err), qPrintable(err));
    const quint16 port = edgePort(edge);
    std::vector<std::thread> threads;
    std::vector<Got> got(kObjects);
    for (int i = 0; i < kObjects; ++i)
      threads.emplace_back([&, i] { got[size_t(i)] = rawGet(port, QStringLiteral("/media/t_q/seg-%1.m4s").arg(i)); });
    for (auto &t : threads) t.join();
    for (int i = 0; i < kObjects; ++i) {
      QVERIFY2(got[size_t(i)].status == 200, qPrintable(QStringLiteral("object %1: HTTP %2 %3").arg(i).arg(got[size_t(i)].status).arg(QString::fromUtf8(got[size_t(i)].body.left(200)))));
      QVERIFY(got[size_t(i)].body == bodies[i]);
    }
    const QByteArray m = rawGet(port, QStringLiteral("/metrics")).body;
    QCOMPARE(metricSum(m, "reelstack_edge_upstream_fetches_total"), double(kObjects));
    QVERIFY(edge.terminate());
    o.stop();
  }

  // The origin goes away: once its health check fails, cached objects are STALE and
  // uncached ones fail at once with 502 bad_gateway.
  void staleWhileUpstreamDown() {
    auto o = std::make_unique<TestOrigin>();
    const QString cached = QStringLiteral("/media/t_down/video/240p/seg-1.m4s");
    const QString big = QStringLiteral("/media/t_down/video/1080p/seg-1.m4s");
    const QString never = QStringLiteral("/media/t_down/video/240p/seg-2.m4s");
    OriginObject a, b, c;
    a.body = randomBytes(30 * 1024, 25);
    b.body = randomBytes(900 * 1024, 26);
    c.body = randomBytes(1000, 27);
    o->put(cached, a);
    o->put(big, b);
    o->put(never, c);
    Platform edge(dir_.filePath(QStringLiteral("down")));
    QString err;
    QVERIFY2(startEdge(edge, {o->url()}, {}, &err), qPrintable(err));
    const quint16 port = edgePort(edge);
    const QString url = o->url();
    QCOMPARE(rawGet(port, cached).status, 200);
    QCOMPARE(rawGet(port, big).status, 200);

    o->stop();
    QTRY_COMPARE_WITH_TIMEOUT(upstreamState(edge, url).value(QStringLiteral("healthy")).toBool(true), false, 3000);
    for (const auto &[path, body] : {std::pair{cached, a.body}, std::pair{big, b.body}}) {
      const Got g = rawGet(port, path);
      QCOMPARE(g.status, 200);
      QVERIFY(g.body == body);
      QVERIFY2(g.xcache().startsWith("STALE tier=memory edge="), g.xcache().constData());
    }
    const Got range = rawGet(port, big, {{"Range", "bytes=10-19"}});
    QCOMPARE(range.status, 206);
    QCOMPARE(range.body, b.body.mid(10, 10));
    QElapsedTimer t;
    t.start();
    const Got miss = rawGet(port, never);
    QCOMPARE(miss.status, 502);
    QVERIFY2(t.elapsed() < 1000, qPrintable(QString::number(t.elapsed())));
    QCOMPARE(miss.json().value(QStringLiteral("error")).toObject().value(QStringLiteral("code")).toString(), QStringLiteral("bad_gateway"));
    const QByteArray m = rawGet(port, QStringLiteral("/metrics")).body;
    QCOMPARE(metricSum(m, "reelstack_edge_upstream_healthy"), 0.0);
    QCOMPARE(metricSum(m, "reelstack_edge_requests_total{result=\"stale\"}"), 3.0);
    QVERIFY(edge.terminate());
  }

  // An expired object whose refetch fails is served STALE; once the upstream answers
  // again it is fresh from there.
  void expiredAndRefetchFails() {
    TestOrigin o;
    const QString path = QStringLiteral("/media/t_exp/master.m3u8");
    OriginObject v1;
    v1.body = "#EXTM3U\n#v1\n";
    v1.cacheControl = "public, max-age=1";
    o.put(path, v1);
    Platform edge(dir_.filePath(QStringLiteral("expired")));
    QString err;
    QVERIFY2(startEdge(edge, {o.url()}, {}, &err), qPrintable(err));
    const quint16 port = edgePort(edge);
    QCOMPARE(rawGet(port, path).body, v1.body);
    const Got hit1 = rawGet(port, path);
    QVERIFY2(hit1.xcache().startsWith("HIT"), hit1.xcache().constData());
    QTest::qWait(1100);
    OriginObject failing = v1;
    failing.status = 500;
    o.put(path, failing);
    const Got stale = rawGet(port, path);
    QCOMPARE(stale.status, 200);
    QCOMPARE(stale.body, v1.body);
    QVERIFY2(stale.xcache().startsWith("STALE tier=memory"), stale.xcache().constData());
    QCOMPARE(o.count(path), 2);
    OriginObject v2 = v1;
    v2.body = "#EXTM3U\n#v2\n";
    o.put(path, v2);
    const Got fresh = rawGet(port, path);
    QCOMPARE(fresh.body, v2.body);
    QVERIFY2(fresh.xcache().startsWith("MISS"), fresh.xcache().constData());
    // The fetch completes before its last byte reaches a client: the next request is a HIT.
    const Got hit = rawGet(port, path);
    QVERIFY2(hit.xcache().startsWith("HIT"), hit.xcache().constData());
    QCOMPARE(o.count(path), 3);
    QVERIFY(edge.terminate());
  }
};

QTEST_GUILESS_MAIN(TestEdgeFailover)
#include "tst_edgefailover.moc"
