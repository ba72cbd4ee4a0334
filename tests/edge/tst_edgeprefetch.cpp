// Prefetch through the real edge: a list of paths and a whole title (expanded from its
// HLS playlists: variants, audio rendition, init segments, segments, plus the DASH
// manifest, poster and thumbnails) end with every object cached and on disk (whatever
// admission says), within the byte rate; and the heartbeat load control receives
// reports the titles held and the job's progress.

#include "edgetest.h"

#include <QTest>

using namespace rs::test;

namespace {
const QString kTitle = QStringLiteral("t_pf");

QByteArray master() {
  return "#EXTM3U\n"
         "#EXT-X-VERSION:7\n"
         "#EXT-X-INDEPENDENT-SEGMENTS\n"
         "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"aud\",NAME=\"aac\",DEFAULT=YES,URI=\"audio/aac/index.m3u8\"\n"
         "#EXT-X-STREAM-INF:BANDWIDTH=400000,CODECS=\"avc1.64000d,mp4a.40.2\",AUDIO=\"aud\"\n"
         "video/240p/index.m3u8\n"
         "#EXT-X-STREAM-INF:BANDWIDTH=900000,CODECS=\"avc1.64001e,mp4a.40.2\",AUDIO=\"aud\"\n"
         "/media/t_pf/video/360p/index.m3u8\n"
         "#EXT-X-STREAM-INF:BANDWIDTH=5000000\n"
         "https://elsewhere.example/video/1080p/index.m3u8\n";
}

QByteArray mediaPlaylist(int segments) {
  QByteArray p = "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:4\n#EXT-X-MEDIA-SEQUENCE:1\n"
                 "#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-MAP:URI=\"init.mp4\"\n";
  for (int i = 1; i <= segments; ++i) p += "#EXTINF:4.000,\nseg-" + QByteArray::number(i) + ".m4s\n";
  return p + "#EXT-X-ENDLIST\n";
}
}  // namespace

class TestEdgePrefetch : public QObject {
  Q_OBJECT

  QTemporaryDir dir_;
  TestOrigin origin_;
  std::unique_ptr<Platform> control_, edge_;
  quint16 port_ = 0;
  QMap<QString, QByteArray> title_;  // path → body

  QJsonObject job(const QString &id) {
    for (const QJsonValue &v : edgeJson(*edge_, QStringLiteral("/edge/v1/prefetch")).value(QStringLiteral("jobs")).toArray())
      if (v.toObject().value(QStringLiteral("id")).toString() == id) return v.toObject();
    return {};
  }

  QJsonObject edgeLoad() {
    QUrl u = control_->url(QStringLiteral("control")).resolved(QUrl(QStringLiteral("/control/v1/instances")));
    u.setQuery(QStringLiteral("role=edge"));
    const QJsonArray list =
        http("GET", u, {}, 10000, {{"Authorization", edgeKeys().service()}}).json().value(QStringLiteral("instances")).toArray();
    return list.isEmpty() ? QJsonObject() : list.at(0).toObject().value(QStringLiteral("load")).toObject();
  }

  Got post(const QByteArray &body) {
    return rawRequest(port_, "POST", "/edge/v1/prefetch", {{"Content-Type", "application/json"}}, 15000, body);
  }

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    QVERIFY(origin_.ok());
    const QString base = QStringLiteral("/media/") + kTitle + QLatin1Char('/');
    quint32 seed = 50;
    auto add = [&](const QString &rel, const QByteArray &body, const QByteArray &type) {
      OriginObject o;
      o.body = body;
      o.contentType = type;
      if (rel.endsWith(QLatin1String(".m3u8")) || rel.endsWith(QLatin1String(".mpd"))) o.cacheControl = "public, max-age=60";  // stays fresh for the whole test
      origin_.put(base + rel, o);
      title_.insert(base + rel, body);
    };
    add(QStringLiteral("master.m3u8"), master(), "application/vnd.apple.mpegurl");
    add(QStringLiteral("manifest.mpd"), "<MPD/>", "application/dash+xml");
    add(QStringLiteral("poster.jpg"), randomBytes(3000, seed++), "image/jpeg");
    add(QStringLiteral("thumbs.jpg"), randomBytes(5000, seed++), "image/jpeg");
    add(QStringLiteral("thumbs.vtt"), "WEBVTT\n", "text/vtt");
    for (const char *r : {"video/240p", "video/360p", "audio/aac"}) {
      const QString dir = QLatin1String(r) + QLatin1Char('/');
      add(dir + QStringLiteral("index.m3u8"), mediaPlaylist(3), "application/vnd.apple.mpegurl");
      add(dir + QStringLiteral("init.mp4"), randomBytes(800, seed++), "video/mp4");
      for (int i = 1; i <= 3; ++i) add(dir + QStringLiteral("seg-%1.m4s").arg(i), randomBytes(20000 + i, seed++), "video/mp4");
    }

    control_ = std::make_unique<Platform>(dir_.filePath(QStringLiteral("control")));
    QString err;
    // Control and the edge share the tests' key ring, so the edge registers.
    QVERIFY2(control_->start({QStringLiteral("--role=control"), QStringLiteral("--heartbeat-interval=0.3"),
                              QStringLiteral("--cluster-key-file=") + edgeKeys().file()},
                             &err),
             qPrintable(err));
    edge_ = std::make_unique<Platform>(dir_.filePath(QStringLiteral("edge")));
    QVERIFY2(edge_->start({QStringLiteral("--role=edge"), QStringLiteral("--upstream=") + origin_.url(),
                           QStringLiteral("--cluster-key-file=") + edgeKeys().file(),
                           QStringLiteral("--control=") + control_->url(QStringLiteral("control")).toString(),
                           QStringLiteral("--heartbeat-interval=0.3"), QStringLiteral("--edge-region=eu"),
                           QStringLiteral("--edge-coordinates=52.5,13.4"), QStringLiteral("--edge-capacity=250"),
                           QStringLiteral("--edge-prefetch-rate=100000"), QStringLiteral("--log-level=warning")},
                          &err),
             qPrintable(err));
    port_ = edgePort(*edge_);
  }

  void rejectsBadJobs() {
    QCOMPARE(post("{}").status, 400);
    QCOMPARE(post("{\"paths\":[\"/etc/passwd\"]}").status, 400);
    QCOMPARE(post("{\"paths\":[\"/media/t/../../x\"]}").status, 400);
    QCOMPARE(post("{\"titles\":[\"../x\"]}").status, 400);
    QCOMPARE(post("{\"titles\":\"t_1\"}").status, 400);
    QCOMPARE(post("not json").status, 400);
  }

  // Three 100 kB objects at 100 kB/s: the first goes at once, the others wait for the
  // bucket; all end on disk although admission is second-hit.
  void prefetchPaths() {
    QStringList paths;
    QByteArrayList bodies;
    for (int i = 1; i <= 3; ++i) {
      const QString p = QStringLiteral("/media/t_paths/video/240p/seg-%1.m4s").arg(i);
      OriginObject o;
      o.body = randomBytes(100 * 1000, quint32(70 + i));
      origin_.put(p, o);
      paths << p;
      bodies << o.body;
    }
    QElapsedTimer t;
    t.start();
    const Got accepted = post(QJsonDocument(QJsonObject{{QStringLiteral("paths"), QJsonArray::fromStringList(paths)}}).toJson());
    QCOMPARE(accepted.status, 202);
    const QJsonObject j = accepted.json().value(QStringLiteral("job")).toObject();
    const QString id = j.value(QStringLiteral("id")).toString();
    QVERIFY(id.startsWith(QStringLiteral("p_")));
    QCOMPARE(j.value(QStringLiteral("total")).toInt(), 3);
    QTRY_COMPARE_WITH_TIMEOUT(job(id).value(QStringLiteral("state")).toString(), QStringLiteral("done"), 10000);
    const qint64 took = t.elapsed();
    const QJsonObject done = job(id);
    QCOMPARE(done.value(QStringLiteral("done")).toInt(), 3);
    QCOMPARE(done.value(QStringLiteral("failed")).toInt(), 0);
    QCOMPARE(done.value(QStringLiteral("bytes")).toDouble(), 300000.0);
    QVERIFY(done.value(QStringLiteral("finishedMs")).toDouble() >= done.value(QStringLiteral("createdMs")).toDouble());
    QVERIFY2(took >= 900, qPrintable(QStringLiteral("300 kB at 100 kB/s with a 100 kB burst took %1 ms").arg(took)));
    QTRY_COMPARE_WITH_TIMEOUT(
        edgeJson(*edge_, QStringLiteral("/edge/v1/stats")).value(QStringLiteral("disk")).toObject().value(QStringLiteral("objects")).toInt(), 3, 3000);
    for (int i = 0; i < 3; ++i) {
      const Got g = rawGet(port_, paths[i]);
      QVERIFY2(g.xcache().startsWith("HIT"), g.xcache().constData());
      QVERIFY(g.body == bodies[i]);
      QCOMPARE(origin_.count(paths[i]), 1);
    }
    const QByteArray m = rawGet(port_, QStringLiteral("/metrics")).body;
    QCOMPARE(metricSum(m, "reelstack_edge_prefetch_bytes_total"), 300000.0);
  }

  // A title: everything its playlists name (and nothing off-site) is fetched, once.
  void prefetchTitle() {
    const Got accepted = post(QJsonDocument(QJsonObject{{QStringLiteral("titles"), QJsonArray{kTitle}}}).toJson());
    QCOMPARE(accepted.status, 202);
    const QString id = accepted.json().value(QStringLiteral("job")).toObject().value(QStringLiteral("id")).toString();
    QTRY_COMPARE_WITH_TIMEOUT(job(id).value(QStringLiteral("state")).toString(), QStringLiteral("done"), 15000);
    const QJsonObject done = job(id);
    QCOMPARE(done.value(QStringLiteral("total")).toInt(), int(title_.size()));
    QCOMPARE(done.value(QStringLiteral("done")).toInt(), int(title_.size()));
    QCOMPARE(done.value(QStringLiteral("failed")).toInt(), 0);
    QCOMPARE(done.value(QStringLiteral("titles")).toArray(), QJsonArray{kTitle});
    for (auto it = title_.cbegin(); it != title_.cend(); ++it) {
      QCOMPARE(origin_.count(it.key()), 1);
      const Got g = rawGet(port_, it.key());
      QCOMPARE(g.status, 200);
      QVERIFY2(g.body == it.value(), qPrintable(it.key()));
      QVERIFY2(g.xcache().startsWith("HIT"), qPrintable(it.key() + QStringLiteral(": ") + QString::fromUtf8(g.xcache())));
    }
    // Jobs are listed newest first.
    const QJsonArray jobs = edgeJson(*edge_, QStringLiteral("/edge/v1/prefetch")).value(QStringLiteral("jobs")).toArray();
    QCOMPARE(jobs.at(0).toObject().value(QStringLiteral("id")).toString(), id);
  }

  void prefetchOfAMissingTitleFails() {
    const Got accepted = post("{\"titles\":[\"t_missing\"]}");
    QCOMPARE(accepted.status, 202);
    const QString id = accepted.json().value(QStringLiteral("job")).toObject().value(QStringLiteral("id")).toString();
    QTRY_COMPARE_WITH_TIMEOUT(job(id).value(QStringLiteral("state")).toString(), QStringLiteral("failed"), 10000);
    QVERIFY(job(id).value(QStringLiteral("error")).toString().contains(QStringLiteral("master.m3u8")));
  }

  // What control hears in the heartbeat.
  void heartbeatLoad() {
    QTRY_VERIFY_WITH_TIMEOUT(edgeLoad().value(QStringLiteral("titles")).toArray().contains(kTitle), 5000);
    const QJsonObject load = edgeLoad();
    QCOMPARE(load.value(QStringLiteral("region")).toString(), QStringLiteral("eu"));
    QCOMPARE(load.value(QStringLiteral("capacityMbps")).toDouble(), 250.0);
    QCOMPARE(load.value(QStringLiteral("coordinates")).toObject().value(QStringLiteral("lat")).toDouble(), 52.5);
    QCOMPARE(load.value(QStringLiteral("healthy")).toBool(), true);
    QVERIFY(load.value(QStringLiteral("titles")).toArray().contains(QStringLiteral("t_paths")));
    for (const char *k : {"connections", "bytesPerSecond", "objectHitRatio", "byteHitRatio", "memoryBytes", "memoryMaxBytes",
                          "diskBytes", "diskMaxBytes", "prefetch"})
      QVERIFY2(load.contains(QLatin1String(k)), k);
    QVERIFY(load.value(QStringLiteral("diskBytes")).toDouble() > 0);
    const QJsonObject p = load.value(QStringLiteral("prefetch")).toArray().at(0).toObject();
    for (const char *k : {"id", "state", "total", "done", "failed", "bytes"}) QVERIFY2(p.contains(QLatin1String(k)), k);

    // Serving ~2 MB within one heartbeat interval shows up as bytes per second.
    const QString big = QStringLiteral("/media/t_rate/seg-1.m4s");
    OriginObject o;
    o.body = randomBytes(1000 * 1000, 90);
    origin_.put(big, o);
    QCOMPARE(rawGet(port_, big).status, 200);
    QCOMPARE(rawGet(port_, big).status, 200);
    QTRY_VERIFY_WITH_TIMEOUT(edgeLoad().value(QStringLiteral("bytesPerSecond")).toDouble() > 100000, 3000);
  }

  void cleanupTestCase() {
    if (edge_) QVERIFY(edge_->terminate());
    if (control_) QVERIFY(control_->terminate());
  }
};

QTEST_GUILESS_MAIN(TestEdgePrefetch)
#include "tst_edgeprefetch.moc"
