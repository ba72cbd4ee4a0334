// The edge's disk tier through the real process: objects completed before a kill -9
// are disk HITs after a restart, a download cut by the kill is never served partial,
// the tier never holds more than --edge-disk-max, and SIGTERM during a download exits
// cleanly.

#include "edgetest.h"

#include <QTest>

using namespace rs::test;

class TestEdgeDisk : public QObject {
  Q_OBJECT

  QTemporaryDir dir_;

  static int diskObjects(const Platform &edge) {
    return edgeJson(edge, QStringLiteral("/edge/v1/stats")).value(QStringLiteral("disk")).toObject().value(QStringLiteral("objects")).toInt();
  }

  // Waits until body bytes of a response have arrived on c.
  static bool bodyStarted(Client &c, int timeoutMs) {
    QDeadlineTimer dl(timeoutMs);
    while (!dl.hasExpired()) {
      c.fill(dl);
      const qsizetype headEnd = c.pending().indexOf("\r\n\r\n");
      if (headEnd >= 0 && c.pending().size() > headEnd + 4) return true;
    }
    return false;
  }

 private Q_SLOTS:
  void initTestCase() { QVERIFY(dir_.isValid()); }

  void killDuringDownloadThenRestart() {
    TestOrigin o;
    const QString a = QStringLiteral("/media/t_kill/video/240p/seg-1.m4s");
    const QString b = QStringLiteral("/media/t_kill/video/240p/init.mp4");
    const QString slowPath = QStringLiteral("/media/t_kill/video/1080p/seg-1.m4s");
    OriginObject oa, ob, slow;
    oa.body = randomBytes(700 * 1024, 31);
    ob.body = randomBytes(900, 32);
    slow.body = randomBytes(1500 * 1024, 33);
    slow.pieces = 30;
    slow.pieceDelayMs = 100;
    o.put(a, oa);
    o.put(b, ob);
    o.put(slowPath, slow);

    const QString data = dir_.filePath(QStringLiteral("kill"));
    const QStringList flags{QStringLiteral("--edge-admission=always")};
    QString err;
    {
      Platform edge(data);
      QVERIFY2(startEdge(edge, {o.url()}, flags, &err), qPrintable(err));
      QCOMPARE(rawGet(edgePort(edge), a).status, 200);
      QCOMPARE(rawGet(edgePort(edge), b).status, 200);
      QTRY_COMPARE_WITH_TIMEOUT(diskObjects(edge), 2, 5000);
      Client c(edgePort(edge));
      c.send("GET " + slowPath.toUtf8() + " HTTP/1.1\r\nHost: edge\r\nAuthorization: " + edgeKeys().service() + "\r\n\r\n");
      QVERIFY(bodyStarted(c, 5000));
      edge.kill();  // SIGKILL mid-download
      QVERIFY(!c.readResponse(false, 5000));
    }
    // Nothing half-written may remain under objects/ (tmp/ is emptied on start).
    Platform again(data);
    QVERIFY2(startEdge(again, {o.url()}, flags, &err), qPrintable(err));
    const quint16 port = edgePort(again);
    QCOMPARE(diskObjects(again), 2);
    for (const auto &[path, body] : {std::pair{a, oa.body}, std::pair{b, ob.body}}) {
      const Got g = rawGet(port, path);
      QCOMPARE(g.status, 200);
      QVERIFY(g.body == body);
      QVERIFY2(g.xcache().startsWith("HIT tier=disk edge="), g.xcache().constData());
    }
    QCOMPARE(o.count(a), 1);
    const int before = o.count(slowPath);
    const Got s = rawGet(port, slowPath, {}, 20000);
    QCOMPARE(s.status, 200);
    QVERIFY(s.complete);
    QVERIFY(s.body == slow.body);
    QVERIFY2(s.xcache().startsWith("MISS"), s.xcache().constData());
    QCOMPARE(o.count(slowPath), before + 1);
    QVERIFY(again.terminate());
  }

  // With a small disk tier and admission "always", the files under objects/ never add
  // up to more than --edge-disk-max, and old objects make room for new ones.
  void diskNeverExceedsItsLimit() {
    TestOrigin o;
    constexpr qint64 kDiskMax = 300 * 1000;
    const QString data = dir_.filePath(QStringLiteral("limit"));
    Platform edge(data);
    QString err;
    QVERIFY2(startEdge(edge, {o.url()},
                       {QStringLiteral("--edge-admission=always"), QStringLiteral("--edge-disk-max=%1").arg(kDiskMax),
                        QStringLiteral("--edge-memory-max=60000"), QStringLiteral("--edge-memory-object-max=30000"),
                        QStringLiteral("--edge-policy=lru")},
                       &err),
             qPrintable(err));
    const quint16 port = edgePort(edge);
    const QString objects = data + QStringLiteral("/edge/cache/objects");
    QList<QByteArray> bodies;
    for (int i = 0; i < 24; ++i) {
      const QString path = QStringLiteral("/media/t_lim/video/240p/seg-%1.m4s").arg(i);
      OriginObject obj;
      obj.body = randomBytes(40 * 1000 + i, quint32(100 + i));
      bodies << obj.body;
      o.put(path, obj);
      const Got g = rawGet(port, path);
      QCOMPARE(g.status, 200);
      QVERIFY(g.body == obj.body);
      const qint64 used = treeBytes(objects);
      QVERIFY2(used <= kDiskMax, qPrintable(QStringLiteral("%1 bytes on disk after object %2").arg(used).arg(i)));
    }
    // Disk writes are asynchronous (fsync): wait for them, then look at the end state.
    QTRY_VERIFY_WITH_TIMEOUT(treeBytes(objects) > kDiskMax / 2, 5000);
    const qint64 used = treeBytes(objects);
    QVERIFY2(used <= kDiskMax, qPrintable(QString::number(used)));
    const QJsonObject disk = edgeJson(edge, QStringLiteral("/edge/v1/stats")).value(QStringLiteral("disk")).toObject();
    QVERIFY(disk.value(QStringLiteral("objects")).toInt() < 24);
    QVERIFY(disk.value(QStringLiteral("bytes")).toDouble() <= kDiskMax);
    QCOMPARE(disk.value(QStringLiteral("maxBytes")).toDouble(), double(kDiskMax));
    // All 24 written (asynchronously) means evictions: 24 × 40 kB do not fit in 300 kB.
    QTRY_VERIFY_WITH_TIMEOUT(metricSum(rawGet(port, QStringLiteral("/metrics")).body, "reelstack_edge_evictions_total{tier=\"disk\"}") >= 10, 10000);
    QVERIFY(treeBytes(objects) <= kDiskMax);
    // The newest object is still served from the edge, whatever was evicted.
    const Got last = rawGet(port, QStringLiteral("/media/t_lim/video/240p/seg-23.m4s"));
    QVERIFY2(last.xcache().startsWith("HIT"), last.xcache().constData());
    QVERIFY(edge.terminate());
  }

  // SIGTERM with a download in flight: the process exits 0 (the download is failed and
  // the fetch thread stopped) within the shutdown deadline.
  void sigtermDuringDownload() {
    TestOrigin o;
    const QString path = QStringLiteral("/media/t_term/video/1080p/seg-1.m4s");
    OriginObject slow;
    slow.body = randomBytes(1024 * 1024, 41);
    slow.pieces = 50;
    slow.pieceDelayMs = 200;
    o.put(path, slow);
    Platform edge(dir_.filePath(QStringLiteral("term")));
    QString err;
    QVERIFY2(startEdge(edge, {o.url()}, {QStringLiteral("--shutdown-timeout=1")}, &err), qPrintable(err));
    Client c(edgePort(edge));
    c.send("GET " + path.toUtf8() + " HTTP/1.1\r\nHost: edge\r\nAuthorization: " + edgeKeys().service() + "\r\n\r\n");
    QVERIFY(bodyStarted(c, 5000));
    QElapsedTimer t;
    t.start();
    QVERIFY2(edge.terminate(8000), "the edge did not exit 0 on SIGTERM");
    QVERIFY2(t.elapsed() < 5000, qPrintable(QString::number(t.elapsed())));
    QVERIFY2(!c.readResponse(false, 2000), "the cut download must not look complete");
  }
};

QTEST_GUILESS_MAIN(TestEdgeDisk)
#include "tst_edgedisk.moc"
