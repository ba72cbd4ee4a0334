// A fresh edge whose upstream is not up yet. Edges, parents and origins of a stack are
// started together, so an edge's first health check of its upstream can fail; the
// edge must still serve the first request once the upstream answers, not 502 until
// the next check an interval later. The health interval here is 60 s, so nothing in
// these tests can pass by waiting for a check.

#include "edgetest.h"

#include <QTest>

using namespace rs::test;

class TestEdgeFresh : public QObject {
  Q_OBJECT

  QTemporaryDir dir_;

  static QJsonObject upstreamState(const Platform &edge, const QString &url) {
    for (const QJsonValue &v : edgeJson(edge, QStringLiteral("/edge/v1/stats")).value(QStringLiteral("upstreams")).toArray())
      if (v.toObject().value(QStringLiteral("url")).toString() == url) return v.toObject();
    return {};
  }

  // Until the edge's first health check of `url` has come back failed.
  static bool checkedDown(const Platform &edge, const QString &url) {
    const QJsonObject u = upstreamState(edge, url);
    return u.value(QStringLiteral("lastCheckMs")).toDouble() > 0 && !u.value(QStringLiteral("healthy")).toBool(true);
  }

  static QStringList slowChecks(const QString &listen) {
    return {QStringLiteral("--edge-health-interval=60"), QStringLiteral("--edge-listen=") + listen};
  }

 private Q_SLOTS:
  void initTestCase() { QVERIFY(dir_.isValid()); }

  // child → parent → origin, each started before the one it fetches from, so both
  // edges' first checks fail: the first request through the child is served, and the
  // upstreams it reached count as healthy again without waiting for a check.
  void chainStartedAtOnceServesFirstRequest() {
    const quint16 parentPort = freeLoopbackPort(), originPort = freeLoopbackPort();
    QVERIFY(parentPort && originPort && parentPort != originPort);
    const QString parentUrl = QStringLiteral("http://127.0.0.1:%1").arg(parentPort);
    const QString originUrl = QStringLiteral("http://127.0.0.1:%1").arg(originPort);
    QString err;

    Platform child(dir_.filePath(QStringLiteral("chain-child")));
    QVERIFY2(startEdge(child, {parentUrl}, slowChecks(QStringLiteral("127.0.0.1:0")), &err), qPrintable(err));
    QTRY_VERIFY_WITH_TIMEOUT(checkedDown(child, parentUrl), 5000);
    Platform parent(dir_.filePath(QStringLiteral("chain-parent")));
    QVERIFY2(startEdge(parent, {originUrl}, slowChecks(QStringLiteral("127.0.0.1:%1").arg(parentPort)), &err), qPrintable(err));
    QCOMPARE(edgePort(parent), parentPort);
    QTRY_VERIFY_WITH_TIMEOUT(checkedDown(parent, originUrl), 5000);
    TestOrigin origin(originPort);
    QVERIFY(origin.ok());
    QCOMPARE(origin.port(), originPort);
    const QString path = QStringLiteral("/media/t_fresh/video/240p/seg-1.m4s");
    OriginObject seg;
    seg.body = randomBytes(300 * 1024, 41);
    origin.put(path, seg);
    // Both edges still hold the failed check's verdict: nothing has re-checked.
    QVERIFY(checkedDown(child, parentUrl));
    QVERIFY(checkedDown(parent, originUrl));

    const QString childId = edgeJson(child, QStringLiteral("/edge/v1/stats")).value(QStringLiteral("instanceId")).toString();
    const QString parentId = edgeJson(parent, QStringLiteral("/edge/v1/stats")).value(QStringLiteral("instanceId")).toString();
    QElapsedTimer t;
    t.start();
    const Got first = rawGet(edgePort(child), path);
    QVERIFY2(first.status == 200, qPrintable(QStringLiteral("HTTP %1 %2").arg(first.status).arg(QString::fromUtf8(first.body.left(300)))));
    QVERIFY(first.complete && first.body == seg.body);
    QVERIFY2(t.elapsed() < 5000, qPrintable(QString::number(t.elapsed())));
    QCOMPARE(QString::fromUtf8(first.xcache()),
             QStringLiteral("MISS tier=upstream edge=%1, MISS tier=upstream edge=%2").arg(childId, parentId));
    QCOMPARE(origin.count(path), 1);

    // The answers proved both upstreams up: cached copies are HITs, not STALE.
    QCOMPARE(upstreamState(child, parentUrl).value(QStringLiteral("healthy")).toBool(), true);
    QCOMPARE(upstreamState(parent, originUrl).value(QStringLiteral("healthy")).toBool(), true);
    const Got again = rawGet(edgePort(child), path);
    QCOMPARE(again.status, 200);
    const QByteArray hitOfChild = "HIT tier=memory edge=" + childId.toUtf8();
    QVERIFY2(again.xcache().startsWith(hitOfChild), again.xcache().constData());
    QCOMPARE(metricSum(rawGet(edgePort(child), QStringLiteral("/metrics")).body, "reelstack_edge_upstream_healthy"), 1.0);
    QCOMPARE(origin.count(path), 1);
    QVERIFY(child.terminate());
    QVERIFY(parent.terminate());
  }

  // One edge whose only upstream comes up after the edge's failed first check: an
  // uncached object is fetched from it at once; what is cached is then a HIT.
  void upstreamComingUpLaterIsUsedAtOnce() {
    const quint16 originPort = freeLoopbackPort();
    QVERIFY(originPort);
    const QString originUrl = QStringLiteral("http://127.0.0.1:%1").arg(originPort);
    Platform edge(dir_.filePath(QStringLiteral("later")));
    QString err;
    QVERIFY2(startEdge(edge, {originUrl}, slowChecks(QStringLiteral("127.0.0.1:0")), &err), qPrintable(err));
    const quint16 port = edgePort(edge);
    QTRY_VERIFY_WITH_TIMEOUT(checkedDown(edge, originUrl), 5000);

    // Still nobody there: tried anyway, refused at once, a clear 502, nothing cached.
    const QString path = QStringLiteral("/media/t_later/video/240p/seg-1.m4s");
    QElapsedTimer t;
    t.start();
    const Got refused = rawGet(port, path);
    QCOMPARE(refused.status, 502);
    QCOMPARE(refused.json().value(QStringLiteral("error")).toObject().value(QStringLiteral("code")).toString(),
             QStringLiteral("bad_gateway"));
    QVERIFY2(t.elapsed() < 1000, qPrintable(QString::number(t.elapsed())));
    QVERIFY(checkedDown(edge, originUrl));

    TestOrigin origin(originPort);
    QVERIFY(origin.ok());
    OriginObject seg;
    seg.body = randomBytes(40 * 1024, 42);
    origin.put(path, seg);
    const QString other = QStringLiteral("/media/t_later/video/240p/seg-2.m4s");
    OriginObject seg2;
    seg2.body = randomBytes(1500, 43);
    origin.put(other, seg2);

    const Got first = rawGet(port, path);
    QCOMPARE(first.status, 200);
    QVERIFY(first.body == seg.body);
    QVERIFY2(first.xcache().startsWith("MISS tier=upstream"), first.xcache().constData());
    QCOMPARE(upstreamState(edge, originUrl).value(QStringLiteral("healthy")).toBool(), true);
    const Got hit = rawGet(port, path);
    QVERIFY2(hit.xcache().startsWith("HIT tier=memory"), hit.xcache().constData());
    QCOMPARE(rawGet(port, other).body, seg2.body);
    QCOMPARE(origin.count(path), 1);
    QCOMPARE(origin.count(other), 1);
    QVERIFY(edge.terminate());
  }
};

QTEST_GUILESS_MAIN(TestEdgeFresh)
#include "tst_edgefresh.moc"
