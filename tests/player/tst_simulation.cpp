// The engine in virtual time: a simulated session is deterministic (same inputs, the
// same report byte for byte), plays a title through without stalls when bandwidth is
// plentiful, stalls exactly where the buffer runs dry when it is not, respects the
// buffer cap, scores QoE_lin as documented, plays HLS like DASH, and is fast.

#include "player/abr/abr.h"
#include "player/sim/simtransport.h"
#include "player/sim/simulation.h"
#include "synthetictitle.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QTest>

using namespace rs::player;
using namespace rs::player::testing;

namespace {

// A trace text: `rates` Mbit/s, one per `step` seconds.
QByteArray traceText(const std::vector<double> &rates, double step = 1) {
  QByteArray out;
  for (std::size_t i = 0; i < rates.size(); ++i) out += QByteArray::number(double(i) * step) + '\t' + QByteArray::number(rates[i]) + '\n';
  return out;
}

Trace traceOf(const std::vector<double> &rates, double step = 1) {
  auto t = Trace::parse(traceText(rates, step), QStringLiteral("test"));
  Q_ASSERT(t.isOk());
  return *t;
}

QByteArray reportBytes(const SessionLog &log) { return QJsonDocument(reportJson(log)).toJson(QJsonDocument::Compact); }

}  // namespace

class TestSimulation : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void sameInputsGiveTheSameReportByteForByte() {
    const TitleMedia title = syntheticTitle();
    auto trace = Trace::load(QStringLiteral("hsdpa-metro"));
    QVERIFY2(trace.isOk(), qPrintable(trace.status().message()));
    for (const QString &abr : abrNames()) {
      const SimulationResult a = simulate(title, *trace, abr, {});
      const SimulationResult b = simulate(title, *trace, abr, {});
      QCOMPARE(a.log.endedBy, u"end"_qs);
      QCOMPARE(a.log.segments.size(), std::size_t(30));
      QCOMPARE(reportBytes(a.log), reportBytes(b.log));
    }
  }

  void plentyOfBandwidthClimbsToTheTopWithoutStalls() {
    const TitleMedia title = syntheticTitle();
    for (const QString &abr : abrNames()) {
      const SessionLog log = simulate(title, Trace::constant(40), abr, {}).log;
      const QoeSummary q = summarise(log);
      QVERIFY2(log.stalls.empty(), qPrintable(abr));
      QCOMPARE(log.segments.front().rung, 0);  // fast start without an estimate: the lowest rung
      QVERIFY2(log.segments.back().rung == 5, qPrintable(QStringLiteral("%1 ended on rung %2").arg(abr).arg(log.segments.back().rung)));
      // Two round trips (the manifest, then init and first segment side by side) and
      // ~180 KB of video and audio at 40 Mbit/s.
      QVERIFY2(q.startupMs > 160 && q.startupMs < 260, qPrintable(QString::number(q.startupMs)));
      QCOMPARE(log.positionS, 120.0);
    }
  }

  // The link goes quiet after 6 s: playback runs dry exactly when the buffered media
  // ends, and the stall lasts until the next segment arrives.
  void anOutageStallsWhereTheBufferEnds() {
    TitleSpec spec;
    spec.kbps = {1000};
    spec.audio = false;
    spec.segments = 10;
    const TitleMedia title = syntheticTitle(spec);
    std::vector<double> rates(6, 10.0);
    rates.resize(36, 0.0);  // 30 s of nothing
    rates.resize(40, 10.0);
    SimulationOptions o;
    o.rttS = 0;
    const SessionLog log = simulate(title, traceOf(rates), u"throughput", o).log;
    QCOMPARE(log.endedBy, u"end"_qs);
    QCOMPARE(log.stalls.size(), std::size_t(1));
    const Stall &s = log.stalls.front();
    // Each segment (4 s at 1 Mbit/s × 0.8 ± wobble) takes ~0.3 s at 10 Mbit/s: by 6 s the
    // buffer holds every segment downloaded so far; the playhead stalls at their end.
    double bufferedAtOutage = 0;
    for (const SegmentRecord &r : log.segments)
      if (r.finishedAt <= 6.0) bufferedAtOutage = r.mediaStartS + 4;
    QCOMPARE(s.positionS, bufferedAtOutage);
    QVERIFY(qFuzzyCompare(s.atS - log.playStartedAt, bufferedAtOutage));
    // The stall ends when the link is back (36 s) and the next segment is in.
    QVERIFY2(s.atS + s.durationS > 36 && s.atS + s.durationS < 37, qPrintable(QString::number(s.atS + s.durationS)));
    QVERIFY(qFuzzyCompare(summarise(log).rebufferS, s.durationS));
  }

  // The link collapses while a top-rung segment downloads: the engine drops it and
  // fetches that segment at the rung the measured throughput sustains, and stalls less
  // than it would have waiting for the big one.
  void abandonmentSavesASessionFromACollapse() {
    TitleSpec spec;
    spec.segments = 20;
    const TitleMedia title = syntheticTitle(spec);
    std::vector<double> rates(14, 12.0);
    rates.resize(200, 0.4);
    SimulationOptions o;
    o.bufferCapS = 12;
    const Trace trace = traceOf(rates);
    const SessionLog with = simulate(title, trace, u"throughput", o).log;
    o.abandonment = false;
    const SessionLog without = simulate(title, trace, u"throughput", o).log;
    const auto abandoned = std::find_if(with.segments.begin(), with.segments.end(), [](const SegmentRecord &r) { return !r.abandoned.empty(); });
    QVERIFY2(abandoned != with.segments.end(), "a download was abandoned");
    QVERIFY(abandoned->rung < abandoned->abandoned.front().rung);
    QVERIFY(QByteArray(abandoned->decision.reason).startsWith("abandoned"));
    QVERIFY(abandoned->abandoned.front().bytes > 0);
    for (const SegmentRecord &r : without.segments) QVERIFY(r.abandoned.empty());
    QVERIFY2(summarise(with).rebufferS < summarise(without).rebufferS,
             qPrintable(u"%1 vs %2"_qs.arg(summarise(with).rebufferS).arg(summarise(without).rebufferS)));
  }

  void theBufferNeverPassesItsCap() {
    const TitleMedia title = syntheticTitle();
    SimulationOptions o;
    o.bufferCapS = 12;
    for (const QString &abr : abrNames()) {
      const SessionLog log = simulate(title, Trace::constant(50), abr, o).log;
      for (const SegmentRecord &r : log.segments) QVERIFY2(r.bufferAfterS <= 12 + 1e-6, qPrintable(QString::number(r.bufferAfterS)));
      double most = 0;
      for (const SegmentRecord &r : log.segments) most = std::max(most, r.bufferAfterS);
      QVERIFY2(most > 11, qPrintable(QString::number(most)));  // and it does fill up to it
    }
  }

  void qoeLinIsBitrateMinusRebufferAndSwitches() {
    SessionLog log;
    log.endedBy = QStringLiteral("end");
    for (double kbps : {300.0, 750.0, 750.0, 300.0}) {
      SegmentRecord r;
      r.index = int(log.segments.size());
      r.bitrate = kbps * 1000;
      log.segments.push_back(r);
    }
    log.stalls.push_back({10, 8, 1.5});
    const QoeSummary q = summarise(log);
    // Σ q = 2.1; − 4.3 × 1.5; − (0.45 + 0 + 0.45)
    QVERIFY(qFuzzyCompare(q.qoeLin, 2.1 - 6.45 - 0.9));
    QCOMPARE(q.switches, 2);
    QCOMPARE(q.rebufferEvents, 1);
    QVERIFY(qFuzzyCompare(q.meanBitrate, 525000.0));
    // Unplayed segments (after the playhead) do not count for a stopped session.
    log.endedBy = QStringLiteral("watch limit");
    log.positionS = 8;
    for (int i = 0; i < 4; ++i) log.segments[std::size_t(i)].mediaStartS = 4.0 * i;
    QCOMPARE(summarise(log).playedSegments, 2);
  }

  void hlsPlaysLikeDash() {
    TitleSpec spec;
    spec.hls = true;
    const TitleMedia hls = syntheticTitle(spec);
    auto trace = Trace::load(QStringLiteral("hsdpa-bus"));
    QVERIFY(trace.isOk());
    const SessionLog log = simulate(hls, *trace, u"mpc", {}).log;
    QCOMPARE(log.endedBy, u"end"_qs);
    QCOMPARE(log.segments.size(), std::size_t(30));
    QVERIFY(log.segments.back().rung > 0);
  }

  // The first source answers 404: the session moves on to the next one (as it would to
  // the origin after a dead edge) and plays the title from there.
  void aFailingSourceFallsBackToTheNext() {
    for (const bool hls : {false, true}) {
      TitleSpec spec;
      spec.hls = hls;
      spec.segments = 10;
      const TitleMedia title = syntheticTitle(spec);
      VirtualClock clock;
      const Trace trace = Trace::constant(8);
      SimLink link(trace, clock, 0.05);
      SimTransport transport(link, clock, title);
      SessionOptions o;
      o.manifestUrl = QUrl(u"http://dead-edge.test/media/t/manifest.mpd"_qs);
      o.fallbacks = {title.manifestUrl};
      Session session(o, clock, transport, makeAbr(u"mpc"));
      session.onFinished = [&clock] { clock.stop(); };
      session.start();
      clock.run();
      const SessionLog &log = session.log();
      QCOMPARE(log.endedBy, u"end"_qs);
      QCOMPARE(log.failovers, 1);
      QCOMPARE(log.sources.size(), std::size_t(2));
      QCOMPARE(log.segments.size(), std::size_t(10));
    }
    // With nothing to fall back on, the session ends with an error that says why.
    VirtualClock clock;
    const Trace trace = Trace::constant(8);
    const TitleMedia title = syntheticTitle();
    SimLink link(trace, clock, 0.05);
    SimTransport transport(link, clock, title);
    SessionOptions o;
    o.manifestUrl = QUrl(u"http://dead-edge.test/media/t/manifest.mpd"_qs);
    Session session(o, clock, transport, makeAbr(u"mpc"));
    session.onFinished = [&clock] { clock.stop(); };
    session.start();
    clock.run();
    QCOMPARE(session.log().endedBy, u"error"_qs);
    QVERIFY2(session.log().error.contains(u"HTTP 404"), qPrintable(session.log().error));
  }

  void watchLimitStopsEarly() {
    SimulationOptions o;
    o.watchS = 20;
    const SessionLog log = simulate(syntheticTitle(), Trace::constant(5), u"bba", o).log;
    QCOMPARE(log.endedBy, u"watch limit"_qs);
    QCOMPARE(log.positionS, 20.0);
    QCOMPARE(summarise(log).playedSegments, 5);
  }

  // The benchmark target is 1,000 ten-minute sessions per second; this only checks we
  // are not an order of magnitude off (a debug build or a loaded machine stays well
  // within it).
  void tenMinuteSessionsSimulateInMilliseconds() {
    TitleSpec spec;
    spec.segments = 150;
    const TitleMedia title = syntheticTitle(spec);
    auto trace = Trace::load(QStringLiteral("hsdpa-ferry"));
    QVERIFY(trace.isOk());
    QElapsedTimer t;
    t.start();
    for (int i = 0; i < 50; ++i) QCOMPARE(simulate(title, *trace, u"mpc", {}).log.segments.size(), std::size_t(150));
    const double perSession = double(t.nsecsElapsed()) / 1e6 / 50;
    qInfo("%.3f ms per simulated 10-minute session", perSession);
    QVERIFY2(perSession < 20, qPrintable(QString::number(perSession)));
  }

  void tracesParseOrSayWhy() {
    auto ok = Trace::parse("0\t1.5\n1\t0\n2\t3\n", QStringLiteral("t"));
    QVERIFY(ok.isOk());
    QCOMPARE(ok->periodS(), 3.0);
    QVERIFY(qFuzzyCompare(ok->meanMbps(), 1.5));
    QCOMPARE(ok->bytesAt(1), 1.5e6 / 8);
    QCOMPARE(ok->bytesAt(2), 1.5e6 / 8);   // the silent second adds nothing
    QCOMPARE(ok->timeAtBytes(1.5e6 / 8 + 1), 2 + 8.0 / 3e6);
    QCOMPARE(ok->bytesAt(4), 4.5e6 / 8 + 1.5e6 / 8);  // looped
    QCOMPARE(ok->rateBps(4.5), 0.0);
    struct Case {
      QByteArray text;
      const char *mentions;
    };
    for (const Case &c : {Case{"", "no samples"}, Case{"0\t1\n0\t2\n", "line 2: time does not increase"},
                          Case{"0 1 2\n", "two numbers"}, Case{"0\tfast\n", "not a number"}, Case{"0\t-1\n", "negative"},
                          Case{"0\t0\n1\t0\n", "never delivers"}}) {
      auto t = Trace::parse(c.text, QStringLiteral("bad"));
      QVERIFY2(!t.isOk() && t.status().message().contains(QLatin1String(c.mentions)), qPrintable(t.status().message()));
    }
    QVERIFY(!Trace::load(QStringLiteral("/no/such/trace")).isOk());
    QCOMPARE(bundledTraces().size(), std::size_t(8));
    for (const BundledTrace &b : bundledTraces()) QVERIFY2(Trace::load(b.name).isOk(), qPrintable(b.name));
  }
};

QTEST_GUILESS_MAIN(TestSimulation)
#include "tst_simulation.moc"
