// Tests for rs::metrics: exact exposition text per type, escaping, cumulative
// histogram buckets, concurrent increments, and promtool's verdict on the output.

#include "core/metrics/metrics.h"

#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryFile>
#include <QTest>
#include <thread>
#include <vector>

using namespace Qt::StringLiterals;
using namespace rs::metrics;

class TestMetrics : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void counterRendering() {
    Registry reg;
    Counter &c = reg.counter("jobs_done_total", "Jobs finished.");
    c.inc();
    c.inc(2);
    c.inc(-5);  // ignored
    Counter &ok = reg.counter("http_requests_total", "HTTP requests.", {{"code", u"2xx"_s}, {"role", "origin"}});
    Counter &bad = reg.counter("http_requests_total", "ignored: first help wins", {{"code", QByteArray("5xx")}, {"role", "origin"}});
    ok.inc(10);
    bad.inc(0.5);
    QCOMPARE(&reg.counter("jobs_done_total", "Jobs finished."), &c);  // same series, same object
    QCOMPARE(reg.render(), QByteArray("# HELP jobs_done_total Jobs finished.\n"
                                      "# TYPE jobs_done_total counter\n"
                                      "jobs_done_total 3\n"
                                      "# HELP http_requests_total HTTP requests.\n"
                                      "# TYPE http_requests_total counter\n"
                                      "http_requests_total{code=\"2xx\",role=\"origin\"} 10\n"
                                      "http_requests_total{code=\"5xx\",role=\"origin\"} 0.5\n"));
  }

  void gaugeRendering() {
    Registry reg;
    Gauge &g = reg.gauge("queue_depth", "Items waiting.");
    g.set(5);
    g.inc();
    g.dec(2.5);
    reg.gauge("temperature_celsius", "Temperature.", {{"room", "a"}}).set(-12.125);
    reg.gauge("big", "Big numbers.").set(1e300);
    reg.gaugeCallback("connections_open", "Open connections.", [] { return 42.0; }, {{"role", "edge"}});
    QCOMPARE(reg.render(), QByteArray("# HELP queue_depth Items waiting.\n"
                                      "# TYPE queue_depth gauge\n"
                                      "queue_depth 3.5\n"
                                      "# HELP temperature_celsius Temperature.\n"
                                      "# TYPE temperature_celsius gauge\n"
                                      "temperature_celsius{room=\"a\"} -12.125\n"
                                      "# HELP big Big numbers.\n"
                                      "# TYPE big gauge\n"
                                      "big 1e+300\n"
                                      "# HELP connections_open Open connections.\n"
                                      "# TYPE connections_open gauge\n"
                                      "connections_open{role=\"edge\"} 42\n"));
  }

  void callbacksAreSampledAtRender() {
    Registry reg;
    double v = 1;
    reg.gaugeCallback("sampled", "Sampled.", [&v] { return v; });
    reg.counterCallback("ticks_total", "Ticks.", [&v] { return v * 10; });
    QVERIFY(reg.render().contains("sampled 1\n"));
    v = 2;
    QVERIFY(reg.render().contains("sampled 2\n"));
    QVERIFY(reg.render().contains("# TYPE ticks_total counter\nticks_total 20\n"));
  }

  void histogramRendering() {
    Registry reg;
    Histogram &h = reg.histogram("request_seconds", "Request latency.", {1, 0.25, 0.5}, {{"role", "api"}});
    for (double v : {0.1, 0.25, 0.3, 0.9, 1.0, 7.0}) h.observe(v);
    QCOMPARE(reg.render(), QByteArray("# HELP request_seconds Request latency.\n"
                                      "# TYPE request_seconds histogram\n"
                                      "request_seconds_bucket{role=\"api\",le=\"0.25\"} 2\n"
                                      "request_seconds_bucket{role=\"api\",le=\"0.5\"} 3\n"
                                      "request_seconds_bucket{role=\"api\",le=\"1\"} 5\n"
                                      "request_seconds_bucket{role=\"api\",le=\"+Inf\"} 6\n"
                                      "request_seconds_sum{role=\"api\"} 9.55\n"
                                      "request_seconds_count{role=\"api\"} 6\n"));
    Registry plain;
    plain.histogram("sizes_bytes", "Sizes.", exponentialBuckets(1024, 4, 3)).observe(5000);
    QCOMPARE(plain.render(), QByteArray("# HELP sizes_bytes Sizes.\n"
                                        "# TYPE sizes_bytes histogram\n"
                                        "sizes_bytes_bucket{le=\"1024\"} 0\n"
                                        "sizes_bytes_bucket{le=\"4096\"} 0\n"
                                        "sizes_bytes_bucket{le=\"16384\"} 1\n"
                                        "sizes_bytes_bucket{le=\"+Inf\"} 1\n"
                                        "sizes_bytes_sum 5000\n"
                                        "sizes_bytes_count 1\n"));
  }

  void histogramBucketsCumulative() {
    Histogram h(defaultBuckets());
    for (int i = 0; i < 1000; ++i) h.observe(i / 100.0);  // 0 … 9.99
    const auto counts = h.cumulativeCounts();
    QCOMPARE(counts.size(), h.upperBounds().size() + 1);
    for (size_t i = 1; i < counts.size(); ++i) QVERIFY(counts[i] >= counts[i - 1]);
    QCOMPARE(counts.back(), std::uint64_t(1000));
    // le="1" includes 1.0 itself: 0.00 … 1.00 is 101 observations.
    const size_t one = size_t(std::find(h.upperBounds().begin(), h.upperBounds().end(), 1.0) - h.upperBounds().begin());
    QCOMPARE(counts[one], std::uint64_t(101));
  }

  void escaping() {
    Registry reg;
    reg.counter("escapes_total", "Help with \\ backslash and\nnewline \"quotes stay\".",
                {{"path", "C:\\dir\n\"quoted\""}, {"utf8", u"h\u00e9"_s}})
        .inc();
    QCOMPARE(reg.render(),
             QByteArray("# HELP escapes_total Help with \\\\ backslash and\\nnewline \"quotes stay\".\n"
                        "# TYPE escapes_total counter\n"
                        "escapes_total{path=\"C:\\\\dir\\n\\\"quoted\\\"\",utf8=\"h\xc3\xa9\"} 1\n"));
  }

  void valueFormatting() {
    QCOMPARE(formatValue(0), QByteArray("0"));
    QCOMPARE(formatValue(-0.0), QByteArray("0"));
    QCOMPARE(formatValue(123456789012.0), QByteArray("123456789012"));
    QCOMPARE(formatValue(0.1), QByteArray("0.1"));
    QCOMPARE(formatValue(1.0 / 3), QByteArray("0.3333333333333333"));
    QCOMPARE(formatValue(qInf()), QByteArray("+Inf"));
    QCOMPARE(formatValue(-qInf()), QByteArray("-Inf"));
    QCOMPARE(formatValue(qQNaN()), QByteArray("NaN"));
  }

  void concurrentIncrements() {
    Registry reg;
    Counter &c = reg.counter("hits_total", "Hits.");
    Gauge &g = reg.gauge("level", "Level.");
    Histogram &h = reg.histogram("lat_seconds", "Latency.", {0.5});
    constexpr int kThreads = 4, kPerThread = 100'000;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
      threads.emplace_back([&, t] {
        for (int i = 0; i < kPerThread; ++i) {
          c.inc();
          g.inc(t % 2 ? 1 : 2);
          h.observe(i % 2 ? 0.25 : 1.0);
          // Registration and lookup from other threads at the same time.
          if (i % 10'000 == 0) reg.counter("hits_total", "Hits.").inc(0);
        }
      });
    std::thread renderer([&] {
      for (int i = 0; i < 50; ++i) (void)reg.render();
    });
    for (auto &t : threads) t.join();
    renderer.join();
    QCOMPARE(c.value(), double(kThreads * kPerThread));
    QCOMPARE(g.value(), double(kPerThread * (2 + 1 + 2 + 1)));
    const auto counts = h.cumulativeCounts();
    QCOMPARE(counts[0], std::uint64_t(kThreads * kPerThread / 2));
    QCOMPARE(counts[1], std::uint64_t(kThreads * kPerThread));
    QCOMPARE(h.sum(), kThreads * (kPerThread / 2) * (0.25 + 1.0));
    QVERIFY(reg.render().contains("hits_total 400000\n"));
  }

  void processMetrics() {
    Registry reg;
    addProcessMetrics(reg);
    const QByteArray text = reg.render();
    for (const char *needle : {"# TYPE process_cpu_seconds_total counter\n", "# TYPE process_resident_memory_bytes gauge\n",
                               "# TYPE process_open_fds gauge\n", "# TYPE process_start_time_seconds gauge\n",
                               "# TYPE process_virtual_memory_bytes gauge\n", "# TYPE process_max_fds gauge\n"})
      QVERIFY2(text.contains(needle), needle);
    auto sample = [&](const char *name) {
      const QByteArray prefix = QByteArray("\n") + name + ' ';
      const qsizetype at = text.indexOf(prefix);
      if (at < 0) return -1.0;
      const qsizetype end = text.indexOf('\n', at + 1);
      return text.mid(at + prefix.size(), end - at - prefix.size()).toDouble();
    };
    QVERIFY(sample("process_resident_memory_bytes") > 1024 * 1024);
    QVERIFY(sample("process_open_fds") >= 3);
    const double start = sample("process_start_time_seconds");
    const double now = double(QDateTime::currentMSecsSinceEpoch()) / 1000.0;
    QVERIFY2(start > now - 3600 && start <= now + 1, qPrintable(QString::number(start, 'f', 3)));
    QVERIFY(sample("process_cpu_seconds_total") >= 0);
  }

  void promtoolAcceptsOutput() {
    const QString promtool = QStandardPaths::findExecutable(u"promtool"_s);
    if (promtool.isEmpty()) QSKIP("promtool is not on PATH: install prometheus (promtool) to run this check");

    Registry reg;
    reg.counter("demo_requests_total", "Requests, by code.", {{"code", "200"}, {"path", "/a\"b\\c\nd"}}).inc(3);
    reg.counter("demo_requests_total", "Requests, by code.", {{"code", "404"}, {"path", "/"}}).inc();
    reg.gauge("demo_temperature_celsius", "A gauge.\nWith a newline and a \\ in help.").set(-3.5);
    reg.gaugeCallback("demo_connections", "Open connections.", [] { return 7.0; });
    reg.counterCallback("demo_ticks_total", "Ticks.", [] { return 99.0; });
    Histogram &h = reg.histogram("demo_latency_seconds", "Latency.", defaultBuckets(), {{"role", "edge"}});
    for (double v : {0.001, 0.02, 0.2, 3.0, 30.0}) h.observe(v);
    reg.histogram("demo_empty_seconds", "Nothing observed yet.");
    addProcessMetrics(reg);

    QTemporaryFile file;
    QVERIFY(file.open());
    const QByteArray text = reg.render();
    QCOMPARE(file.write(text), text.size());
    file.close();

    QProcess p;
    p.setStandardInputFile(file.fileName());
    p.start(promtool, {u"check"_s, u"metrics"_s});
    QVERIFY2(p.waitForFinished(30'000), qPrintable(p.errorString()));
    const QByteArray out = p.readAllStandardOutput() + p.readAllStandardError();
    QVERIFY2(p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0,
             qPrintable(u"promtool check metrics failed:\n"_s + QString::fromUtf8(out) + u"\n--- input ---\n"_s +
                        QString::fromUtf8(text)));
  }
};

QTEST_GUILESS_MAIN(TestMetrics)
#include "tst_metrics.moc"
