// Steering as a pure function, and the steer-regions map: region lookup (IPv4, IPv6,
// IPv4-mapped, longest prefix, default) and its config errors; the rendezvous hash
// against an independent implementation of its definition (FNV-1a 64, a 0x00
// separator, the SplitMix64 finaliser); a small case ranked by hand from the score
// formula; determinism; consistency when an edge leaves; capacity weighting;
// overload spill; which edges are eligible; and the order of regions.

#include "control/edges.h"
#include "control/regionmap.h"
#include "control/steering.h"

#include <QHostAddress>
#include <QJsonArray>
#include <QSet>
#include <QTest>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>

using namespace Qt::StringLiterals;
using namespace rs::control;

namespace {

// ---- The hash, written again from its definition (not from steering.cpp) ----------

std::uint64_t fnv1a64(const std::string &bytes) {
  std::uint64_t h = 14695981039346656037ULL;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

std::uint64_t splitMixFinal(std::uint64_t x) {
  x ^= x >> 30;
  x *= 0xBF58476D1CE4E5B9ULL;
  x ^= x >> 27;
  x *= 0x94D049BB133111EBULL;
  x ^= x >> 31;
  return x;
}

double expectedScore(const QString &title, const QString &instanceId, double capacity) {
  std::string key = title.toStdString();
  key.push_back('\0');
  key += instanceId.toStdString();
  const std::uint64_t h = splitMixFinal(fnv1a64(key));
  const double u = (double(h >> 12) + 0.5) / std::pow(2.0, 52);
  return -capacity / std::log(u);
}

Edge edge(const QString &id, const QString &region, double capacity = 1000, double bytesPerSecond = 0) {
  Edge e;
  e.instanceId = id;
  e.url = u"http://%1.example:8082"_s.arg(id);
  e.region = region;
  e.capacityMbps = capacity;
  e.bytesPerSecond = bytesPerSecond;
  e.live = true;
  e.healthy = true;
  return e;
}

QStringList ids(const std::vector<RankedEdge> &ranked) {
  QStringList out;
  for (const RankedEdge &r : ranked) out << r.instanceId;
  return out;
}

QString titleNo(int i) { return u"t_title%1"_s.arg(i, 5, 10, QLatin1Char('0')); }

}  // namespace

class TestSteering : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  // ---- steer-regions ----------------------------------------------------------------

  void regionMapLongestPrefixWins() {
    // Listed broad-first and narrow-first: the order of entries must not matter.
    for (const QString &spec : {u"10.0.0.0/8=eu, 10.1.0.0/16=eu-west,2001:db8::/32=us,2001:db8:aa::/48=us-east"_s,
                                u"2001:db8:aa::/48=us-east,10.1.0.0/16=eu-west,2001:db8::/32=us,10.0.0.0/8=eu"_s}) {
      auto map = RegionMap::parse(spec);
      QVERIFY2(map.isOk(), qPrintable(map.status().message()));
      QCOMPARE(map->size(), 4);
      auto at = [&](const char *a) { return map->lookup(QHostAddress(QLatin1String(a))); };
      QCOMPARE(at("10.2.3.4").region, u"eu"_s);
      QVERIFY(at("10.2.3.4").matched);
      QCOMPARE(at("10.1.200.7").region, u"eu-west"_s);
      QCOMPARE(at("10.255.255.255").region, u"eu"_s);
      QCOMPARE(at("11.0.0.1").region, u"default"_s);
      QVERIFY(!at("11.0.0.1").matched);
      QCOMPARE(at("2001:db8:1::5").region, u"us"_s);
      QCOMPARE(at("2001:db8:aa:1::5").region, u"us-east"_s);
      QCOMPARE(at("2001:db9::1").region, u"default"_s);
      // Dual-stack sockets report IPv4 peers as IPv4-mapped IPv6.
      QCOMPARE(at("::ffff:10.1.0.9").region, u"eu-west"_s);
      QCOMPARE(at("::ffff:10.9.0.9").region, u"eu"_s);
      // An IPv6 address never matches an IPv4 prefix, or the reverse.
      QCOMPARE(at("::1").region, u"default"_s);
    }
  }

  void regionMapBareAddressesAndCatchAll() {
    auto map = RegionMap::parse(u"192.0.2.7=lab,0.0.0.0/0=world,::/0=world6,10.1.2.3/8=ten"_s);
    QVERIFY2(map.isOk(), qPrintable(map.status().message()));
    QCOMPARE(map->lookup(QHostAddress(u"192.0.2.7"_s)).region, u"lab"_s);
    QCOMPARE(map->lookup(QHostAddress(u"192.0.2.8"_s)).region, u"world"_s);
    QCOMPARE(map->lookup(QHostAddress(u"fe80::1"_s)).region, u"world6"_s);
    // Host bits beyond the prefix are cleared: 10.1.2.3/8 is 10.0.0.0/8.
    QCOMPARE(map->lookup(QHostAddress(u"10.200.0.1"_s)).region, u"ten"_s);

    auto empty = RegionMap::parse(u""_s);
    QVERIFY(empty.isOk());
    QCOMPARE(empty->size(), 0);
    QCOMPARE(empty->lookup(QHostAddress(u"10.0.0.1"_s)).region, u"default"_s);
    QVERIFY(!empty->lookup(QHostAddress(u"10.0.0.1"_s)).matched);
  }

  void regionMapRejectsBadEntries_data() {
    QTest::addColumn<QString>("spec");
    QTest::addColumn<QString>("entry");
    QTest::newRow("no =") << u"10.0.0.0/8=eu,10.2.0.0/16"_s << u"10.2.0.0/16"_s;
    QTest::newRow("empty region") << u"10.0.0.0/8="_s << u"10.0.0.0/8="_s;
    QTest::newRow("region with space") << u"10.0.0.0/8=e u"_s << u"10.0.0.0/8=e u"_s;
    QTest::newRow("v4 length") << u"10.0.0.0/33=eu"_s << u"10.0.0.0/33=eu"_s;
    QTest::newRow("v6 length") << u"2001:db8::/129=us"_s << u"2001:db8::/129=us"_s;
    QTest::newRow("negative length") << u"10.0.0.0/-1=eu"_s << u"10.0.0.0/-1=eu"_s;
    QTest::newRow("length not a number") << u"10.0.0.0/x=eu"_s << u"10.0.0.0/x=eu"_s;
    QTest::newRow("short v4") << u"10.1/16=eu"_s << u"10.1/16=eu"_s;
    QTest::newRow("octet too big") << u"300.0.0.0/8=eu"_s << u"300.0.0.0/8=eu"_s;
    QTest::newRow("not an address") << u"europe/8=eu"_s << u"europe/8=eu"_s;
    QTest::newRow("bad v6") << u"2001:db8:::1/64=us"_s << u"2001:db8:::1/64=us"_s;
    QTest::newRow("mapped v6 prefix") << u"::ffff:10.0.0.0/104=eu"_s << u"::ffff:10.0.0.0/104=eu"_s;
    QTest::newRow("one prefix, two regions") << u"10.0.0.0/8=eu,10.9.9.9/8=us"_s << u"10.9.9.9/8=us"_s;
  }

  void regionMapRejectsBadEntries() {
    QFETCH(QString, spec);
    QFETCH(QString, entry);
    auto map = RegionMap::parse(spec);
    QVERIFY(!map.isOk());
    QCOMPARE(map.status().code(), rs::ErrorCode::BadRequest);
    // The error names the option and the offending entry, so the operator can fix it.
    QVERIFY2(map.status().message().startsWith(u"steer-regions: entry '%1'"_s.arg(entry)), qPrintable(map.status().message()));
  }

  // ---- the hash -----------------------------------------------------------------------

  void hashMatchesItsDefinition() {
    // The independent FNV-1a is the published one (test vectors of the FNV authors).
    QCOMPARE(fnv1a64(""), 0xcbf29ce484222325ULL);
    QCOMPARE(fnv1a64("a"), 0xaf63dc4c8601ec8cULL);
    QCOMPARE(fnv1a64("foobar"), 0x85944171f73967e8ULL);
    for (const auto &[t, i] : {std::pair{u"t_abc"_s, u"edge-1"_s}, std::pair{u"t_abc"_s, u"edge-2"_s},
                               std::pair{u"t_ünïcode"_s, u"host-edge-42"_s}, std::pair{QString(), u"x"_s}}) {
      std::string key = t.toStdString();
      key.push_back('\0');
      key += i.toStdString();
      QCOMPARE(rendezvousHash(t, i), splitMixFinal(fnv1a64(key)));
    }
    // The separator keeps ("ab","c") and ("a","bc") apart.
    QVERIFY(rendezvousHash(u"ab", u"c") != rendezvousHash(u"a", u"bc"));
    // The unit interval is open at both ends, even for the extreme hashes.
    QVERIFY(rendezvousUnit(0) > 0);
    QVERIFY(rendezvousUnit(~0ULL) < 1);
    QVERIFY(std::isfinite(rendezvousScore(1000, rendezvousUnit(0))));
    QVERIFY(std::isfinite(rendezvousScore(1000, rendezvousUnit(~0ULL))));
  }

  // ---- ranking ------------------------------------------------------------------------

  void smallCaseRankedByHand() {
    const QString title = u"t_smallcase01"_s;
    const std::vector<Edge> edges{edge(u"eu-a"_s, u"eu"_s, 1000), edge(u"eu-b"_s, u"eu"_s, 2000),
                                  edge(u"eu-c"_s, u"eu"_s, 500), edge(u"us-a"_s, u"us"_s, 1000),
                                  edge(u"us-b"_s, u"us"_s, 4000)};
    // Expected order: eu edges by score, then us edges by score.
    struct Expect {
      QString id;
      QString region;
      double score;
    };
    std::vector<Expect> expect;
    for (const Edge &e : edges) expect.push_back({e.instanceId, e.region, expectedScore(title, e.instanceId, e.capacityMbps)});
    std::sort(expect.begin(), expect.end(), [](const Expect &a, const Expect &b) {
      const bool ae = a.region == u"eu"_s, be = b.region == u"eu"_s;
      return ae != be ? ae : a.score > b.score;
    });

    const auto ranked = steer(edges, title, u"eu"_s, 0.9);
    QCOMPARE(int(ranked.size()), 5);
    for (size_t i = 0; i < ranked.size(); ++i) {
      const RankedEdge &r = ranked[i];
      QCOMPARE(r.instanceId, expect[i].id);
      QCOMPARE(r.rank, int(i) + 1);
      QVERIFY2(std::abs(r.score - expect[i].score) <= 1e-9 * expect[i].score,
               qPrintable(u"%1: %2 vs %3"_s.arg(r.instanceId).arg(r.score).arg(expect[i].score)));
      QVERIFY(!r.overloaded);
      QCOMPARE(r.url, u"http://%1.example:8082"_s.arg(r.instanceId));
    }
    // Reasons: the region relation, the rank inside the region and the weight.
    const double w = edges[size_t(std::find_if(edges.begin(), edges.end(), [&](const Edge &e) {
                                    return e.instanceId == expect[0].id;
                                  }) - edges.begin())].capacityMbps;
    QCOMPARE(ranked[0].reason, u"region eu (client's); rendezvous rank 1 of 3 in region, weight %1 Mbit/s"_s.arg(w, 0, 'f', 0));
    QVERIFY2(ranked[2].reason.contains(u"rendezvous rank 3 of 3 in region"_s), qPrintable(ranked[2].reason));
    QVERIFY2(ranked[3].reason.startsWith(u"region us (client's is eu); rendezvous rank 1 of 2 in region"_s),
             qPrintable(ranked[3].reason));

    // The JSON shape of the contract.
    const QJsonObject j = rankedEdgeToJson(ranked[0]);
    for (const char *key : {"instanceId", "url", "region", "rank", "score", "holdsTitle", "overloaded", "reason"})
      QVERIFY2(j.contains(QLatin1String(key)), key);
    QCOMPARE(j.value(u"rank"_s).toInt(), 1);
  }

  void deterministicAndOrderIndependent() {
    std::vector<Edge> edges;
    for (int i = 0; i < 8; ++i) edges.push_back(edge(u"edge-%1"_s.arg(i), i < 4 ? u"a"_s : u"b"_s, 500.0 * (1 + i % 3)));
    std::mt19937 rng(7);
    for (int t = 0; t < 50; ++t) {
      const QString title = titleNo(t);
      const QStringList first = ids(steer(edges, title, u"a"_s, 0.9));
      QCOMPARE(ids(steer(edges, title, u"a"_s, 0.9)), first);
      std::vector<Edge> shuffled = edges;
      std::shuffle(shuffled.begin(), shuffled.end(), rng);
      QCOMPARE(ids(steer(shuffled, title, u"a"_s, 0.9)), first);
    }
  }

  void removingAnEdgeMovesOnlyItsTitles() {
    std::vector<Edge> edges;
    for (int i = 0; i < 5; ++i) edges.push_back(edge(u"edge-%1"_s.arg(i), u"eu"_s, 1000 + 500 * i));
    std::vector<Edge> fewer = edges;
    fewer.erase(fewer.begin() + 2);
    const QString gone = edges[2].instanceId;
    int moved = 0;
    for (int t = 0; t < 1000; ++t) {
      const QString title = titleNo(t);
      const QStringList before = ids(steer(edges, title, u"eu"_s, 0.9));
      const QStringList after = ids(steer(fewer, title, u"eu"_s, 0.9));
      // The remaining edges keep their relative order: only the removed one drops out.
      QStringList expected = before;
      expected.removeAll(gone);
      QCOMPARE(after, expected);
      if (before.first() == gone) ++moved;
      else QCOMPARE(after.first(), before.first());
    }
    // The removed edge (weight 2000 of 10000) held about a fifth of the titles.
    QVERIFY2(moved > 150 && moved < 250, qPrintable(QString::number(moved)));
  }

  void capacityWeightsTheShare() {
    const std::vector<Edge> edges{edge(u"small"_s, u"eu"_s, 1000), edge(u"big"_s, u"eu"_s, 3000)};
    int big = 0;
    const int n = 10'000;
    for (int t = 0; t < n; ++t) big += steer(edges, titleNo(t), u"eu"_s, 0.9).front().instanceId == u"big"_s ? 1 : 0;
    const double share = double(big) / n;
    QVERIFY2(std::abs(share - 0.75) <= 0.03, qPrintable(QString::number(share)));
  }

  void overloadedEdgesSpillBehindTheirRegion() {
    // Find a title whose top eu edge is "eu-a", then load eu-a past 90 % of capacity.
    std::vector<Edge> edges{edge(u"eu-a"_s, u"eu"_s), edge(u"eu-b"_s, u"eu"_s), edge(u"eu-c"_s, u"eu"_s),
                            edge(u"us-a"_s, u"us"_s)};
    QString title;
    for (int t = 0; t < 100 && title.isEmpty(); ++t)
      if (steer(edges, titleNo(t), u"eu"_s, 0.9).front().instanceId == u"eu-a"_s) title = titleNo(t);
    QVERIFY(!title.isEmpty());
    const QStringList unloaded = ids(steer(edges, title, u"eu"_s, 0.9));

    edges[0].bytesPerSecond = 950e6 / 8;  // 950 of 1000 Mbit/s
    const auto ranked = steer(edges, title, u"eu"_s, 0.9);
    QStringList expected = unloaded;
    expected.removeAll(u"eu-a"_s);
    expected.insert(2, u"eu-a"_s);  // after eu's others, before us
    QCOMPARE(ids(ranked), expected);
    QVERIFY(ranked[2].overloaded);
    QVERIFY(!ranked[0].overloaded && !ranked[1].overloaded && !ranked[3].overloaded);
    QVERIFY2(ranked[2].reason.contains(u"spilled: 950 of 1000 Mbit/s"_s), qPrintable(ranked[2].reason));
    QVERIFY2(ranked[2].reason.contains(u"rendezvous rank 1 of 3 in region"_s), qPrintable(ranked[2].reason));
    // Score is still the rendezvous score: the spill is a separate tier.
    QCOMPARE(ranked[2].score, expectedScore(title, u"eu-a"_s, 1000));

    // Exactly at the threshold is not over it; a higher threshold takes it back.
    edges[0].bytesPerSecond = 900e6 / 8;
    QCOMPARE(ids(steer(edges, title, u"eu"_s, 0.9)), unloaded);
    edges[0].bytesPerSecond = 950e6 / 8;
    QCOMPARE(ids(steer(edges, title, u"eu"_s, 0.96)), unloaded);

    // An overloaded edge of another region goes after that region's others too.
    edges[0].bytesPerSecond = 0;
    edges.push_back(edge(u"us-b"_s, u"us"_s));
    edges.back().bytesPerSecond = 2000e6 / 8;
    const auto fromUs = steer(edges, title, u"eu"_s, 0.9);
    QCOMPARE(fromUs.back().instanceId, u"us-b"_s);
    QVERIFY(fromUs.back().overloaded);
  }

  void onlyLiveHealthyEdges() {
    std::vector<Edge> edges{edge(u"ok"_s, u"eu"_s), edge(u"sick"_s, u"eu"_s), edge(u"silent"_s, u"eu"_s),
                            edge(u"far"_s, u"us"_s)};
    edges[1].healthy = false;
    edges[2].live = false;
    for (int t = 0; t < 20; ++t) QCOMPARE(ids(steer(edges, titleNo(t), u"eu"_s, 0.9)), (QStringList{u"ok"_s, u"far"_s}));
    edges[0].healthy = false;
    edges[3].live = false;
    QVERIFY(steer(edges, titleNo(1), u"eu"_s, 0.9).empty());
    QVERIFY(steer({}, titleNo(1), u"eu"_s, 0.9).empty());
  }

  void clientsRegionFirstThenOthersByScore() {
    const std::vector<Edge> edges{edge(u"a1"_s, u"a"_s), edge(u"a2"_s, u"a"_s, 3000), edge(u"b1"_s, u"b"_s),
                                  edge(u"b2"_s, u"b"_s, 5000), edge(u"c1"_s, u"c"_s, 8000)};
    for (int t = 0; t < 200; ++t) {
      const QString title = titleNo(t);
      const auto ranked = steer(edges, title, u"b"_s, 0.9);
      QCOMPARE(int(ranked.size()), 5);
      QCOMPARE(ranked[0].region, u"b"_s);
      QCOMPARE(ranked[1].region, u"b"_s);
      QVERIFY(ranked[0].score >= ranked[1].score);
      // The others, whatever their region, by score.
      for (size_t i = 3; i < ranked.size(); ++i) QVERIFY(ranked[i - 1].score >= ranked[i].score);
      for (size_t i = 2; i < ranked.size(); ++i) QVERIFY(ranked[i].region != u"b"_s);
    }
    // A region without edges: everything is "other", ordered by score alone.
    const auto none = steer(edges, titleNo(3), u"zz"_s, 0.9);
    for (size_t i = 1; i < none.size(); ++i) QVERIFY(none[i - 1].score >= none[i].score);
    QVERIFY(none[0].reason.startsWith(u"region %1 (client's is zz)"_s.arg(none[0].region)));
  }

  void holdsTitleFromTheEdgesLoad() {
    std::vector<Edge> edges{edge(u"a1"_s, u"a"_s), edge(u"a2"_s, u"a"_s)};
    edges[1].titles = QStringList{u"t_held"_s};
    for (const RankedEdge &r : steer(edges, u"t_held"_s, u"a"_s, 0.9)) QCOMPARE(r.holdsTitle, r.instanceId == u"a2"_s);
  }

  // ---- the registry's view of an edge -----------------------------------------------

  void edgeFromHeartbeat() {
    const qint64 now = 1'000'000;
    QJsonObject inst{{u"instanceId"_s, u"e1"_s},
                     {u"url"_s, u"http://10.0.0.5:8082"_s},
                     {u"lastSeenMs"_s, now - 900},
                     {u"heartbeatIntervalMs"_s, 500},
                     {u"load"_s, QJsonObject{{u"region"_s, u"eu"_s},
                                             {u"coordinates"_s, QJsonObject{{u"lat"_s, 52.5}, {u"lon"_s, 13.4}}},
                                             {u"capacityMbps"_s, 2500},
                                             {u"bytesPerSecond"_s, 1250000},
                                             {u"titles"_s, QJsonArray{u"t_1"_s}}}}};
    Edge e = edgeFromInstance(inst, now, 2000);
    QCOMPARE(e.region, u"eu"_s);
    QCOMPARE(e.capacityMbps, 2500.0);
    QCOMPARE(e.servingMbps(), 10.0);
    QVERIFY(e.healthy);  // absent → healthy
    QVERIFY(e.live);     // 900 ms ≤ 2 × 500 ms
    QCOMPARE(e.titles, QStringList{u"t_1"_s});
    QCOMPARE(e.coordinates.toObject().value(u"lat"_s).toDouble(), 52.5);
    const QJsonObject j = edgeToJson(e);
    for (const char *key :
         {"instanceId", "url", "region", "coordinates", "capacityMbps", "healthy", "live", "lastSeenMs", "load"})
      QVERIFY2(j.contains(QLatin1String(key)), key);

    inst[u"lastSeenMs"_s] = now - 1001;
    QVERIFY(!edgeFromInstance(inst, now, 2000).live);
    // No interval in the heartbeat: control's own interval is the reference.
    inst[u"heartbeatIntervalMs"_s] = 0;
    QVERIFY(edgeFromInstance(inst, now, 2000).live);
    QVERIFY(!edgeFromInstance(inst, now, 400).live);

    inst[u"load"_s] = QJsonObject{{u"healthy"_s, false}};
    e = edgeFromInstance(inst, now, 2000);
    QVERIFY(!e.healthy);
    QCOMPARE(e.region, u"default"_s);
    QCOMPARE(e.capacityMbps, kDefaultCapacityMbps);
    QVERIFY(e.coordinates.isNull());
  }
};

QTEST_APPLESS_MAIN(TestSteering)
#include "tst_steering.moc"
