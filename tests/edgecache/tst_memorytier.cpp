// The memory tier: byte bound, replacement, size limits, purge by prefix, eviction
// accounting and callbacks, and concurrent use.

#include "edgecache/memorytier.h"

#include <QTest>
#include <atomic>
#include <random>
#include <thread>
#include <vector>

using namespace rs::edgecache;

namespace {

std::shared_ptr<const MemoryObject> object(const QString &key, qsizetype size, char fill = 'x') {
  auto o = std::make_shared<MemoryObject>();
  o->meta.key = key;
  o->meta.size = size;
  o->body = QByteArray(size, fill);
  return o;
}

qint64 sumOfObjects(const MemoryTier &tier) {
  qint64 sum = 0;
  for (const QString &k : tier.keys())
    if (auto o = tier.peek(k)) sum += o->body.size();
  return sum;
}

}  // namespace

class TestMemoryTier : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void byteBoundNeverExceeded_data() {
    QTest::addColumn<QString>("policy");
    for (const QString &n : policyNames()) QTest::newRow(qPrintable(n)) << n;
  }
  void byteBoundNeverExceeded() {
    QFETCH(QString, policy);
    MemoryTier tier(10000, 4000, makePolicy(policy));
    QCOMPARE(tier.policyName(), policy);
    std::mt19937 rng(7);
    quint64 evicted = 0;
    tier.onEvict([&](const QString &) { ++evicted; });
    for (int i = 0; i < 2000; ++i) {
      const QString key = QStringLiteral("/media/k%1").arg(std::uniform_int_distribution<int>(0, 300)(rng));
      if (tier.lookup(key)) continue;
      QVERIFY(tier.insert(object(key, std::uniform_int_distribution<int>(1, 4000)(rng))));
      QVERIFY2(tier.bytes() <= tier.maxBytes(), qPrintable(QString::number(tier.bytes())));
      QCOMPARE(sumOfObjects(tier), tier.bytes());
      QCOMPARE(tier.keys().size(), tier.objects());
    }
    QVERIFY(tier.evictions() > 0);
    QCOMPARE(evicted, tier.evictions());
  }

  void replaceKeepsAccountsRight() {
    MemoryTier tier(1000, 1000, makePolicy(QStringLiteral("lru")));
    QVERIFY(tier.insert(object(QStringLiteral("a"), 100, '1')));
    QVERIFY(tier.insert(object(QStringLiteral("b"), 100)));
    QVERIFY(tier.insert(object(QStringLiteral("a"), 300, '2')));
    QCOMPARE(tier.bytes(), 400);
    QCOMPARE(tier.objects(), 2);
    QCOMPARE(tier.lookup(QStringLiteral("a"))->body, QByteArray(300, '2'));
    // Replacing with a smaller version gives bytes back.
    QVERIFY(tier.insert(object(QStringLiteral("a"), 50, '3')));
    QCOMPARE(tier.bytes(), 150);
    QCOMPARE(tier.evictions(), 0u);
    // A replacement that needs room evicts others, never counting the old version.
    QVERIFY(tier.insert(object(QStringLiteral("a"), 950, '4')));
    QCOMPARE(tier.bytes(), 950);
    QCOMPARE(tier.keys(), QStringList{QStringLiteral("a")});
    QCOMPARE(tier.evictions(), 1u);
  }

  void sizeLimits() {
    MemoryTier tier(1000, 600, makePolicy(QStringLiteral("sieve")));
    QVERIFY(tier.insert(object(QStringLiteral("small"), 100)));
    QVERIFY(tier.insert(object(QStringLiteral("edge"), 600)));  // exactly maxObjectBytes
    QVERIFY(!tier.insert(object(QStringLiteral("big"), 601)));
    QVERIFY(!tier.peek(QStringLiteral("big")));
    QCOMPARE(tier.bytes(), 700);  // a refused object evicts nothing
    QCOMPARE(tier.evictions(), 0u);
    MemoryTier narrow(500, 600, makePolicy(QStringLiteral("lru")));
    QVERIFY(!narrow.insert(object(QStringLiteral("x"), 501)));  // above maxBytes
    QVERIFY(!narrow.insert(nullptr));
    // A newer version too big for memory must not leave the old one to be served.
    QVERIFY(tier.insert(object(QStringLiteral("small"), 601)) == false);
    QVERIFY(!tier.peek(QStringLiteral("small")));
    QCOMPARE(tier.bytes(), 600);
  }

  void lruOrderThroughTheTier() {
    MemoryTier tier(300, 300, makePolicy(QStringLiteral("lru")));
    QStringList evicted;
    tier.onEvict([&](const QString &k) { evicted << k; });
    for (const char *k : {"a", "b", "c"}) QVERIFY(tier.insert(object(QString::fromLatin1(k), 100)));
    QVERIFY(tier.lookup(QStringLiteral("a")));  // touches
    QVERIFY(tier.peek(QStringLiteral("b")));    // does not
    QVERIFY(tier.insert(object(QStringLiteral("d"), 200)));
    QCOMPARE(evicted, (QStringList{QStringLiteral("b"), QStringLiteral("c")}));
    QCOMPARE(tier.evictions(), 2u);
  }

  void onEvictRunsWithoutTheLock() {
    MemoryTier tier(200, 200, makePolicy(QStringLiteral("lru")));
    QStringList seen;
    // Calling back into the tier would deadlock if the callback ran under its lock.
    tier.onEvict([&](const QString &k) {
      QVERIFY(!tier.peek(k));
      seen << QStringLiteral("%1@%2").arg(k).arg(tier.bytes());
    });
    QVERIFY(tier.insert(object(QStringLiteral("a"), 150)));
    QVERIFY(tier.insert(object(QStringLiteral("b"), 150)));
    QCOMPARE(seen, QStringList{QStringLiteral("a@150")});
  }

  void removeAndPrefix() {
    MemoryTier tier(100000, 1000, makePolicy(QStringLiteral("s3fifo")));
    for (int i = 0; i < 10; ++i) {
      QVERIFY(tier.insert(object(QStringLiteral("/media/t_1/seg-%1").arg(i), 100)));
      QVERIFY(tier.insert(object(QStringLiteral("/media/t_10/seg-%1").arg(i), 100)));
      QVERIFY(tier.insert(object(QStringLiteral("/media/t_2/seg-%1").arg(i), 100)));
    }
    QCOMPARE(tier.removePrefix(QStringLiteral("/media/t_1/")), 10);
    QCOMPARE(tier.objects(), 20);
    QCOMPARE(tier.bytes(), 2000);
    QVERIFY(tier.peek(QStringLiteral("/media/t_10/seg-3")));
    QVERIFY(!tier.peek(QStringLiteral("/media/t_1/seg-3")));
    QVERIFY(tier.remove(QStringLiteral("/media/t_2/seg-0")));
    QVERIFY(!tier.remove(QStringLiteral("/media/t_2/seg-0")));
    QCOMPARE(tier.bytes(), 1900);
    QCOMPARE(tier.removePrefix(QStringLiteral("/media/")), 19);
    QCOMPARE(tier.bytes(), 0);
    QCOMPARE(tier.evictions(), 0u);  // purges are not evictions
    // The policy forgot them too: filling up again evicts only new keys.
    QStringList evicted;
    tier.onEvict([&](const QString &k) { evicted << k; });
    for (int i = 0; i < 150; ++i) QVERIFY(tier.insert(object(QStringLiteral("/n/%1").arg(i), 1000)));
    QCOMPARE(evicted.size(), 50);
    for (const QString &k : std::as_const(evicted)) QVERIFY2(k.startsWith(u"/n/"), qPrintable(k));
  }

  void concurrentUse() {
    MemoryTier tier(200000, 20000, makePolicy(QStringLiteral("s3fifo")));
    std::atomic<int> hits{0}, bad{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
      threads.emplace_back([&, t] {
        std::mt19937 rng(t);
        for (int i = 0; i < 20000; ++i) {
          const int id = std::uniform_int_distribution<int>(0, 200)(rng);
          const QString key = QStringLiteral("/media/c/%1").arg(id);
          if (auto o = tier.lookup(key)) {
            ++hits;
            // Content is a function of the key: a torn or mixed-up object shows here.
            if (o->meta.key != key || o->body.size() != 100 + id * 50 || o->body.at(0) != char('a' + id % 26))
              ++bad;
          } else {
            tier.insert(object(key, 100 + id * 50, char('a' + id % 26)));
          }
          if (tier.bytes() > tier.maxBytes()) ++bad;
        }
      });
    for (auto &t : threads) t.join();
    QCOMPARE(bad.load(), 0);
    QVERIFY(hits.load() > 0);
    QVERIFY(tier.evictions() > 0);
    QCOMPARE(sumOfObjects(tier), tier.bytes());
    QVERIFY(tier.bytes() <= tier.maxBytes());
  }
};

QTEST_GUILESS_MAIN(TestMemoryTier)
#include "tst_memorytier.moc"
