// Each ABR algorithm against hand-worked cases on the Pensieve ladder (300, 750, 1200,
// 1850, 2850, 4300 kbit/s; 4 s segments), and the abandonment rule: when it fires and
// when it must not.

#include "player/abr/abandonment.h"
#include "player/abr/abr.h"
#include "player/abr/bba.h"
#include "player/abr/bola.h"
#include "player/abr/dynamic.h"
#include "player/abr/robustmpc.h"
#include "player/abr/throughputrule.h"

#include <QTest>
#include <cmath>

using namespace rs::player;

namespace {

const std::vector<double> kLadder = {300e3, 750e3, 1200e3, 1850e3, 2850e3, 4300e3};

// Everything an algorithm sees, with a steady estimate of `mbps`.
struct Fixture {
  std::vector<SegmentTiming> timeline;
  BandwidthEstimator estimate;
  SizeModel sizes;
  AbrInput in;

  explicit Fixture(double mbps = 0, int samples = 6) {
    for (int i = 0; i < 30; ++i) timeline.push_back({4.0 * i, 4.0, std::uint64_t(i + 1), 0});
    for (int i = 0; i < samples && mbps > 0; ++i) estimate.addSample(std::int64_t(mbps * 1e6 / 8 * 2), 2.0, 0.04);
    sizes.reset(kLadder);
    in.timeline = &timeline;
    in.bitrates = &kLadder;
    in.estimate = &estimate;
    in.sizes = &sizes;
    in.segment = 5;
    in.lastRung = 2;
    in.playing = true;
    in.bufferCapS = 30;
  }
  AbrInput with(double buffer, int lastRung = 2) {
    AbrInput i = in;
    i.bufferS = buffer;
    i.lastRung = lastRung;
    return i;
  }
};

}  // namespace

class TestAbr : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void everyAlgorithmHasANameAndFallsBackToTheStartRung() {
    QCOMPARE(abrNames().size(), 5);
    QVERIFY(abrNames().contains(defaultAbr()));
    QVERIFY(!makeAbr(u"nonsense"));
    for (const QString &name : abrNames()) {
      auto abr = makeAbr(name);
      QVERIFY(abr);
      QCOMPARE(QLatin1String(abr->name()), name);
      Fixture f;  // no estimate yet
      AbrInput in = f.with(0, -1);
      in.segment = 0;
      in.playing = false;
      in.startRung = 1;
      const Decision d = abr->choose(in);
      QVERIFY2(d.rung == 1, qPrintable(QStringLiteral("%1 chose %2: %3").arg(name).arg(d.rung).arg(QLatin1String(d.reason))));
      QVERIFY(std::strlen(d.reason) > 0);
    }
  }

  void throughputRuleTakesNinetyPercentOfTheSafeEstimate() {
    ThroughputRule rule;
    Fixture f(2.0);  // 0.9 × 2 = 1.8 Mbit/s: 1850 is out of reach, 1200 is it
    QCOMPARE(rule.choose(f.with(20)).rung, 2);
    Fixture g(2.06);  // 0.9 × 2.06 = 1.854: 1850 fits
    QCOMPARE(rule.choose(g.with(0)).rung, 3);
    Fixture slow(0.2);
    QCOMPARE(rule.choose(slow.with(25)).rung, 0);  // blind to the buffer
  }

  void bbaReservoirCushionAndRateMap() {
    Bba bba;
    Fixture f(1.0);
    QCOMPARE(bba.choose(f.with(5.0, 3)).rung, 0);  // in the 5 s reservoir
    QCOMPARE(bba.choose(f.with(15.0, 0)).rung, 5); // above reservoir + cushion
    // B = 10: f(B) = 300 + (4300 − 300) × (10 − 5) / 10 = 2300 kbit/s.
    QCOMPARE(bba.choose(f.with(10.0, 1)).rung, 3);  // from 750: passed 1200, up to the highest below 2300 (1850)
    QCOMPARE(bba.choose(f.with(10.0, 3)).rung, 3);  // 1200 < 2300 < 2850: stay
    QCOMPARE(bba.choose(f.with(10.0, 5)).rung, 4);  // from 4300: fell below 2850, down to the lowest above 2300 (2850)
    // A small cap shrinks reservoir and cushion to fit: cap 9 s − 4 s segment = 5 s for both.
    AbrInput small = f.with(5.0, 0);
    small.bufferCapS = 9;
    QCOMPARE(bba.choose(small).rung, 5);
  }

  void bolaParametersAndThresholds() {
    const Bola::Params p = Bola::paramsFor(kLadder);
    // Buffer target max(18, 10 + 2 × 6) = 22 s; gp = ln(4300/300) / (22/10 − 1); Vp = 10 / gp.
    const double top = std::log(4300.0 / 300.0);
    QVERIFY(qFuzzyCompare(p.gp, top / 1.2));
    QVERIFY(qFuzzyCompare(p.vp, 10 / p.gp));
    QCOMPARE(Bola::rungFor(p, kLadder, 0), 0);
    QCOMPARE(Bola::rungFor(p, kLadder, Bola::maxBufferFor(p, 5)), 5);  // 22 s: the top
    QVERIFY(qFuzzyCompare(Bola::maxBufferFor(p, 5), 22.0));
    // Between rung 0 and 1 the scores tie at Vp·(gp − b0·u1/(b1 − b0)) ≈ 7.2 s.
    const double tie = Bola::minBufferFor(p, kLadder, 1);
    QVERIFY2(std::abs(tie - p.vp * (p.gp - 300 * std::log(2.5) / 450)) < 1e-9, qPrintable(QString::number(tie)));
    QCOMPARE(Bola::rungFor(p, kLadder, tie - 0.01), 0);
    QCOMPARE(Bola::rungFor(p, kLadder, tie + 0.01), 1);
    // The thresholds rise with the rung.
    for (int r = 1; r < 5; ++r) QVERIFY(Bola::minBufferFor(p, kLadder, r) < Bola::minBufferFor(p, kLadder, r + 1));
  }

  void bolaStartupSetsThePlaceholderAndAStallEmptiesIt() {
    Bola bola;
    Fixture f(2.2);  // throughput rung: 0.9 × 2.2 = 1.98 → 1850 (rung 3)
    const Bola::Params p = Bola::paramsFor(kLadder);
    // Start-up with 4 s in the buffer: the throughput rung, and a placeholder that makes
    // BOLA itself pick it (4 s + placeholder = rung 3's lowest buffer).
    Decision d = bola.choose(f.with(4.0, 2));
    QCOMPARE(d.rung, 3);
    QVERIFY(bola.steady());
    QVERIFY(std::abs(bola.placeholderS() - (Bola::minBufferFor(p, kLadder, 3) - 4.0)) < 1e-9);
    // Steady, one segment later (5 s buffered): the placeholder (decayed by 1 %) keeps
    // it on rung 3 though the real buffer alone says rung 0.
    d = bola.choose(f.with(5.0, 3));
    QCOMPARE(d.rung, 3);
    QVERIFY(bola.placeholderS() > 0);
    QCOMPARE(Bola::rungFor(p, kLadder, 5.0), 0);
    // A stall: the placeholder goes, and BOLA goes back to what the buffer says.
    bola.onStall();
    QCOMPARE(bola.placeholderS(), 0.0);
    d = bola.choose(f.with(5.0, 3));
    QCOMPARE(d.rung, 0);
  }

  void bolaOscillationGuardAndInsufficientBuffer() {
    Bola bola;
    Fixture f(1.0);  // throughput rung: 0.9 Mbit/s → 750 (rung 1)
    bola.choose(f.with(8.0, 1));  // start-up: steady from here, at rung 1
    // A full buffer says "top", but BOLA-O will not step past both the throughput rung
    // (1) and the current one (1).
    const Decision d = bola.choose(f.with(25.0, 1));
    QCOMPARE(d.rung, 1);
    QVERIFY(QByteArray(d.reason).startsWith("bola-o"));
    // Insufficient buffer: at most 0.7 × 1 Mbit/s × 2 s / 4 s = 350 kbit/s.
    Bola other;
    Fixture g(1.0);
    other.choose(g.with(8.0, 1));
    other.choose(g.with(8.0, 1));
    const Decision low = other.choose(g.with(2.0, 1));
    QCOMPARE(low.rung, 0);
  }

  void bolaDelaysWhenTheBufferIsMoreThanTheRungWants() {
    Bola bola;
    Fixture f(0.5);  // only rung 0 is sustainable
    bola.choose(f.with(4.0, 0));
    bola.onStall();   // no placeholder
    // 20 s of buffer at rung 0 (which wants at most Vp·gp = 10 s): wait the difference.
    const Decision d = bola.choose(f.with(20.0, 0));
    QCOMPARE(d.rung, 0);
    QVERIFY2(std::abs(d.delayS - 10.0) < 1e-6, qPrintable(QString::number(d.delayS)));
  }

  void dynamicSwitchesWithHysteresis() {
    Dynamic dyn;
    Fixture f(2.2);
    dyn.choose(f.with(4.0, 2));
    QVERIFY(!dyn.usingBola());
    dyn.choose(f.with(12.0, 2));  // reaches 12 s: BOLA
    QVERIFY(dyn.usingBola());
    dyn.choose(f.with(8.0, 2));   // under 12 but over 6: still BOLA
    QVERIFY(dyn.usingBola());
    dyn.choose(f.with(5.9, 2));   // under 6: throughput again
    QVERIFY(!dyn.usingBola());
    dyn.choose(f.with(11.0, 2));  // under 12: stays throughput
    QVERIFY(!dyn.usingBola());
  }

  // The hybrid passes abandonments and stalls on to BOLA before BOLA ever chose a rung
  // (it runs the throughput rule while the buffer is short): BOLA must cope.
  void dynamicTellsAnUnusedBolaAboutAbandonments() {
    Dynamic dyn;
    Fixture f(2.2);
    dyn.choose(f.with(4.0, 3));
    dyn.onAbandon(f.with(3.0, 3), 3);
    dyn.onStall();
    QVERIFY(dyn.choose(f.with(13.0, 3)).rung >= 0);
  }

  void mpcPlansForQoeLin() {
    RobustMpc mpc;
    // Plenty of bandwidth and buffer: the top.
    Fixture rich(20.0);
    QCOMPARE(mpc.choose(rich.with(20.0, 5)).rung, 5);
    // Far below the lowest rung: the lowest.
    Fixture poor(0.1);
    QCOMPARE(mpc.choose(poor.with(10.0, 3)).rung, 0);
    // 3 Mbit/s and a steady history (no prediction error): 4300 takes 5.77 s a segment,
    // which 26 s of buffer absorbs for the five planned segments (ending at 17 s, above
    // the 12 s the terminal term asks for),
    Fixture steady(3.0);
    QCOMPARE(mpc.choose(steady.with(26.0, 4)).rung, 5);
    // while from 20 s the best plan climbs one segment later (4,5,5,5,5 ends at 13 s).
    const Decision later = mpc.choose(steady.with(20.0, 4));
    QCOMPARE(later.rung, 4);
    QVERIFY(std::abs(later.inputs[6].value - (2.85 + 4 * 4.3 - 1.45)) < 1e-9);  // plan_qoe
    // but 6 s do not: 2850 (3.84 s a segment) keeps the buffer and wins.
    const Decision d = mpc.choose(steady.with(6.0, 4));
    QCOMPARE(d.rung, 4);
    QVERIFY(d.inputCount >= 6);
    // Same bandwidth, an almost empty buffer: a rung that arrives before it runs dry.
    const Decision careful = mpc.choose(steady.with(1.0, 4));
    QVERIFY2(careful.rung <= 2, qPrintable(QString::number(careful.rung)));
  }

  void mpcDiscountsByTheRecentPredictionError() {
    // The same harmonic mean, once steady and once after a wildly wrong prediction.
    Fixture steady(3.0, 6);
    Fixture noisy(3.0, 0);
    for (double mbps : {12.0, 3.0, 3.0, 3.0, 3.0, 3.0}) noisy.estimate.addSample(std::int64_t(mbps * 1e6 / 8 * 2), 2.0, 0.04);
    QVERIFY(noisy.estimate.maxRecentError() > 1);  // 12 predicted, 3 came: an error of 3
    QCOMPARE(noisy.estimate.harmonicMeanBps(), steady.estimate.harmonicMeanBps());
    RobustMpc a, b;
    QVERIFY(b.choose(noisy.with(8.0, 3)).rung < a.choose(steady.with(8.0, 3)).rung);
  }

  void abandonmentFiresWhenItShould() {
    AbandonRule rule;
    AbandonInput in;
    in.bitrates = &kLadder;
    in.rung = 5;                 // 4300 kbit/s, 4 s: ~2.15 MB
    in.totalBytes = 2'150'000;
    in.segmentDurationS = 4;
    in.bufferS = 10;
    in.playing = true;
    in.firstByteAt = 0;
    in.now = 1.0;
    in.bytes = 100'000;          // 0.8 Mbit/s: 21 s to finish
    AbandonVerdict v = rule.check(in);
    QVERIFY(v.abandon);
    QCOMPARE(v.rung, 1);         // the highest rung at most 0.8 Mbit/s: 750
    QVERIFY(v.measuredBps > 790e3 && v.measuredBps < 810e3);

    // … but not before 500 ms after the first byte,
    AbandonInput early = in;
    early.now = 0.4;
    early.bytes = 40'000;
    QVERIFY(!rule.check(early).abandon);
    // not with more than 18 s of buffer,
    AbandonInput comfy = in;
    comfy.bufferS = 19;
    QVERIFY(!rule.check(comfy).abandon);
    // not on the lowest rung,
    AbandonInput lowest = in;
    lowest.rung = 0;
    QVERIFY(!rule.check(lowest).abandon);
    // not when it will finish in time (4 Mbit/s: 4.3 s in all, under 1.8 × 4 s, and the
    // buffer outlasts it),
    AbandonInput fine = in;
    fine.bytes = 500'000;
    QVERIFY(!rule.check(fine).abandon);
    // and not when what is left is smaller than the replacement would be.
    AbandonInput almost = in;
    almost.bytes = 2'100'000;
    almost.now = 21;
    QVERIFY(!rule.check(almost).abandon);
  }

  void abandonmentAlsoFiresBeforeAStall() {
    AbandonRule rule;
    AbandonInput in;
    in.bitrates = &kLadder;
    in.rung = 3;
    in.totalBytes = 925'000;     // 1850 kbit/s × 4 s
    in.segmentDurationS = 4;
    in.firstByteAt = 0;
    in.now = 1.0;
    in.bytes = 200'000;          // 1.6 Mbit/s: 3.6 s more, 4.6 s in all (under 7.2 s)
    in.playing = true;
    in.bufferS = 10;
    QVERIFY(!rule.check(in).abandon);
    in.bufferS = 3;              // but the buffer lasts only 3 s
    const AbandonVerdict v = rule.check(in);
    QVERIFY(v.abandon);
    QCOMPARE(v.rung, 2);
    QVERIFY(QByteArray(v.reason).contains("buffer runs dry"));
  }
};

QTEST_GUILESS_MAIN(TestAbr)
#include "tst_abr.moc"
