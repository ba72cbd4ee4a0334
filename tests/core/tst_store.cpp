// Tests for rs::store::Database: migrations, typed binding, transactions, WAL, and
// durability of acknowledged commits across SIGKILL (child process re-exec'd from here).

#include "core/store/database.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QProcess>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>
#include <cstdio>
#include <cstring>
#include <atomic>
#include <limits>
#include <thread>

using namespace Qt::StringLiterals;
using rs::store::Database;
using rs::store::Migration;
using rs::store::Statement;

namespace {

const std::vector<Migration> kWriterSchema = {
    {1, "CREATE TABLE acked(id INTEGER PRIMARY KEY AUTOINCREMENT, payload BLOB NOT NULL)"},
};

// Child mode: commit rows one by one and acknowledge each id only after commit returned.
int runChildWriter(const char *path) {
  auto db = Database::open(QString::fromLocal8Bit(path), kWriterSchema);
  if (!db) {
    std::fprintf(stderr, "open failed: %s\n", qPrintable(db.status().message()));
    return 2;
  }
  const QByteArray payload(200, 'x');
  for (;;) {
    qint64 id = 0;
    rs::Status s = (*db)->transaction([&]() -> rs::Status {
      RS_RETURN_IF_ERROR((*db)->exec("INSERT INTO acked(payload) VALUES (?)", {payload}));
      id = (*db)->lastInsertRowId();
      return rs::Status::ok();
    });
    if (!s) {
      std::fprintf(stderr, "commit failed: %s\n", qPrintable(s.message()));
      return 3;
    }
    std::printf("%lld\n", static_cast<long long>(id));
    std::fflush(stdout);
  }
}

}  // namespace

class TestStore : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir dir_;
  QString dbPath(const char *name) const { return dir_.filePath(QString::fromLatin1(name)); }

 private Q_SLOTS:
  void initTestCase() { QVERIFY(dir_.isValid()); }

  void migrationsApplyOnceInOrder() {
    const QString path = dbPath("sub/dir/migrate.db");  // parent dirs created by open()
    // Given out of order on purpose: they must run 1, 2, 3.
    std::vector<Migration> migrations = {
        {3, "INSERT INTO log(step) VALUES ('three')"},
        {1, "CREATE TABLE log(n INTEGER PRIMARY KEY AUTOINCREMENT, step TEXT NOT NULL);"
            "INSERT INTO log(step) VALUES ('one');"},
        {2, "INSERT INTO log(step) VALUES ('two')"},
    };
    {
      auto db = Database::open(path, migrations);
      QVERIFY2(db.isOk(), qPrintable(db.status().message()));
      QCOMPARE((*db)->userVersion(), 3);
      auto rows = (*db)->query("SELECT step FROM log ORDER BY n");
      QVERIFY(rows.isOk());
      QCOMPARE(rows->size(), size_t(3));
      QCOMPARE((*rows)[0].value(u"step"_s).toString(), u"one"_s);
      QCOMPARE((*rows)[1].value(u"step"_s).toString(), u"two"_s);
      QCOMPARE((*rows)[2].value(u"step"_s).toString(), u"three"_s);
    }
    {
      auto db = Database::open(path, migrations);  // reopening reapplies nothing
      QVERIFY2(db.isOk(), qPrintable(db.status().message()));
      QCOMPARE((*db)->queryValue("SELECT count(*) FROM log")->toInt(), 3);
    }
    {
      migrations.push_back({4, "INSERT INTO log(step) VALUES ('four')"});
      auto db = Database::open(path, migrations);  // only the new one runs
      QVERIFY2(db.isOk(), qPrintable(db.status().message()));
      QCOMPARE((*db)->userVersion(), 4);
      QCOMPARE((*db)->queryValue("SELECT group_concat(step, ',') FROM log")->toString(),
               u"one,two,three,four"_s);
    }
  }

  void failedMigrationLeavesPreviousVersion() {
    const QString path = dbPath("badmigration.db");
    std::vector<Migration> migrations = {
        {1, "CREATE TABLE t(a INTEGER)"},
        {2, "INSERT INTO t VALUES (1); INSERT INTO no_such_table VALUES (2);"},
    };
    auto db = Database::open(path, migrations);
    QVERIFY(!db.isOk());
    QCOMPARE(db.status().code(), rs::ErrorCode::IoError);
    QVERIFY2(db.status().message().contains(u"no_such_table"), qPrintable(db.status().message()));
    migrations.pop_back();
    auto again = Database::open(path, migrations);
    QVERIFY2(again.isOk(), qPrintable(again.status().message()));
    QCOMPARE((*again)->userVersion(), 1);
    QCOMPARE((*again)->queryValue("SELECT count(*) FROM t")->toInt(), 0);  // step 2 undone
  }

  void newerDatabaseRefused() {
    const QString path = dbPath("newer.db");
    {
      auto db = Database::open(path, {{1, "CREATE TABLE a(x)"}, {2, "CREATE TABLE b(x)"}});
      QVERIFY2(db.isOk(), qPrintable(db.status().message()));
    }
    auto old = Database::open(path, {{1, "CREATE TABLE a(x)"}});
    QVERIFY(!old.isOk());
    QCOMPARE(old.status().code(), rs::ErrorCode::IoError);
    QVERIFY2(old.status().message().contains(u"newer"), qPrintable(old.status().message()));
  }

  void invalidMigrationListRefused() {
    auto db = Database::open(dbPath("dupe.db"), {{1, "SELECT 1"}, {1, "SELECT 2"}});
    QVERIFY(!db.isOk());
  }

  void walModeAndPragmas() {
    auto db = Database::open(dbPath("wal.db"), {});
    QVERIFY2(db.isOk(), qPrintable(db.status().message()));
    QCOMPARE((*db)->queryValue("PRAGMA journal_mode")->toString(), u"wal"_s);
    QCOMPARE((*db)->queryValue("PRAGMA synchronous")->toInt(), 2);  // FULL
    QCOMPARE((*db)->queryValue("PRAGMA foreign_keys")->toInt(), 1);
    QCOMPARE((*db)->queryValue("PRAGMA busy_timeout")->toInt(), 5000);
    QVERIFY(QFile::exists(dbPath("wal.db-wal")));

    rs::store::Options options;
    options.busyTimeoutMs = 250;
    auto db2 = Database::open(dbPath("wal2.db"), {}, options);
    QVERIFY(db2.isOk());
    QCOMPARE((*db2)->queryValue("PRAGMA busy_timeout")->toInt(), 250);
    QVERIFY((*db2)->integrityCheck().isOk());
  }

  void bindRoundTrip() {
    auto opened = Database::open(dbPath("types.db"),
                                 {{1, "CREATE TABLE v(k INTEGER PRIMARY KEY, x ANY) STRICT"}});
    QVERIFY2(opened.isOk(), qPrintable(opened.status().message()));
    Database &db = **opened;

    QByteArray binary("\x00\x01\xff\x00zz", 6);
    const QString unicode = QStringLiteral("h\u00e9llo \u4e16\u754c \U0001F600");
    const qint64 big = std::numeric_limits<qint64>::min();
    // Typed bind overloads, one row each.
    auto insert = [&](int key, auto &&value) {
      auto st = db.prepare("INSERT INTO v(k, x) VALUES (:k, ?2)");
      QVERIFY2(st.isOk(), qPrintable(st.status().message()));
      st->bind(":k", key).bind(2, value);
      QCOMPARE(st->step(), Statement::Done);
    };
    insert(1, qint64(big));
    insert(2, 2.5);
    insert(3, unicode);
    insert(4, binary);
    insert(5, nullptr);
    insert(6, QByteArray());  // empty blob, not NULL
    insert(7, QString());     // empty text, not NULL
    insert(8, true);
    insert(9, QVariant());    // null variant → NULL
    insert(10, QVariant(QByteArray("v\0b", 3)));
    insert(11, QVariant(u"variant text"_s));
    insert(12, QVariant(7.25));
    insert(13, QVariant(quint32(4000000000u)));

    auto st = db.prepare("SELECT x, typeof(x) FROM v WHERE k = ?");
    QVERIFY(st.isOk());
    auto fetch = [&](int key) -> std::pair<QVariant, QString> {
      st->reset();
      st->bind(1, key);
      if (st->step() != Statement::Row) return {};
      return {st->value(0), st->text(1)};
    };
    QCOMPARE(fetch(1).first, QVariant(big));
    QCOMPARE(fetch(1).second, u"integer"_s);
    QCOMPARE(fetch(2).first, QVariant(2.5));
    QCOMPARE(fetch(3).first, QVariant(unicode));
    QCOMPARE(fetch(3).second, u"text"_s);
    QCOMPARE(fetch(4).first, QVariant(binary));
    QCOMPARE(fetch(4).second, u"blob"_s);
    QVERIFY(fetch(5).first.isNull());
    QCOMPARE(fetch(5).second, u"null"_s);
    QCOMPARE(fetch(6).second, u"blob"_s);
    QCOMPARE(fetch(6).first.toByteArray(), QByteArray(""));
    QVERIFY(!fetch(6).first.toByteArray().isNull());
    QCOMPARE(fetch(7).second, u"text"_s);
    QCOMPARE(fetch(8).first, QVariant(qint64(1)));
    QCOMPARE(fetch(9).second, u"null"_s);
    QCOMPARE(fetch(10).first, QVariant(QByteArray("v\0b", 3)));
    QCOMPARE(fetch(11).first, QVariant(u"variant text"_s));
    QCOMPARE(fetch(12).first, QVariant(7.25));
    QCOMPARE(fetch(13).first, QVariant(qint64(4000000000LL)));

    // Column getters.
    st->reset();
    st->bind(1, 3);
    QCOMPARE(st->step(), Statement::Row);
    QCOMPARE(st->columnCount(), 2);
    QCOMPARE(st->columnName(0), QByteArray("x"));
    QCOMPARE(st->columnType(0), Statement::Text);
    QCOMPARE(st->text(0), unicode);
    QCOMPARE(st->blob(0), unicode.toUtf8());
    QCOMPARE(st->step(), Statement::Done);

    // Convenience API with positional QVariantList params.
    QVERIFY(db.exec("INSERT INTO v(k, x) VALUES (?, ?)", {100, QVariant()}).isOk());
    QVERIFY(db.exec("INSERT INTO v(k, x) VALUES (?, ?)", {101, binary}).isOk());
    auto rows = db.query("SELECT k, x FROM v WHERE k >= ? ORDER BY k", {100});
    QVERIFY(rows.isOk());
    QCOMPARE(rows->size(), size_t(2));
    QCOMPARE((*rows)[0].value(u"k"_s), QVariant(qint64(100)));
    QVERIFY((*rows)[0].value(u"x"_s).isNull());
    QCOMPARE((*rows)[1].value(u"x"_s), QVariant(binary));
    auto none = db.queryValue("SELECT x FROM v WHERE k = ?", {999});
    QVERIFY(none.isOk() && !none->isValid());

    // Errors: wrong parameter count, bad SQL, constraint violation, two statements.
    QCOMPARE(db.exec("INSERT INTO v(k, x) VALUES (?, ?)", {1}).code(), rs::ErrorCode::Internal);
    rs::Status bad = db.exec("SELEC nonsense");
    QCOMPARE(bad.code(), rs::ErrorCode::IoError);
    QVERIFY2(bad.message().contains(u"syntax error"), qPrintable(bad.message()));
    rs::Status dup = db.exec("INSERT INTO v(k, x) VALUES (?, ?)", {1, 1});
    QCOMPARE(dup.code(), rs::ErrorCode::IoError);
    QVERIFY2(dup.message().contains(u"UNIQUE"), qPrintable(dup.message()));
    QVERIFY(!db.exec("SELECT 1; SELECT 2").isOk());
    QVERIFY(db.exec("SELECT 1; -- trailing comment").isOk());
    auto badBind = db.prepare("SELECT ?");
    QVERIFY(badBind.isOk());
    badBind->bind(5, 1);  // out of range: reported by step()
    QCOMPARE(badBind->step(), Statement::Error);
    QVERIFY2(badBind->status().message().contains(u"parameter 5"), qPrintable(badBind->status().message()));
  }

  void transactions() {
    auto opened = Database::open(dbPath("tx.db"), {{1, "CREATE TABLE t(a INTEGER UNIQUE)"}});
    QVERIFY(opened.isOk());
    Database &db = **opened;

    QVERIFY(db.transaction([&] { return db.exec("INSERT INTO t VALUES (1)"); }).isOk());

    // An error returned by fn rolls everything in it back and is passed through.
    rs::Status s = db.transaction([&]() -> rs::Status {
      RS_RETURN_IF_ERROR(db.exec("INSERT INTO t VALUES (2)"));
      return rs::Status(rs::ErrorCode::Conflict, u"changed my mind"_s);
    });
    QCOMPARE(s.code(), rs::ErrorCode::Conflict);
    QCOMPARE(db.queryValue("SELECT count(*) FROM t")->toInt(), 1);

    // A failing statement inside rolls back the statements before it.
    s = db.transaction([&]() -> rs::Status {
      RS_RETURN_IF_ERROR(db.exec("INSERT INTO t VALUES (3)"));
      return db.exec("INSERT INTO t VALUES (1)");  // UNIQUE violation
    });
    QCOMPARE(s.code(), rs::ErrorCode::IoError);
    QCOMPARE(db.queryValue("SELECT group_concat(a) FROM t")->toString(), u"1"_s);

    // Nested: the inner failure is undone alone; the outer commits.
    s = db.transaction([&]() -> rs::Status {
      RS_RETURN_IF_ERROR(db.exec("INSERT INTO t VALUES (10)"));
      rs::Status inner = db.transaction([&]() -> rs::Status {
        RS_RETURN_IF_ERROR(db.exec("INSERT INTO t VALUES (11)"));
        return rs::Status(rs::ErrorCode::BadRequest, u"inner"_s);
      });
      if (inner.code() != rs::ErrorCode::BadRequest) return rs::Status(rs::ErrorCode::Internal, u"?"_s);
      return db.exec("INSERT INTO t VALUES (12)");
    });
    QVERIFY2(s.isOk(), qPrintable(s.message()));
    QCOMPARE(db.queryValue("SELECT group_concat(a) FROM (SELECT a FROM t ORDER BY a)")->toString(),
             u"1,10,12"_s);
    // A thrown exception also rolls back, and the connection is usable afterwards.
    try {
      (void)db.transaction([&]() -> rs::Status {
        (void)db.exec("INSERT INTO t VALUES (20)");
        throw std::runtime_error("boom");
      });
    } catch (const std::runtime_error &) {
    }
    QCOMPARE(db.queryValue("SELECT count(*) FROM t WHERE a = 20")->toInt(), 0);
    QVERIFY(db.transaction([&] { return db.exec("INSERT INTO t VALUES (21)"); }).isOk());
    QCOMPARE(db.queryValue("SELECT count(*) FROM t WHERE a = 21")->toInt(), 1);
  }

  void sharedAcrossThreads() {
    auto opened = Database::open(dbPath("threads.db"),
                                 {{1, "CREATE TABLE t(id INTEGER PRIMARY KEY AUTOINCREMENT, thread INTEGER, n INTEGER)"}});
    QVERIFY(opened.isOk());
    Database &db = **opened;
    constexpr int kThreads = 4, kTx = 40;
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
      threads.emplace_back([&, t] {
        for (int i = 0; i < kTx; ++i) {
          rs::Status s = db.transaction([&]() -> rs::Status {
            RS_RETURN_IF_ERROR(db.exec("INSERT INTO t(thread, n) VALUES (?, ?)", {t, i}));
            const qint64 first = db.lastInsertRowId();
            RS_RETURN_IF_ERROR(db.exec("INSERT INTO t(thread, n) VALUES (?, ?)", {t, i}));
            // Nobody else's insert may land between ours while we hold the transaction.
            if (db.lastInsertRowId() != first + 1) return rs::Status(rs::ErrorCode::Internal, u"interleaved"_s);
            return rs::Status::ok();
          });
          auto count = db.queryValue("SELECT count(*) FROM t WHERE thread = ?", {t});
          if (!s || !count || count->toInt() != 2 * (i + 1)) ++failures;
        }
      });
    for (auto &th : threads) th.join();
    QCOMPARE(failures.load(), 0);
    QCOMPARE(db.queryValue("SELECT count(*) FROM t")->toInt(), kThreads * kTx * 2);
  }

  void durabilityAcrossSigkill_data() {
    QTest::addColumn<int>("round");
    for (int i = 1; i <= 3; ++i) QTest::addRow("round %d", i) << i;
  }

  void durabilityAcrossSigkill() {
    QFETCH(int, round);
    const QString path = dbPath("durable.db");  // the same file each round: ids accumulate

    QProcess child;
    child.setProcessChannelMode(QProcess::SeparateChannels);
    child.start(QCoreApplication::applicationFilePath(), {u"--child-writer"_s, path});
    QVERIFY2(child.waitForStarted(5000), qPrintable(child.errorString()));

    QSet<qint64> acked;
    QByteArray pending;
    auto consume = [&] {
      pending += child.readAllStandardOutput();
      qsizetype nl;
      while ((nl = pending.indexOf('\n')) >= 0) {
        acked.insert(pending.left(nl).toLongLong());
        pending.remove(0, nl + 1);
      }
    };
    QElapsedTimer timer;
    timer.start();
    // Vary the kill point a little between rounds.
    const int target = 1500 + 300 * round;
    while (acked.size() < target && timer.elapsed() < 2000 && child.state() == QProcess::Running) {
      child.waitForReadyRead(50);
      consume();
    }
    QVERIFY2(child.state() == QProcess::Running,
             qPrintable(u"child writer died early: "_s + QString::fromLocal8Bit(child.readAllStandardError())));
    child.kill();  // SIGKILL
    QVERIFY(child.waitForFinished(5000));
    QCOMPARE(child.exitStatus(), QProcess::CrashExit);
    consume();  // lines already in the pipe were acknowledged too
    QVERIFY2(acked.size() > 0, "the child acknowledged no rows");
    qInfo("round %d: %lld acknowledged rows before SIGKILL", round, qlonglong(acked.size()));

    auto db = Database::open(path, kWriterSchema);
    QVERIFY2(db.isOk(), qPrintable(db.status().message()));
    const rs::Status integrity = (*db)->integrityCheck();
    QVERIFY2(integrity.isOk(), qPrintable(integrity.message()));
    auto st = (*db)->prepare("SELECT id FROM acked");
    QVERIFY(st.isOk());
    QSet<qint64> present;
    Statement::StepResult r;
    while ((r = st->step()) == Statement::Row) present.insert(st->int64(0));
    QCOMPARE(r, Statement::Done);
    qsizetype missing = 0;
    for (qint64 id : std::as_const(acked))
      if (!present.contains(id)) ++missing;
    QCOMPARE(missing, qsizetype(0));
  }
};

int main(int argc, char **argv) {
  if (argc >= 3 && std::strcmp(argv[1], "--child-writer") == 0) return runChildWriter(argv[2]);
  QCoreApplication app(argc, argv);
  TestStore test;
  QTEST_SET_MAIN_SOURCE_PATH
  return QTest::qExec(&test, argc, argv);
}

#include "tst_store.moc"
