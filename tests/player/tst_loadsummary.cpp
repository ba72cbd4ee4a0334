// The load generator's arithmetic: percentiles by nearest rank, k6-like fail-if
// conditions (parsing, unknown metrics, operators, an unmeasured metric failing), and
// Zipf popularity (rank 0 drawn most, in the expected proportion).

#include "player/load/distribution.h"
#include "player/load/thresholds.h"
#include "player/load/zipf.h"

#include <QJsonObject>
#include <QTest>

using namespace rs::player;

class TestLoadSummary : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void percentilesByNearestRank() {
    Distribution d;
    QCOMPARE(d.percentile(95), 0.0);
    for (int i = 100; i >= 1; --i) d.add(i);  // 1..100, added out of order
    QCOMPARE(d.percentile(50), 50.0);
    QCOMPARE(d.percentile(95), 95.0);
    QCOMPARE(d.percentile(99), 99.0);
    QCOMPARE(d.percentile(100), 100.0);
    QCOMPARE(d.percentile(0), 1.0);
    QCOMPARE(d.mean(), 50.5);
    QCOMPARE(d.max(), 100.0);
    const QJsonObject j = d.json();
    QCOMPARE(j[u"count"_qs].toInt(), 100);
    QCOMPARE(j[u"p90"_qs].toDouble(), 90.0);
    Distribution one;
    one.add(7);
    QCOMPARE(one.percentile(99), 7.0);
  }

  void failIfConditions() {
    const QStringList known{u"p95_start_ms"_qs, u"error_rate"_qs, u"journeys"_qs};
    auto t = parseThresholds(u"p95_start_ms>2000, error_rate>=0.01,journeys<10"_qs, known);
    QVERIFY2(t.isOk(), qPrintable(t.status().message()));
    QCOMPARE(t->size(), std::size_t(3));
    QCOMPARE(t->at(1).op, u">="_qs);
    QCOMPARE(t->at(1).value, 0.01);
    auto values = [](double start, double errors, std::optional<double> journeys) {
      return [=](const QString &m) -> std::optional<double> {
        if (m == u"p95_start_ms") return start;
        if (m == u"error_rate") return errors;
        return journeys;
      };
    };
    QJsonArray report;
    QVERIFY(evaluateThresholds(*t, values(1500, 0.009, 50), &report));
    QCOMPARE(report.size(), 3);
    QCOMPARE(report[0][u"failed"_qs].toBool(), false);
    report = {};
    QVERIFY(!evaluateThresholds(*t, values(2001, 0, 50), &report));
    QCOMPARE(report[0][u"failed"_qs].toBool(), true);
    QCOMPARE(report[0][u"value"_qs].toDouble(), 2001.0);
    QVERIFY(!evaluateThresholds(*t, values(0, 0.01, 50), &report));    // >= is inclusive
    QVERIFY(!evaluateThresholds(*t, values(0, 0, std::nullopt), &report));  // never measured: fails
    QVERIFY(parseThresholds(QString(), known).isOk());
    for (const QString &bad : {u"p95_start_ms=5"_qs, u"p95>5"_qs, u"error_rate>"_qs, u">5"_qs, u"error_rate>1x"_qs}) {
      auto r = parseThresholds(bad, known);
      QVERIFY2(!r.isOk(), qPrintable(bad));
    }
    QVERIFY(parseThresholds(u"p95>5"_qs, known).status().message().contains(u"unknown metric 'p95'"));
  }

  void zipfFavoursTheFirstRanks() {
    const Zipf zipf(10, 1.0);
    QRandomGenerator random(42);
    std::vector<int> counts(10);
    for (int i = 0; i < 100000; ++i) ++counts[std::size_t(zipf.sample(random))];
    // P(rank k) = (1/k) / H(10), H(10) = 2.929: rank 0 ≈ 34 %, rank 1 ≈ 17 %, rank 9 ≈ 3.4 %.
    QVERIFY2(std::abs(counts[0] / 1e5 - 0.3414) < 0.01, qPrintable(QString::number(counts[0])));
    QVERIFY2(std::abs(counts[1] / 1e5 - 0.1707) < 0.01, qPrintable(QString::number(counts[1])));
    QVERIFY2(std::abs(counts[9] / 1e5 - 0.0341) < 0.005, qPrintable(QString::number(counts[9])));
    const Zipf flat(4, 0.0);
    std::vector<int> even(4);
    for (int i = 0; i < 40000; ++i) ++even[std::size_t(flat.sample(random))];
    for (int c : even) QVERIFY(std::abs(c - 10000) < 600);
  }
};

QTEST_GUILESS_MAIN(TestLoadSummary)
#include "tst_loadsummary.moc"
