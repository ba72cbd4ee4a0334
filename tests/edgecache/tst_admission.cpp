// Disk-tier admission: "always", and the second-hit doorkeeper with its bounded memory.

#include "edgecache/admission.h"

#include <QTest>
#include <thread>
#include <vector>

using namespace rs::edgecache;

namespace {
const QString A = QStringLiteral("/media/t_1/a.m4s"), B = QStringLiteral("/media/t_1/b.m4s"),
              C = QStringLiteral("/media/t_1/c.m4s"), D = QStringLiteral("/media/t_1/d.m4s");
}

class TestAdmission : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void factory() {
    QCOMPARE(makeAdmission(QStringLiteral("always"))->name(), QStringLiteral("always"));
    QCOMPARE(makeAdmission(QStringLiteral("second-hit"))->name(), QStringLiteral("second-hit"));
    QVERIFY(!makeAdmission(QStringLiteral("third-hit")));
  }

  void alwaysAdmits() {
    auto a = makeAdmission(QStringLiteral("always"));
    QVERIFY(a->admit(A, 1));  // even never requested
    a->recordRequest(B);
    QVERIFY(a->admit(B, 1 << 30));
  }

  void secondHit() {
    auto a = makeAdmission(QStringLiteral("second-hit"), 100);
    QVERIFY(!a->admit(A, 10));  // never requested
    a->recordRequest(A);
    QVERIFY(!a->admit(A, 10));  // first request: a one-hit wonder so far
    QVERIFY(!a->admit(A, 10));  // asking again does not count as a request
    a->recordRequest(A);
    QVERIFY(a->admit(A, 10));   // second request
    a->recordRequest(A);
    QVERIFY(a->admit(A, 10));
    a->recordRequest(B);
    QVERIFY(!a->admit(B, 10));  // per key
  }

  void memoryIsBounded() {
    auto a = makeAdmission(QStringLiteral("second-hit"), 3);
    a->recordRequest(A);
    a->recordRequest(B);
    a->recordRequest(C);
    a->recordRequest(D);  // the fourth distinct key pushes out the first
    a->recordRequest(C);
    QVERIFY(a->admit(C, 1));  // still remembered
    a->recordRequest(A);
    QVERIFY(!a->admit(A, 1));  // forgotten: this is its first request again
    a->recordRequest(A);
    QVERIFY(a->admit(A, 1));
    QVERIFY(!a->admit(B, 1));
  }

  void repeatsDoNotTakeSlots() {
    // A key requested again keeps its one slot: B arriving after many A requests
    // does not push A out of a memory of 2.
    auto a = makeAdmission(QStringLiteral("second-hit"), 2);
    for (int i = 0; i < 10; ++i) a->recordRequest(A);
    a->recordRequest(B);
    QVERIFY(a->admit(A, 1));
    QVERIFY(!a->admit(B, 1));
    a->recordRequest(C);  // now A (the oldest) goes
    QVERIFY(!a->admit(A, 1));
  }

  void bigMemoryForgetsNothingEarly() {
    auto a = makeAdmission(QStringLiteral("second-hit"), 10000);
    for (int i = 0; i < 10000; ++i) a->recordRequest(QString::number(i));
    for (int i = 0; i < 10000; i += 7) {
      a->recordRequest(QString::number(i));
      QVERIFY(a->admit(QString::number(i), 1));
    }
    a->recordRequest(QStringLiteral("new"));  // evicts "0", the oldest
    a->recordRequest(QStringLiteral("0"));
    QVERIFY(!a->admit(QStringLiteral("0"), 1));
  }

  void concurrentRequests() {
    auto a = makeAdmission(QStringLiteral("second-hit"), 500);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
      threads.emplace_back([&a, t] {
        for (int i = 0; i < 20000; ++i) {
          const QString key = QString::number((i * 7 + t) % 1000);
          a->recordRequest(key);
          a->admit(key, 1);
        }
      });
    for (auto &t : threads) t.join();
    // Still coherent afterwards.
    a->recordRequest(QStringLiteral("fresh"));
    QVERIFY(!a->admit(QStringLiteral("fresh"), 1));
    a->recordRequest(QStringLiteral("fresh"));
    QVERIFY(a->admit(QStringLiteral("fresh"), 1));
  }
};

QTEST_GUILESS_MAIN(TestAdmission)
#include "tst_admission.moc"
