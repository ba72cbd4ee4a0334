// The edge as a caching proxy, a real `platform --role=edge` in front of an origin the
// test controls: one upstream fetch for a herd of 500, bytes flowing to waiters while
// the upstream still sends, a broken upstream body never cached, 404s remembered,
// strict ranges from every place an object can be, the contract's headers, purge,
// stats and metrics.

#include "edgetest.h"

#include <QTest>

using namespace rs::test;

class TestEdgeProxy : public QObject {
  Q_OBJECT

  QTemporaryDir dir_;
  std::unique_ptr<TestOrigin> origin_;
  std::unique_ptr<Platform> edge_;
  quint16 port_ = 0;

  QByteArray put(const QString &path, qsizetype size, quint32 seed, OriginObject o = {}) {
    o.body = randomBytes(size, seed);
    origin_->put(path, o);
    return o.body;
  }

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    origin_ = std::make_unique<TestOrigin>();
    QVERIFY(origin_->ok());
    edge_ = std::make_unique<Platform>(dir_.filePath(QStringLiteral("edge")));
    QString err;
    QVERIFY2(startEdge(*edge_, {origin_->url()}, {QStringLiteral("--edge-negative-ttl=1")}, &err), qPrintable(err));
    port_ = edgePort(*edge_);
  }

  // 500 clients at once for one cold object: the upstream is asked once, every client
  // gets the identical bytes, and the joiners are counted as coalesced misses.
  void herdOfFiveHundredMakesOneFetch() {
    const QString path = QStringLiteral("/media/t_herd/video/1080p/seg-1.m4s");
    OriginObject slowHead;
    slowHead.headDelayMs = 400;  // the herd arrives while the fetch is in flight
    const QByteArray expected = put(path, 2 * 1024 * 1024 + 17, 1, slowHead);
    constexpr int kClients = 500;
    std::atomic<int> identical{0}, misses{0};
    std::atomic<bool> go{false};
    std::mutex errorsMutex;
    QStringList errors;
    std::vector<std::thread> threads;
    for (int i = 0; i < kClients; ++i) {
      threads.emplace_back([&] {
        while (!go) std::this_thread::yield();
        const Got g = rawGet(port_, path, {}, 30000);
        if (g.status == 200 && g.complete && g.body == expected) {
          ++identical;
          if (g.xcache().startsWith("MISS")) ++misses;
        } else {
          std::lock_guard lock(errorsMutex);
          if (errors.size() < 5) errors << QStringLiteral("HTTP %1, %2 bytes, %3").arg(g.status).arg(g.body.size()).arg(g.error);
        }
      });
    }
    go = true;
    for (auto &t : threads) t.join();
    QVERIFY2(errors.isEmpty(), qPrintable(errors.join(QStringLiteral("; "))));
    QCOMPARE(identical.load(), kClients);
    QCOMPARE(origin_->count(path), 1);
    QVERIFY2(misses > 1, "clients that joined the fetch are MISS, not HIT");
    const QByteArray metrics = rawGet(port_, QStringLiteral("/metrics")).body;
    QVERIFY2(metricSum(metrics, "reelstack_edge_coalesced_total") >= misses - 1, metrics.constData());
    const Got again = rawGet(port_, path);
    QCOMPARE(again.body, expected);
    QVERIFY2(again.xcache().startsWith("HIT tier=memory edge="), again.xcache().constData());
    QCOMPARE(origin_->count(path), 1);
  }

  // Head after 2 s, body in pieces over ~2 s: two clients share one fetch, and a client
  // gets body bytes long before the upstream has sent its last one.
  void slowUpstreamIsReadWhileWritten() {
    const QString path = QStringLiteral("/media/t_slow/video/720p/seg-3.m4s");
    OriginObject slow;
    slow.headDelayMs = 2000;
    slow.pieces = 9;
    slow.pieceDelayMs = 250;
    const QByteArray expected = put(path, 900 * 1024, 2, slow);

    Got second;
    std::thread other([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
      second = rawGet(port_, path, {}, 20000);
    });
    Client c(port_);
    QVERIFY(c.connected());
    const qint64 sentAt = TestOrigin::clock().elapsed();
    c.send("GET " + path.toUtf8() + " HTTP/1.1\r\nHost: edge\r\nAuthorization: " + edgeKeys().service() + "\r\n\r\n");
    QDeadlineTimer dl(15000);
    qint64 firstBodyAt = -1;
    while (firstBodyAt < 0 && !dl.hasExpired()) {
      c.fill(dl);
      const qsizetype headEnd = c.pending().indexOf("\r\n\r\n");
      if (headEnd >= 0 && c.pending().size() > headEnd + 4) firstBodyAt = TestOrigin::clock().elapsed();
    }
    QVERIFY2(firstBodyAt >= 0, "no body bytes");
    auto r = c.readResponse(false, 15000);
    QVERIFY2(r, c.error());
    QCOMPARE(r->status, 200);
    QVERIFY(r->body == expected);
    QVERIFY2(r->header("x-cache").startsWith("MISS tier=upstream"), r->header("x-cache").constData());
    other.join();
    QCOMPARE(second.status, 200);
    QVERIFY(second.body == expected);
    QVERIFY2(second.xcache().startsWith("MISS"), "joining an in-flight fetch is a MISS");

    const qint64 upstreamDone = origin_->finishedAtMs(path);
    QVERIFY(upstreamDone > 0);
    qInfo() << "head+first bytes after" << firstBodyAt - sentAt << "ms; upstream finished after" << upstreamDone - sentAt << "ms";
    QVERIFY2(firstBodyAt - sentAt >= 1900, "the head was held back 2 s upstream");
    QVERIFY2(firstBodyAt < upstreamDone - 1000,
             qPrintable(QStringLiteral("first bytes at %1 ms, upstream done at %2 ms").arg(firstBodyAt - sentAt).arg(upstreamDone - sentAt)));
    QCOMPARE(origin_->count(path), 1);
  }

  // The upstream breaks off mid-body: the client sees a body shorter than its
  // Content-Length on a closed connection, and nothing was cached.
  void upstreamAbortTruncatesAndCachesNothing() {
    const QString path = QStringLiteral("/media/t_abort/video/480p/seg-1.m4s");
    OriginObject breaking;
    breaking.pieces = 4;
    breaking.pieceDelayMs = 100;
    breaking.abortAfter = 300 * 1024;
    const QByteArray expected = put(path, 1024 * 1024, 3, breaking);
    const Got broken = rawGet(port_, path);
    QVERIFY2(!broken.complete, "a truncated body must not look complete");
    QCOMPARE(broken.status, 200);
    QCOMPARE(broken.header("content-length"), QByteArray::number(expected.size()));
    QVERIFY2(broken.body.size() < expected.size(), qPrintable(QString::number(broken.body.size())));
    QVERIFY(expected.startsWith(broken.body));

    OriginObject fine;
    fine.body = expected;
    origin_->put(path, fine);
    const Got next = rawGet(port_, path);
    QCOMPARE(next.status, 200);
    QVERIFY(next.body == expected);
    QVERIFY2(next.xcache().startsWith("MISS"), next.xcache().constData());
    QCOMPARE(origin_->count(path), 2);
  }

  // A 404 is answered as JSON and remembered for --edge-negative-ttl (1 s here).
  void notFoundIsNegativelyCached() {
    const QString path = QStringLiteral("/media/t_none/video/240p/seg-9.m4s");
    const Got first = rawGet(port_, path);
    QCOMPARE(first.status, 404);
    QCOMPARE(first.json().value(QStringLiteral("error")).toObject().value(QStringLiteral("code")).toString(), QStringLiteral("not_found"));
    QVERIFY2(first.xcache().startsWith("MISS tier=upstream"), first.xcache().constData());
    const Got second = rawGet(port_, path);
    QCOMPARE(second.status, 404);
    QVERIFY2(second.xcache().startsWith("HIT tier=negative edge="), second.xcache().constData());
    QCOMPARE(origin_->count(path), 1);
    QTest::qWait(1200);
    QCOMPARE(rawGet(port_, path).status, 404);
    QCOMPARE(origin_->count(path), 2);
    // Published after all: served once the negative entry has expired.
    const QByteArray body = put(path, 5000, 4);
    QTest::qWait(1200);
    const Got now = rawGet(port_, path);
    QCOMPARE(now.status, 200);
    QVERIFY(now.body == body);
  }

  void rangesOnHitsAndMisses() {
    // A hit: 206 with exactly the asked bytes.
    const QString a = QStringLiteral("/media/t_range/video/360p/seg-1.m4s");
    const QByteArray bodyA = put(a, 300 * 1024, 5);
    QCOMPARE(rawGet(port_, a).body, bodyA);
    Got r = rawGet(port_, a, {{"Range", "bytes=100-199"}});
    QCOMPARE(r.status, 206);
    QCOMPARE(r.header("content-range"), QByteArray("bytes 100-199/") + QByteArray::number(bodyA.size()));
    QCOMPARE(r.body, bodyA.mid(100, 100));
    QVERIFY(r.xcache().startsWith("HIT"));
    r = rawGet(port_, a, {{"Range", "bytes=-1000"}});
    QCOMPARE(r.status, 206);
    QCOMPARE(r.body, bodyA.right(1000));
    r = rawGet(port_, a, {{"Range", "bytes=200000-"}});
    QCOMPARE(r.status, 206);
    QCOMPARE(r.body, bodyA.mid(200000));
    r = rawGet(port_, a, {{"Range", "bytes=0-0,5-6"}});
    QCOMPARE(r.status, 200);  // several ranges: the whole object
    QCOMPARE(r.body, bodyA);
    r = rawGet(port_, a, {{"Range", "bytes=999999-"}});
    QCOMPARE(r.status, 416);
    QCOMPARE(r.header("content-range"), QByteArray("bytes */") + QByteArray::number(bodyA.size()));

    // A miss with a range: 206 for the range, and the whole object is cached.
    const QString b = QStringLiteral("/media/t_range/video/360p/seg-2.m4s");
    OriginObject slow;
    slow.pieces = 4;
    slow.pieceDelayMs = 100;
    const QByteArray bodyB = put(b, 500 * 1024, 6, slow);
    r = rawGet(port_, b, {{"Range", "bytes=400000-400099"}});
    QCOMPARE(r.status, 206);
    QCOMPARE(r.body, bodyB.mid(400000, 100));
    QVERIFY2(r.xcache().startsWith("MISS"), r.xcache().constData());
    r = rawGet(port_, b);
    QCOMPARE(r.status, 200);
    QVERIFY(r.body == bodyB);
    QCOMPARE(origin_->count(b), 1);

    // Malformed ranges on a miss: 416 with the length from the upstream's head; the
    // object cached meanwhile is whole and correct.
    int seed = 7;
    for (const QByteArray &bad : {QByteArray("bytes=abc"), QByteArray("bytes=5-2")}) {
      const QString c = QStringLiteral("/media/t_range/video/360p/bad-%1.m4s").arg(seed);
      const QByteArray bodyC = put(c, 200 * 1024 + seed, quint32(seed), slow);
      ++seed;
      r = rawGet(port_, c, {{"Range", bad}});
      QCOMPARE(r.status, 416);
      QCOMPARE(r.header("content-range"), QByteArray("bytes */") + QByteArray::number(bodyC.size()));
      QVERIFY(r.json().contains(QStringLiteral("error")));
      r = rawGet(port_, c);
      QCOMPARE(r.status, 200);
      QVERIFY(r.complete);
      QVERIFY(r.body == bodyC);
      QCOMPARE(origin_->count(c), 1);
    }
  }

  // Headers as the upstream sent them plus the edge's own; HEAD; the upstream's X-Cache
  // appended to a MISS; If-None-Match on a hit.
  void headersFollowTheContract() {
    const QString path = QStringLiteral("/media/t_head/master.m3u8");
    OriginObject o;
    o.contentType = "application/vnd.apple.mpegurl";
    o.cacheControl = "public, max-age=2";
    o.xcache = "HIT tier=disk edge=parent-1";
    const QByteArray body = put(path, 700, 11, o);
    const Got head = rawRequest(port_, "HEAD", path.toUtf8());
    QCOMPARE(head.status, 200);
    QVERIFY(head.body.isEmpty());
    QCOMPARE(head.header("content-length"), QByteArray::number(body.size()));
    QVERIFY2(head.xcache().startsWith("MISS tier=upstream edge=") && head.xcache().endsWith(", HIT tier=disk edge=parent-1"),
             head.xcache().constData());
    QTest::qWait(100);  // the HEAD was answered at the upstream's head; let the fetch end
    const Got g = rawGet(port_, path);
    QCOMPARE(g.body, body);
    QCOMPARE(g.header("content-type"), QByteArray("application/vnd.apple.mpegurl"));
    QCOMPARE(g.header("cache-control"), QByteArray("public, max-age=2"));
    QVERIFY(!g.header("etag").isEmpty());
    QCOMPARE(g.header("last-modified"), QByteArray("Wed, 25 Nov 2026 10:00:00 GMT"));
    QCOMPARE(g.header("accept-ranges"), QByteArray("bytes"));
    QCOMPARE(g.header("access-control-allow-origin"), QByteArray("*"));
    QCOMPARE(g.header("access-control-expose-headers"), QByteArray("X-Cache, Content-Length, Content-Range"));
    QVERIFY(g.response.has("age"));
    QVERIFY2(g.xcache().startsWith("HIT tier=memory edge=") && !g.xcache().contains(','), g.xcache().constData());
    const Got notModified = rawGet(port_, path, {{"If-None-Match", g.header("etag")}});
    QCOMPARE(notModified.status, 304);
    // Two seconds later it has expired: the next request goes upstream again.
    QTest::qWait(2100);
    const Got refetched = rawGet(port_, path);
    QVERIFY2(refetched.xcache().startsWith("MISS"), refetched.xcache().constData());
    QCOMPARE(origin_->count(path), 2);
    const Got preflight = rawRequest(port_, "OPTIONS", path.toUtf8());
    QCOMPARE(preflight.status, 204);
    QCOMPARE(preflight.header("access-control-allow-origin"), QByteArray("*"));
  }

  void noStoreIsNotCached() {
    const QString path = QStringLiteral("/media/t_nostore/live.m3u8");
    OriginObject o;
    o.cacheControl = "no-store";
    put(path, 300, 12, o);
    QCOMPARE(rawGet(port_, path).status, 200);
    QVERIFY(rawGet(port_, path).xcache().startsWith("MISS"));
    QCOMPARE(origin_->count(path), 2);
  }

  void purgeDropsAPrefix() {
    const QString a = QStringLiteral("/media/t_purge/video/240p/seg-1.m4s");
    const QString b = QStringLiteral("/media/t_purge/video/240p/seg-2.m4s");
    const QString keep = QStringLiteral("/media/t_keep/video/240p/seg-1.m4s");
    put(a, 1000, 13);
    put(b, 1000, 14);
    put(keep, 1000, 15);
    for (const QString &p : {a, b, keep}) QCOMPARE(rawGet(port_, p).status, 200);
    const Got missingPrefix = rawRequest(port_, "DELETE", "/edge/v1/cache");
    QCOMPARE(missingPrefix.status, 400);
    const Got purged = rawRequest(port_, "DELETE", "/edge/v1/cache?prefix=/media/t_purge/");
    QCOMPARE(purged.status, 200);
    QCOMPARE(purged.json().value(QStringLiteral("purged")).toInt(), 2);
    QVERIFY(rawGet(port_, a).xcache().startsWith("MISS"));
    QVERIFY(rawGet(port_, keep).xcache().startsWith("HIT"));
  }

  void statsAndMetrics() {
    const QJsonObject s = edgeJson(*edge_, QStringLiteral("/edge/v1/stats"));
    for (const char *k : {"instanceId", "region", "upstreams", "memory", "disk", "requests", "hits", "misses", "stale",
                          "objectHitRatio", "byteHitRatio", "bytesServed", "bytesFetched", "inFlight", "policy", "admission"})
      QVERIFY2(s.contains(QLatin1String(k)), k);
    QCOMPARE(s.value(QStringLiteral("region")).toString(), QStringLiteral("default"));
    QCOMPARE(s.value(QStringLiteral("policy")).toString(), QStringLiteral("s3fifo"));
    QCOMPARE(s.value(QStringLiteral("admission")).toString(), QStringLiteral("second-hit"));
    const QJsonObject up = s.value(QStringLiteral("upstreams")).toArray().at(0).toObject();
    QCOMPARE(up.value(QStringLiteral("url")).toString(), origin_->url());
    QCOMPARE(up.value(QStringLiteral("healthy")).toBool(), true);
    QVERIFY(up.value(QStringLiteral("lastCheckMs")).toDouble() > 0);
    QVERIFY(s.value(QStringLiteral("hits")).toInt() > 5);
    QVERIFY(s.value(QStringLiteral("misses")).toInt() > 0);
    const double ratio = s.value(QStringLiteral("objectHitRatio")).toDouble();
    QVERIFY(ratio > 0 && ratio < 1);
    QVERIFY(s.value(QStringLiteral("bytesServed")).toDouble() > s.value(QStringLiteral("bytesFetched")).toDouble());
    QVERIFY(s.value(QStringLiteral("memory")).toObject().value(QStringLiteral("objects")).toInt() > 0);
    QCOMPARE(s.value(QStringLiteral("inFlight")).toInt(), 0);

    const QByteArray m = rawGet(port_, QStringLiteral("/metrics")).body;
    for (const char *name : {"reelstack_edge_requests_total{result=\"hit\"}", "reelstack_edge_requests_total{result=\"miss\"}",
                             "reelstack_edge_requests_total{result=\"stale\"}", "reelstack_edge_requests_total{result=\"negative\"}",
                             "reelstack_edge_requests_total{result=\"error\"}", "reelstack_edge_hits_total{tier=\"memory\"}",
                             "reelstack_edge_hits_total{tier=\"disk\"}", "reelstack_edge_bytes_served_total",
                             "reelstack_edge_bytes_fetched_total", "reelstack_edge_object_hit_ratio", "reelstack_edge_byte_hit_ratio",
                             "reelstack_edge_upstream_seconds_bucket{upstream=", "reelstack_edge_upstream_fetches_total{upstream=",
                             "outcome=\"ok\"", "outcome=\"not_found\"", "outcome=\"error\"", "reelstack_edge_coalesced_total",
                             "reelstack_edge_evictions_total{tier=\"memory\"}", "reelstack_edge_cache_bytes{tier=\"disk\"}",
                             "reelstack_edge_cache_objects{tier=\"memory\"}", "reelstack_edge_cache_max_bytes{tier=\"memory\"}",
                             "reelstack_edge_upstream_healthy{upstream=", "reelstack_edge_prefetch_bytes_total",
                             "http_connections_active"})
      QVERIFY2(m.contains(name), name);
    QCOMPARE(metricSum(m, "reelstack_edge_requests_total"), s.value(QStringLiteral("requests")).toDouble());
    QCOMPARE(metricSum(m, "reelstack_edge_upstream_healthy"), 1.0);
  }

  void cleanupTestCase() {
    if (edge_) QVERIFY(edge_->terminate());
    origin_.reset();
  }
};

QTEST_GUILESS_MAIN(TestEdgeProxy)
#include "tst_edgeproxy.moc"
