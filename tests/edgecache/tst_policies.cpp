// The eviction policies against traces worked out by hand, random traces checked
// against a model, and a Zipf workload where SIEVE and S3-FIFO must beat LRU.

#include "edgecache/policy.h"

#include <QElapsedTimer>
#include <QSet>
#include <QTest>
#include <cmath>
#include <random>

using namespace rs::edgecache;

namespace {

struct Run {
  QStringList evicted;
  int hits = 0;
};

// A cache of `capacity` unit-sized objects: a hit touches, a miss evicts until
// there is room and inserts.
Run replay(EvictionPolicy &policy, int capacity, const QStringList &trace) {
  policy.setCapacity(capacity);
  Run run;
  QSet<QString> cached;
  for (const QString &key : trace) {
    if (cached.contains(key)) {
      policy.touch(key);
      ++run.hits;
      continue;
    }
    while (cached.size() >= capacity) {
      const QString victim = policy.evict();
      if (victim.isEmpty() || !cached.remove(victim)) {
        run.evicted << QStringLiteral("<bad:%1>").arg(victim);
        return run;
      }
      run.evicted << victim;
    }
    policy.insert(key, 1);
    cached.insert(key);
  }
  return run;
}

QStringList trace(const char *spaced) { return QString::fromLatin1(spaced).split(u' ', Qt::SkipEmptyParts); }

std::unique_ptr<EvictionPolicy> make(const char *name) {
  auto p = makePolicy(QString::fromLatin1(name));
  Q_ASSERT(p);
  return p;
}

}  // namespace

class TestPolicies : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void factory() {
    QCOMPARE(policyNames(), (QStringList{QStringLiteral("lru"), QStringLiteral("sieve"), QStringLiteral("s3fifo")}));
    for (const QString &name : policyNames()) {
      auto p = makePolicy(name);
      QVERIFY(p);
      QCOMPARE(p->name(), name);
      QCOMPARE(p->size(), 0);
      QVERIFY(p->evict().isNull());
    }
    QVERIFY(!makePolicy(QStringLiteral("lfu")));
  }

  void lruTrace() {
    // Capacity 3; the list is written most recent first.
    //  A B C   → [C B A]
    //  A hit   → [A C B]
    //  D miss  → evict B (least recent)   [D A C]
    //  B miss  → evict C                  [B D A]
    //  E miss  → evict A                  [E B D]
    //  A miss  → evict D                  [A E B]
    auto p = make("lru");
    const Run run = replay(*p, 3, trace("A B C A D B E A"));
    QCOMPARE(run.evicted, trace("B C A D"));
    QCOMPARE(run.hits, 1);
    QCOMPARE(p->size(), 3);
  }

  void sieveTrace() {
    // Capacity 4; the queue is written head (newest) → tail (oldest), * = visited.
    //  A B C D       → D C B A, hand unset
    //  A, C hit      → D C* B A*
    //  E miss: hand starts at the tail: A* cleared, B unvisited → evict B;
    //          hand moves to B's neighbour towards the head: C.   E D C* A
    //  B miss: hand at C*: cleared, on to D: unvisited → evict D; hand → E.
    //                                                              B E C A
    //  F miss: hand at E: unvisited → evict E; hand → B.            F B C A
    //  G miss: hand at B: unvisited → evict B; hand → F.            G F C A
    //  F hit                                                        G F* C A
    //  H miss: hand at F*: cleared, on to G → evict G; G was the head, so the
    //          hand wraps: it restarts at the tail next time.       H F C A
    //  I miss: hand at the tail A (cleared by the first eviction) → evict A.
    // A, hit once long ago, survived four evictions that LRU would have spent on it;
    // a FIFO without the hand's persistence would have re-scanned from the tail.
    auto p = make("sieve");
    const Run run = replay(*p, 4, trace("A B C D A C E B F G F H I"));
    QCOMPARE(run.evicted, trace("B D E B G A"));
    QCOMPARE(run.hits, 3);
    QCOMPARE(p->size(), 4);
  }

  void sieveRemoveUnderHand() {
    // Capacity 3: A B C → C B A; A hit; evict: A* cleared, B evicted, hand → C.
    // Removing C (the hand's object, and the head) must move the hand, which then
    // wraps to the tail: the next victim is A.
    auto p = make("sieve");
    const Run run = replay(*p, 3, trace("A B C A"));
    QCOMPARE(run.hits, 1);
    QCOMPARE(p->evict(), QStringLiteral("B"));
    p->remove(QStringLiteral("C"));
    p->insert(QStringLiteral("D"), 1);
    QCOMPARE(p->evict(), QStringLiteral("A"));
    QCOMPARE(p->evict(), QStringLiteral("D"));
    QVERIFY(p->evict().isNull());
  }

  void s3fifoTrace() {
    // Capacity 10 unit objects: S targets 1, M 9, G remembers up to 9.
    // Queues written head → tail; freq in brackets when not 0.
    //  A..J miss                      S: J I H G F E D C B A
    //  A..G hit twice, H once         A..G [2], H [1]
    //  K miss: S's tail A[2] has freq > 1 → M (freq reset to 0); so do B..G.
    //          M holds 7 ≤ 9 and S is not empty, so S again: H[1] is not > 1 →
    //          evicted to G.          S: K J I   M: G F E D C B A   G: H
    //  A hit, B hit twice             A[1] B[2] in M
    //  L miss: M 7 ≤ 9 → S's tail I → evicted.       S: L K J   G: I H
    //  K hit twice                    K[2]
    //  H miss: S's tail J → evicted; H is in G, so it enters M directly.
    //                                 S: L K   M: H G F E D C B A   G: J I
    //  I miss: S's tail K[2] → M (9 ≤ 9), then L → evicted; I (in G) → M.
    //                                 S: -   M: I K H G F E D C B A   G: L J
    //  M miss: M holds 10 > 9: its tail A[1] is reinserted at the head as A[0],
    //          then B[2] as B[1]; C → evicted.        M: B A I K H G F E D   S: M
    //  N miss: M 9 ≤ 9 → S's tail M → evicted.        S: N   G: M L J
    //  J miss: S's tail N → evicted; J is in G → M.   M: J B A I K H G F E D
    //  P miss: M 10 > 9 → its tail D → evicted.
    auto p = make("s3fifo");
    const Run run = replay(*p, 10,
                           trace("A B C D E F G H I J "
                                 "A A B B C C D D E E F F G G H "
                                 "K A B B L K K H I M N J P"));
    QCOMPARE(run.evicted, trace("H I J L C M N D"));
    QCOMPARE(run.hits, 15 + 3 + 2);
    QCOMPARE(p->size(), 10);
  }

  void s3fifoSharesAreBytes() {
    // Budget 100 bytes: M's share is 90. S: x(1) big(92, freq 2). The first
    // eviction promotes big to M, which then holds 92 bytes > 90, so M evicts —
    // big itself (its freq was reset on promotion). Shares counted in objects would
    // find M (1 of 2 objects) under its share and evict x from S instead.
    auto p = make("s3fifo");
    p->setCapacity(100);
    p->insert(QStringLiteral("big"), 92);
    p->touch(QStringLiteral("big"));
    p->touch(QStringLiteral("big"));
    p->insert(QStringLiteral("x"), 1);
    QCOMPARE(p->evict(), QStringLiteral("big"));
    QCOMPARE(p->evict(), QStringLiteral("x"));
  }

  void randomTraceProperties_data() {
    QTest::addColumn<QString>("name");
    for (const QString &n : policyNames()) QTest::newRow(qPrintable(n)) << n;
  }
  void randomTraceProperties() {
    QFETCH(QString, name);
    auto p = makePolicy(name);
    p->setCapacity(5000);
    std::mt19937 rng(42);
    QSet<QString> held;  // what the policy must hold
    QStringList heldList;
    int next = 0;
    auto pick = [&]() -> QString {
      return heldList[std::uniform_int_distribution<int>(0, int(heldList.size()) - 1)(rng)];
    };
    auto forget = [&](const QString &key) {
      held.remove(key);
      heldList.removeOne(key);
    };
    for (int step = 0; step < 20000; ++step) {
      const int op = std::uniform_int_distribution<int>(0, 9)(rng);
      if (op < 4 || held.isEmpty()) {
        // New keys, and sometimes a key evicted earlier coming back (S3-FIFO's ghost).
        const int id = op == 0 && next > 10 ? std::uniform_int_distribution<int>(0, next - 1)(rng) : next++;
        const QString key = QStringLiteral("k%1").arg(id);
        if (held.contains(key)) continue;
        p->insert(key, std::uniform_int_distribution<int>(1, 100)(rng));
        held.insert(key);
        heldList << key;
      } else if (op < 7) {
        p->touch(pick());
      } else if (op < 8) {
        const QString key = pick();
        p->remove(key);
        forget(key);
      } else {
        const QString victim = p->evict();
        QVERIFY2(held.contains(victim), qPrintable(victim));
        forget(victim);
      }
      QCOMPARE(p->size(), held.size());
    }
    // Draining returns every held key exactly once.
    QSet<QString> drained;
    for (QString victim = p->evict(); !victim.isNull(); victim = p->evict()) {
      QVERIFY2(held.contains(victim), qPrintable(victim));
      QVERIFY2(!drained.contains(victim), qPrintable(victim));
      drained.insert(victim);
    }
    QCOMPARE(drained, held);
    QCOMPARE(p->size(), 0);
  }

  void manyKeys_data() { randomTraceProperties_data(); }
  void manyKeys() {
    // Every operation must be O(1): 300k keys in, a third touched, all evicted (an
    // O(n) step anywhere would make this take minutes, not a fraction of a second).
    constexpr int kKeys = 300000;
    QFETCH(QString, name);
    auto p = makePolicy(name);
    p->setCapacity(kKeys);
    QElapsedTimer timer;
    timer.start();
    QStringList keys;
    keys.reserve(kKeys);
    for (int i = 0; i < kKeys; ++i) keys << QString::number(i);
    for (const QString &k : std::as_const(keys)) p->insert(k, 1);
    for (int i = 0; i < kKeys; i += 3) p->touch(keys[i]);
    QCOMPARE(p->size(), kKeys);
    qsizetype evicted = 0;
    while (!p->evict().isNull()) ++evicted;
    QCOMPARE(evicted, kKeys);
    qInfo("%s: %d inserts, %d touches, %d evictions in %lld ms", qPrintable(name), kKeys, kKeys / 3, kKeys,
          timer.elapsed());
  }

  void zipfHitRatios() {
    // Catalogue 10× the cache, Zipf(0.8) popularity, 200k requests, fixed seed.
    constexpr int kCatalogue = 10000, kCache = 1000, kRequests = 200000;
    std::vector<double> cdf(kCatalogue);
    double sum = 0;
    for (int i = 0; i < kCatalogue; ++i) cdf[i] = (sum += 1.0 / std::pow(i + 1, 0.8));
    for (double &c : cdf) c /= sum;
    std::mt19937_64 rng(20240611);
    std::uniform_real_distribution<double> uniform(0, 1);
    QStringList requests;
    requests.reserve(kRequests);
    for (int i = 0; i < kRequests; ++i) {
      const auto rank = std::lower_bound(cdf.begin(), cdf.end(), uniform(rng)) - cdf.begin();
      requests << QString::number(std::min<qsizetype>(rank, kCatalogue - 1));
    }
    QHash<QString, double> ratio;
    for (const QString &name : policyNames()) {
      auto p = makePolicy(name);
      const Run run = replay(*p, kCache, requests);
      QVERIFY(!run.evicted.isEmpty() && !run.evicted.last().startsWith(u"<bad"));
      ratio[name] = double(run.hits) / kRequests;
      qInfo("%s object hit ratio %.4f", qPrintable(name), ratio[name]);
    }
    QVERIFY(ratio[QStringLiteral("sieve")] > ratio[QStringLiteral("lru")]);
    QVERIFY(ratio[QStringLiteral("s3fifo")] > ratio[QStringLiteral("lru")]);
  }
};

QTEST_GUILESS_MAIN(TestPolicies)
#include "tst_policies.moc"
