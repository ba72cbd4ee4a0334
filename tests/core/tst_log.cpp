// Tests for rs::log: message line formats, level filtering through the installed
// handler (in a child process, whose stderr we read), and the thread-safe access log.

#include "core/log/log.h"

#include <QCoreApplication>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>
#include <QTimeZone>
#include <cstring>
#include <thread>
#include <vector>

using namespace Qt::StringLiterals;
using namespace rs::log;

namespace {

// Child mode: install the handler as main() would and log at every level.
int runChildLogger(const char *format, const char *level) {
  Options options;
  options.format = parseFormat(QString::fromLatin1(format)).value();
  options.minLevel = parseLevel(QString::fromLatin1(level)).value();
  install(options);
  qCDebug(rs::lcCore) << "debug line";
  qCInfo(rs::lcHttp).noquote() << "info line with \"quotes\"\nand a newline";
  qCWarning(rs::lcStore) << "warning line";
  qCCritical(rs::lcCore) << "error line";
  qInfo("uncategorized");
  return 0;
}

QList<QByteArray> lines(const QByteArray &text) {
  QList<QByteArray> out = text.split('\n');
  if (!out.isEmpty() && out.last().isEmpty()) out.removeLast();
  return out;
}

}  // namespace

class TestLog : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void humanFormat() {
    const QDateTime t = QDateTime::fromMSecsSinceEpoch(1795667400123, QTimeZone::utc());
    QCOMPARE(formatMessage(Format::Human, QtInfoMsg, "rs.control", u"message"_s, t),
             QByteArray("2026-11-26T04:30:00.123Z INFO rs.control message"));
    QCOMPARE(formatMessage(Format::Human, QtCriticalMsg, "rs.core", u"two\nlines"_s, t),
             QByteArray("2026-11-26T04:30:00.123Z ERROR rs.core two\\nlines"));
    QCOMPARE(formatMessage(Format::Human, QtWarningMsg, nullptr, u"x"_s, t),
             QByteArray("2026-11-26T04:30:00.123Z WARNING default x"));
  }

  void jsonFormat() {
    const QDateTime t = QDateTime::fromMSecsSinceEpoch(1795667400123, QTimeZone::utc());
    const QString msg = u"quote \" backslash \\ newline \n tab \t bell \x07 h\u00e9 \U0001F600"_s;
    const QByteArray line = formatMessage(Format::Json, QtDebugMsg, "rs.core.http", msg, t);
    QVERIFY(line.startsWith(R"({"time":"2026-11-26T04:30:00.123Z","level":"debug","category":"rs.core.http","msg":)"));
    QVERIFY(!line.contains('\n'));
    QJsonParseError err;
    const QJsonObject o = QJsonDocument::fromJson(line, &err).object();
    QVERIFY2(err.error == QJsonParseError::NoError, qPrintable(err.errorString()));
    QCOMPARE(o.value(u"msg"_s).toString(), msg);
    QCOMPARE(o.value(u"level"_s).toString(), u"debug"_s);
  }

  void parsing() {
    QCOMPARE(parseLevel(u"WARN").value(), Level::Warning);
    QCOMPARE(parseLevel(u"error").value(), Level::Error);
    QCOMPARE(parseLevel(u"loud").status().code(), rs::ErrorCode::BadRequest);
    QCOMPARE(parseFormat(u"json").value(), Format::Json);
    QVERIFY(!parseFormat(u"xml").isOk());
  }

  void installedHandler_data() {
    QTest::addColumn<QString>("format");
    QTest::addColumn<QString>("level");
    QTest::addColumn<QStringList>("expected");  // categories, in order
    QTest::newRow("human info") << u"human"_s << u"info"_s
                                << QStringList{u"rs.core.http"_s, u"rs.core.store"_s, u"rs.core"_s, u"default"_s};
    QTest::newRow("json debug") << u"json"_s << u"debug"_s
                                << QStringList{u"rs.core"_s, u"rs.core.http"_s, u"rs.core.store"_s, u"rs.core"_s,
                                               u"default"_s};
    QTest::newRow("json warning") << u"json"_s << u"warning"_s << QStringList{u"rs.core.store"_s, u"rs.core"_s};
    QTest::newRow("human error") << u"human"_s << u"error"_s << QStringList{u"rs.core"_s};
  }

  void installedHandler() {
    QFETCH(QString, format);
    QFETCH(QString, level);
    QFETCH(QStringList, expected);
    QProcess child;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(u"QT_LOGGING_RULES"_s);
    child.setProcessEnvironment(env);
    child.start(QCoreApplication::applicationFilePath(), {u"--child-logger"_s, format, level});
    QVERIFY(child.waitForFinished(10'000));
    QCOMPARE(child.exitCode(), 0);
    const QList<QByteArray> got = lines(child.readAllStandardError());
    QCOMPARE(got.size(), expected.size());
    for (int i = 0; i < got.size(); ++i) {
      if (format == u"json") {
        QJsonParseError err;
        const QJsonObject o = QJsonDocument::fromJson(got[i], &err).object();
        QVERIFY2(err.error == QJsonParseError::NoError, got[i].constData());
        QCOMPARE(o.value(u"category"_s).toString(), expected[i]);
        QVERIFY(o.value(u"time"_s).toString().endsWith(u'Z'));
        if (expected[i] == u"rs.core.http")
          QCOMPARE(o.value(u"msg"_s).toString(), u"info line with \"quotes\"\nand a newline"_s);
      } else {
        const QList<QByteArray> parts = got[i].split(' ');
        QVERIFY2(parts.size() >= 4, got[i].constData());
        QVERIFY(parts[0].endsWith('Z'));
        QCOMPARE(QString::fromUtf8(parts[2]), expected[i]);
      }
    }
  }

  void accessLogJsonLines() {
    QTemporaryDir dir;
    const QString path = dir.filePath(u"logs/access.log"_s);
    AccessLog log;
    QVERIFY(!log.isEnabled());
    log.write({});  // disabled: a no-op
    QVERIFY(log.open(path).isOk());
    QVERIFY(log.isEnabled());

    AccessRecord r;
    r.role = "origin";
    r.method = "GET";
    r.path = QByteArray("/media/a \"b\"\\c\n\xff\xfe.mp4");  // hostile bytes stay valid JSON
    r.status = 206;
    r.bytes = 1234567890123;
    r.durationMs = 12.3456;
    r.requestId = "req-1";
    r.peer = "192.0.2.7";
    r.time = 1795667400123;
    log.write(r);
    r.time = 0;  // now
    r.path = "/second";
    log.write(r);

    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QList<QByteArray> got = lines(f.readAll());
    QCOMPARE(got.size(), 2);
    QJsonParseError err;
    const QJsonObject o = QJsonDocument::fromJson(got[0], &err).object();
    QVERIFY2(err.error == QJsonParseError::NoError, got[0].constData());
    QCOMPARE(o.value(u"time"_s).toString(), u"2026-11-26T04:30:00.123Z"_s);
    QCOMPARE(o.value(u"role"_s).toString(), u"origin"_s);
    QCOMPARE(o.value(u"method"_s).toString(), u"GET"_s);
    QVERIFY(o.value(u"path"_s).toString().startsWith(u"/media/a \"b\"\\c\n"_s));
    QCOMPARE(o.value(u"status"_s).toInt(), 206);
    QCOMPARE(o.value(u"bytes"_s).toDouble(), 1234567890123.0);
    QCOMPARE(o.value(u"duration_ms"_s).toDouble(), 12.346);
    QCOMPARE(o.value(u"request_id"_s).toString(), u"req-1"_s);
    QCOMPARE(o.value(u"peer"_s).toString(), u"192.0.2.7"_s);
    QCOMPARE(got[0].left(9), QByteArray("{\"time\":\""));  // field order as documented
    const QJsonObject second = QJsonDocument::fromJson(got[1]).object();
    QCOMPARE(second.value(u"path"_s).toString(), u"/second"_s);
    const QDateTime when = QDateTime::fromString(second.value(u"time"_s).toString(), Qt::ISODateWithMs);
    QVERIFY(qAbs(when.msecsTo(QDateTime::currentDateTimeUtc())) < 60'000);

    // Appends across reopen (log rotation keeps earlier lines in the old file).
    QVERIFY(log.reopen().isOk());
    log.write(r);
    QFile again(path);
    QVERIFY(again.open(QIODevice::ReadOnly));
    QCOMPARE(lines(again.readAll()).size(), 3);

    QVERIFY(log.open(QString()).isOk());  // "" disables
    QVERIFY(!log.isEnabled());
  }

  void accessLogConcurrentWritesDoNotInterleave() {
    QTemporaryDir dir;
    const QString path = dir.filePath(u"access.log"_s);
    AccessLog log;
    QVERIFY(log.open(path).isOk());
    constexpr int kThreads = 8, kPerThread = 5000;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
      threads.emplace_back([&log, t] {
        AccessRecord r;
        r.role = "edge";
        r.method = "GET";
        r.path = "/segment/" + QByteArray(200 + t * 37, char('a' + t));  // lines of different lengths
        r.status = 200;
        for (int i = 0; i < kPerThread; ++i) {
          r.bytes = i;
          r.requestId = QByteArray::number(t) + '-' + QByteArray::number(i);
          log.write(r);
        }
      });
    for (auto &th : threads) th.join();

    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QList<QByteArray> got = lines(f.readAll());
    QCOMPARE(got.size(), kThreads * kPerThread);
    QSet<QString> ids;
    for (const QByteArray &line : got) {
      QJsonParseError err;
      const QJsonObject o = QJsonDocument::fromJson(line, &err).object();
      if (err.error != QJsonParseError::NoError) QFAIL(line.left(200).constData());
      const QString id = o.value(u"request_id"_s).toString();
      const int t = id.section(u'-', 0, 0).toInt();
      QCOMPARE(o.value(u"path"_s).toString().size(), 9 + 200 + t * 37);
      ids.insert(id);
    }
    QCOMPARE(ids.size(), kThreads * kPerThread);
  }
};

int main(int argc, char **argv) {
  if (argc >= 4 && std::strcmp(argv[1], "--child-logger") == 0) return runChildLogger(argv[2], argv[3]);
  QCoreApplication app(argc, argv);
  TestLog test;
  QTEST_SET_MAIN_SOURCE_PATH
  return QTest::qExec(&test, argc, argv);
}

#include "tst_log.moc"
