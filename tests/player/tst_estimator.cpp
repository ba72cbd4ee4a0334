// The bandwidth estimator: the dual EWMA moves half way to a new rate in one
// half-life of download time (3 s fast, 8 s slow), bias-corrected from the first
// sample; the safe estimate is the smaller; the sliding window's harmonic mean and
// prediction errors are those of robust MPC; latency never lowers throughput; tiny
// downloads only count for latency. And the segment size model.

#include "player/engine/bandwidthestimator.h"
#include "player/engine/sizemodel.h"

#include <QTest>

using namespace rs::player;

namespace {

// `seconds` of downloads at `mbps`, in one-second samples.
void feed(BandwidthEstimator &e, double mbps, int seconds, double latency = 0.05) {
  for (int i = 0; i < seconds; ++i) e.addSample(std::int64_t(mbps * 1e6 / 8), 1.0, latency);
}

bool near(double a, double b, double tolerance = 0.01) { return std::abs(a - b) <= tolerance * std::abs(b); }

}  // namespace

class TestEstimator : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void firstSampleIsTheEstimate() {
    BandwidthEstimator e;
    QVERIFY(!e.hasEstimate());
    QCOMPARE(e.safeBps(), 0.0);
    e.addSample(500'000, 2.0, 0.1);  // 2 Mbit/s
    QVERIFY(e.hasEstimate());
    QVERIFY(near(e.fastBps(), 2e6, 1e-9));  // bias correction: no pull towards 0
    QVERIFY(near(e.slowBps(), 2e6, 1e-9));
    QVERIFY(near(e.harmonicMeanBps(), 2e6, 1e-9));
    QCOMPARE(e.maxRecentError(), 0.0);
  }

  void halfLivesInSecondsOfDownload() {
    BandwidthEstimator e;
    feed(e, 1, 200);  // a long history at 1 Mbit/s
    feed(e, 3, 3);    // one fast half-life at 3 Mbit/s
    QVERIFY2(near(e.fastBps(), 2e6), qPrintable(QString::number(e.fastBps())));
    feed(e, 3, 5);    // eight seconds in all: one slow half-life
    QVERIFY2(near(e.slowBps(), 2e6), qPrintable(QString::number(e.slowBps())));
    // Rising, the slow one lags: it is the safe one.
    QCOMPARE(e.safeBps(), e.slowBps());
    feed(e, 0.2, 4);  // falling, the fast one reacts first
    QCOMPARE(e.safeBps(), e.fastBps());
    QVERIFY(e.fastBps() < e.slowBps());
  }

  void weightIsDownloadTimeNotSampleCount() {
    BandwidthEstimator a, b;
    feed(a, 1, 100);
    feed(b, 1, 100);
    a.addSample(std::int64_t(3e6 / 8 * 6), 6.0, 0);  // one 6 s download at 3 Mbit/s
    feed(b, 3, 6);                                      // six 1 s downloads at 3 Mbit/s
    QVERIFY(near(a.fastBps(), b.fastBps(), 1e-9));
    QVERIFY(near(a.slowBps(), b.slowBps(), 1e-9));
  }

  void windowHarmonicMeanAndPredictionError() {
    BandwidthEstimator e;
    for (double mbps : {1.0, 2.0, 4.0, 4.0, 4.0, 4.0, 4.0}) e.addSample(std::int64_t(mbps * 1e6 / 8), 1.0, 0);
    // The last five: 4 4 4 4 4 (the 1 and 2 fell out of the window).
    QVERIFY(near(e.harmonicMeanBps(), 4e6, 1e-9));
    // Predictions before each sample: 1 (for 2: error 0.5), H(1,2)=1.33 (for 4: 0.67),
    // H(1,2,4)=1.71 (0.57), H(1,2,4,4)=2 (0.5), H(1,2,4,4,4)=2.22 (0.44),
    // H(2,4,4,4,4)=3.33 (0.17): the largest of the last five errors is 0.67.
    QVERIFY2(near(e.maxRecentError(), 2.0 / 3), qPrintable(QString::number(e.maxRecentError())));
    QCOMPARE(e.lastBps(), 4e6);
  }

  void latencyIsKeptApart() {
    BandwidthEstimator slowStart, fastStart;
    slowStart.addSample(250'000, 1.0, 0.8);  // 2 Mbit/s body after 800 ms of latency
    fastStart.addSample(250'000, 1.0, 0.01);
    QCOMPARE(slowStart.safeBps(), fastStart.safeBps());
    QVERIFY(near(slowStart.latencyS(), 0.8, 1e-9));
    QVERIFY(near(fastStart.latencyS(), 0.01, 1e-9));
  }

  void tinyDownloadsCountForLatencyOnly() {
    BandwidthEstimator e;
    e.addSample(900, 0.0001, 0.2);  // an init segment: 72 Mbit/s of nonsense
    QVERIFY(!e.hasEstimate());
    QVERIFY(near(e.latencyS(), 0.2, 1e-9));
  }

  void sizeModelLearnsPerRung() {
    SizeModel m;
    m.reset({1e6, 2e6});
    QCOMPARE(m.expectedBytes(1, 4), 1e6);  // nominal before any sample: 2 Mbit/s × 4 s
    m.observe(0, 4, 300'000);               // 0.6 of nominal
    QVERIFY(near(m.ratio(0), 0.6, 1e-9));
    QVERIFY(near(m.ratio(1), 0.6, 1e-9));  // unseen rung: what the title does overall
    m.observe(1, 4, 900'000);               // 0.9
    QVERIFY(near(m.ratio(1), 0.9, 1e-9));
    QVERIFY(near(m.expectedBytes(1, 2), 2e6 * 2 / 8 * 0.9, 1e-9));
    m.observe(1, 4, 500'000);  // 0.5: recent segments weigh 0.4
    QVERIFY(near(m.ratio(1), 0.4 * 0.5 + 0.6 * 0.9, 1e-9));
  }
};

QTEST_GUILESS_MAIN(TestEstimator)
#include "tst_estimator.moc"
