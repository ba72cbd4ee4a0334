// Delivery with every role in its own process, as a split deployment runs it:
// control, an origin, a parent edge in front of the origin, and two child edges in
// front of the parent, all holding control's cluster key; viewers fetch with playback
// tokens in the path. Shows the thundering herd costing the origin one fetch,
// steering dropping a killed edge within two heartbeats while a client that follows
// steering keeps getting segments, and cached segments served STALE once the origin
// is gone while uncached ones fail fast.

#include "support/metrics.h"
#include "support/rawhttp.h"
#include "support/stack.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QTemporaryDir>

#include <atomic>
#include <thread>

using namespace rs::test;

namespace {

constexpr double kHeartbeatSeconds = 0.5;
const QString kTitle = QStringLiteral("t_delivery");

QByteArray randomBytes(qsizetype n, quint32 seed) {
  QByteArray b(n, Qt::Uninitialized);
  QRandomGenerator g(seed);
  g.fillRange(reinterpret_cast<quint32 *>(b.data()), n / 4);
  return b;
}

// Lines of a JSON-lines access log whose path is exactly `path`.
int accessLogCount(const QString &file, const QString &path) {
  QFile f(file);
  if (!f.open(QIODevice::ReadOnly)) return -1;
  int n = 0;
  for (const QByteArray &line : f.readAll().split('\n')) {
    const QJsonObject o = QJsonDocument::fromJson(line).object();
    if (o.value(QStringLiteral("path")).toString() == path) ++n;
  }
  return n;
}

struct Fetched {
  int status = 0;
  QByteArray body;
  QByteArray xcache;
  QString error;
};

// Where this test's viewers' tokens come from: control's key ring (the api signs with it).
QString gKeyFile;

// /media/<title>/<rest> as a viewer of session `viewer` asks for it:
// /m/<playback token>/<title>/<rest>.
QByteArray viewerPath(const QByteArray &mediaPath, int viewer = 0) {
  const QByteArray rest = mediaPath.mid(int(sizeof "/media/") - 1);
  const QString title = QString::fromUtf8(rest.left(rest.indexOf('/')));
  return "/m/" + playbackToken(gKeyFile, title, 300, QStringLiteral("viewer%1").arg(viewer)) + '/' + rest;
}

// One request for `path` (a /media path) as viewer `viewer`, on a fresh connection.
Fetched rawGet(quint16 port, const QByteArray &path, int timeoutMs = 20000, int viewer = 0) {
  Fetched f;
  const HttpResponse r = request(port, "GET", viewerPath(path, viewer), {}, {},
                                 {.host = "edge", .close = false, .timeoutMs = timeoutMs, .error = &f.error});
  f.status = r.status;
  f.body = r.body;
  f.xcache = r.header("x-cache");
  return f;
}

}  // namespace

class TestDelivery : public QObject {
  Q_OBJECT

  QTemporaryDir dir_;
  std::unique_ptr<Platform> control_, origin_, parent_;
  std::unique_ptr<Platform> child_[2];
  QMap<QString, QByteArray> files_;  // path under /media → bytes
  QString originLog_;

  QStringList common() const {
    return {QStringLiteral("--heartbeat-interval=%1").arg(kHeartbeatSeconds), QStringLiteral("--workers=2"),
            QStringLiteral("--control=") + control_->url(QStringLiteral("control")).toString(),
            QStringLiteral("--cluster-key-file=") + gKeyFile};
  }

  bool startEdge(std::unique_ptr<Platform> &p, const QString &name, const QUrl &upstream, const QString &region,
                 QString *err) {
    p = std::make_unique<Platform>(dir_.filePath(name));
    QStringList args = common();
    args << QStringLiteral("--role=edge") << QStringLiteral("--upstream=") + upstream.toString()
         << QStringLiteral("--edge-region=") + region << QStringLiteral("--edge-health-interval=0.3")
         << QStringLiteral("--edge-admission=always");
    return p->start(args, err);
  }

  quint16 port(const Platform &p, const char *role) const { return quint16(p.url(QLatin1String(role)).port()); }

  QJsonArray steer(const QString &region) {
    QUrl u = control_->url(QStringLiteral("control")).resolved(QUrl(QStringLiteral("/control/v1/steer")));
    u.setQuery(QStringLiteral("title=%1&region=%2").arg(kTitle, region));
    const Reply r = http("GET", u);
    return r.json().value(QStringLiteral("edges")).toArray();
  }

  QStringList steerUrls(const QString &region) {
    QStringList out;
    for (const QJsonValue &v : steer(region)) out << v.toObject().value(QStringLiteral("url")).toString();
    return out;
  }

  QByteArray metrics(const Platform &p, const char *role) {
    return http("GET", p.url(QLatin1String(role)).resolved(QUrl(QStringLiteral("/metrics")))).body;
  }

  // Publishes the test title through the origin's publish API, like an encoder does.
  void publish() {
    const QUrl base = origin_->url(QStringLiteral("origin"));
    QJsonObject sizes;
    for (auto it = files_.cbegin(); it != files_.cend(); ++it) {
      const Reply r = http("PUT", base.resolved(QUrl(QStringLiteral("/origin/v1/publish/%1/p1/%2").arg(kTitle, it.key()))),
                           it.value(), 20000, {{"Authorization", control_->serviceAuth()}});
      QVERIFY2(r.status / 100 == 2, qPrintable(r.describe()));
      sizes.insert(it.key(), it.value().size());
    }
    const Reply c = http("POST", base.resolved(QUrl(QStringLiteral("/origin/v1/publish/%1/p1/commit").arg(kTitle))),
                         QJsonDocument(QJsonObject{{QStringLiteral("files"), sizes}}).toJson(), 10000,
                         {{"Authorization", control_->serviceAuth()}});
    QVERIFY2(c.status / 100 == 2, qPrintable(c.describe()));
  }

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    for (int i = 1; i <= 12; ++i)
      files_.insert(QStringLiteral("video/240p/seg-%1.m4s").arg(i), randomBytes(200 * 1024 + i, quint32(i)));
    files_.insert(QStringLiteral("video/1080p/seg-1.m4s"), randomBytes(2 * 1024 * 1024, 99));
    files_.insert(QStringLiteral("video/1080p/seg-2.m4s"), randomBytes(300 * 1024, 98));

    QString err;
    control_ = std::make_unique<Platform>(dir_.filePath(QStringLiteral("control")));
    QVERIFY2(control_->start({QStringLiteral("--role=control"), QStringLiteral("--heartbeat-interval=%1").arg(kHeartbeatSeconds)}, &err),
             qPrintable(err));
    gKeyFile = clusterKeyFile(control_->dataDir());
    control_->authorizeAll();
    origin_ = std::make_unique<Platform>(dir_.filePath(QStringLiteral("origin")));
    originLog_ = dir_.filePath(QStringLiteral("origin-access.log"));
    QVERIFY2(origin_->start(common() << QStringLiteral("--role=origin") << QStringLiteral("--access-log=") + originLog_, &err),
             qPrintable(err));
    publish();
    QVERIFY2(startEdge(parent_, QStringLiteral("parent"), origin_->url(QStringLiteral("origin")), QStringLiteral("regional"), &err),
             qPrintable(err));
    for (int i = 0; i < 2; ++i)
      QVERIFY2(startEdge(child_[i], QStringLiteral("child%1").arg(i), parent_->url(QStringLiteral("edge")), QStringLiteral("a"), &err),
               qPrintable(err));
    // All three edges heartbeat and are steered to.
    QTRY_COMPARE_WITH_TIMEOUT(steer(QStringLiteral("a")).size(), 3, 10000);
  }

  // Steering: the client's region first (both children), the regional parent after.
  void steeringOrdersRegionFirst() {
    const QJsonArray edges = steer(QStringLiteral("a"));
    QCOMPARE(edges.size(), 3);
    const QString parentUrl = parent_->url(QStringLiteral("edge")).toString(QUrl::StripTrailingSlash);
    QCOMPARE(edges.at(2).toObject().value(QStringLiteral("url")).toString().section(QLatin1Char('/'), 0, 2), parentUrl);
    for (int i = 0; i < 2; ++i) {
      const QJsonObject e = edges.at(i).toObject();
      QCOMPARE(e.value(QStringLiteral("region")).toString(), QStringLiteral("a"));
      QVERIFY2(!e.value(QStringLiteral("reason")).toString().isEmpty(), "every pick says why");
    }
  }

  // 500 concurrent requests for one cold segment, spread over both children, from 50
  // viewers with tokens of their own: the children each ask the parent once, the
  // parent asks the origin once (the cache key has no token), and every client gets
  // the identical bytes.
  void herdMakesOneOriginFetch() {
    const QString rel = QStringLiteral("video/1080p/seg-1.m4s");
    const QByteArray path = QStringLiteral("/media/%1/%2").arg(kTitle, rel).toUtf8();
    const QByteArray expected = files_.value(rel);
    const quint16 ports[2] = {port(*child_[0], "edge"), port(*child_[1], "edge")};
    constexpr int kClients = 500;
    std::atomic<int> identical{0}, failed{0};
    std::vector<std::thread> threads;
    std::atomic<bool> go{false};
    QStringList errors;
    std::mutex errorsMutex;
    for (int i = 0; i < kClients; ++i) {
      threads.emplace_back([&, i] {
        while (!go.load()) std::this_thread::yield();
        const Fetched f = rawGet(ports[i % 2], path, 60000, i % 50);
        if (f.status == 200 && f.body == expected) {
          ++identical;
        } else {
          ++failed;
          std::lock_guard lock(errorsMutex);
          if (errors.size() < 5) errors << QStringLiteral("HTTP %1 %2 bytes %3").arg(f.status).arg(f.body.size()).arg(f.error);
        }
      });
    }
    go = true;
    for (auto &t : threads) t.join();
    QVERIFY2(failed == 0, qPrintable(errors.join(QStringLiteral("; "))));
    QCOMPARE(identical.load(), kClients);
    // The origin's own access log is the witness: exactly one request for the segment.
    QTRY_COMPARE_WITH_TIMEOUT(accessLogCount(originLog_, QString::fromUtf8(path)), 1, 3000);
    QTest::qWait(300);
    QCOMPARE(accessLogCount(originLog_, QString::fromUtf8(path)), 1);
    QCOMPARE(metricSum(metrics(*parent_, "edge"), "reelstack_edge_upstream_fetches_total"), 1.0);
    for (auto &c : child_) QCOMPARE(metricSum(metrics(*c, "edge"), "reelstack_edge_upstream_fetches_total"), 1.0);
    // And now it is a hit at the child for yet another viewer, saying so.
    const Fetched again = rawGet(ports[0], path, 20000, 999);
    QCOMPARE(again.status, 200);
    QVERIFY2(again.xcache.startsWith("HIT"), again.xcache.constData());
  }

  // A killed child edge leaves steering within two heartbeat intervals, and a client
  // that follows steering (next edge on error) never misses a segment.
  void killedEdgeLeavesSteering() {
    const QStringList before = steerUrls(QStringLiteral("a"));
    QCOMPARE(before.size(), 3);
    // Kill whichever child steering ranks first for this title: the client is using it.
    const int victim = before.first().contains(QStringLiteral(":%1").arg(port(*child_[0], "edge"))) ? 0 : 1;
    QVERIFY(before.first().contains(QStringLiteral(":%1").arg(port(*child_[victim], "edge"))));
    const QString victimUrl = before.first();

    int got = 0;
    QStringList misses;
    auto followSteering = [&](int segment) {
      const QByteArray path = QStringLiteral("/media/%1/video/240p/seg-%2.m4s").arg(kTitle).arg(segment).toUtf8();
      for (const QString &base : steerUrls(QStringLiteral("a"))) {
        const Fetched f = rawGet(quint16(QUrl(base).port()), path, 5000);
        if (f.status == 200 && f.body == files_.value(QStringLiteral("video/240p/seg-%1.m4s").arg(segment))) {
          ++got;
          return;
        }
      }
      misses << QString::number(segment);
    };
    followSteering(1);
    followSteering(2);

    QElapsedTimer sinceKill;
    child_[victim]->kill();
    sinceKill.start();
    qint64 goneAfterMs = -1;
    int segment = 3;
    while (sinceKill.elapsed() < 5000) {
      if (segment <= 12) followSteering(segment++);
      if (goneAfterMs < 0 && !steerUrls(QStringLiteral("a")).contains(victimUrl)) goneAfterMs = sinceKill.elapsed();
      if (goneAfterMs >= 0 && segment > 12) break;
      QTest::qWait(50);
    }
    QVERIFY2(goneAfterMs >= 0, "the killed edge was still steered to after 5 s");
    // Two heartbeat intervals after its last beat (which came at most one before the kill).
    qInfo() << "killed edge left steering after" << goneAfterMs << "ms";
    QVERIFY2(goneAfterMs <= qint64(2 * kHeartbeatSeconds * 1000) + 400, qPrintable(QString::number(goneAfterMs)));
    QVERIFY2(misses.isEmpty(), qPrintable(QStringLiteral("segments not delivered: ") + misses.join(u',')));
    QCOMPARE(got, 12);
  }

  // With the origin stopped: the parent serves what it holds as STALE, and fails
  // fast (no waiting for timeouts) for what it never had.
  void originDownServesStale() {
    const QByteArray cachedPath = QStringLiteral("/media/%1/video/240p/seg-5.m4s").arg(kTitle).toUtf8();
    const QByteArray uncachedPath = QStringLiteral("/media/%1/video/1080p/seg-2.m4s").arg(kTitle).toUtf8();
    const quint16 parentPort = port(*parent_, "edge");
    QCOMPARE(rawGet(parentPort, cachedPath).status, 200);  // cached at the parent (and fresh)

    QVERIFY(origin_->terminate());
    // The parent's health check (every 0.3 s) notices; then its cached copy is STALE.
    QTRY_VERIFY_WITH_TIMEOUT(rawGet(parentPort, cachedPath).xcache.startsWith("STALE"), 5000);
    const Fetched stale = rawGet(parentPort, cachedPath);
    QCOMPARE(stale.status, 200);
    QVERIFY(stale.body == files_.value(QStringLiteral("video/240p/seg-5.m4s")));

    QElapsedTimer t;
    t.start();
    const Fetched missing = rawGet(parentPort, uncachedPath);
    QVERIFY2(missing.status == 502 || missing.status == 504, qPrintable(QString::number(missing.status)));
    QVERIFY2(t.elapsed() < 1000, qPrintable(QStringLiteral("took %1 ms").arg(t.elapsed())));
    QCOMPARE(QJsonDocument::fromJson(missing.body).object().value(QStringLiteral("error")).toObject().value(QStringLiteral("code")).isString(),
             true);

    // Through the surviving child: its own copies are still served; what only the
    // parent holds arrives marked STALE by the parent.
    const int survivor = child_[0]->running() ? 0 : 1;
    const Fetched viaChild = rawGet(port(*child_[survivor], "edge"), QStringLiteral("/media/%1/video/240p/seg-12.m4s").arg(kTitle).toUtf8());
    QCOMPARE(viaChild.status, 200);
    QVERIFY2(viaChild.xcache.startsWith("HIT"), viaChild.xcache.constData());
  }

  void cleanupTestCase() {
    for (auto &c : child_)
      if (c) c->terminate();
    if (parent_) parent_->terminate();
    if (origin_) origin_->terminate();
    if (control_) control_->terminate();
  }
};

QTEST_GUILESS_MAIN(TestDelivery)
#include "tst_delivery.moc"
