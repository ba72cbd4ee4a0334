#pragma once
// The embedded SQLite store every role keeps its state in: durable settings, versioned
// migrations, prepared statements with typed binding, and transactions that roll back.

#include "core/status.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>
#include <QVariant>
#include <QVariantList>
#include <QVariantMap>
#include <concepts>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace rs::store {

namespace detail {
struct CloseDb { void operator()(sqlite3 *db) const; };
struct FinalizeStmt { void operator()(sqlite3_stmt *st) const; };
}  // namespace detail
using DbHandle = std::unique_ptr<sqlite3, detail::CloseDb>;
using StmtHandle = std::unique_ptr<sqlite3_stmt, detail::FinalizeStmt>;

// One schema step. Versions must be positive and unique; they are applied in
// ascending order, each in its own transaction together with the user_version bump,
// so a crash mid-migration leaves the previous version intact. `sql` may hold several
// statements. PRAGMAs that cannot run inside a transaction (journal_mode,
// foreign_keys) have no effect here.
struct Migration {
  int version = 0;
  QByteArray sql;
};

struct Options {
  int busyTimeoutMs = 5000;     // how long a writer waits for another connection's lock
  int statementCacheSize = 64;  // prepared statements kept per Database; 0 disables
};

class Database;

// A prepared statement. Obtained from Database::prepare(); must not outlive it.
// Bind errors are sticky and reported by the next step(), so binds can be chained:
//   auto st = db.prepare("INSERT INTO t(a, b) VALUES (?, :b)");
//   st->bind(1, 42).bind(":b", QStringLiteral("x"));
//   if (st->step() == Statement::Error) return st->status();
// Text is bound from QString (UTF-8); blobs from QByteArray. A null QString binds as
// empty text, not NULL: NULL is bound only by nullptr or a null/invalid QVariant.
class Statement {
 public:
  enum StepResult { Row, Done, Error };
  enum ColumnType { Integer = 1, Float = 2, Text = 3, Blob = 4, Null = 5 };  // SQLite's codes

  Statement(Statement &&other) noexcept;
  Statement &operator=(Statement &&other) noexcept;
  Statement(const Statement &) = delete;
  Statement &operator=(const Statement &) = delete;
  ~Statement();

  // Parameter indices are 1-based, as in SQLite.
  Statement &bind(int index, std::nullptr_t);
  template <std::integral T>
  Statement &bind(int index, T value) { return bindInt64(index, static_cast<qint64>(value)); }
  template <std::floating_point T>
  Statement &bind(int index, T value) { return bindDouble(index, static_cast<double>(value)); }
  Statement &bind(int index, const QString &text);
  Statement &bind(int index, const QByteArray &blob);
  Statement &bind(int index, const QVariant &value);
  // A string literal is ambiguous (text or blob?): say QString or QByteArray.
  Statement &bind(int index, const char *) = delete;
  Statement &bindText(int index, QByteArrayView utf8);
  // Named parameters: ":name", "@name" or "$name"; a bare "name" means ":name".
  template <typename T>
  Statement &bind(const char *name, T &&value) { return bind(parameterIndex(name), std::forward<T>(value)); }
  // Binds a positional list to parameters 1..n.
  Statement &bindAll(const QVariantList &params);
  int parameterIndex(const char *name) const;
  int parameterCount() const;

  StepResult step();
  const Status &status() const { return status_; }  // why step() returned Error
  // Rewinds for another execution; bindings are kept until clearBindings().
  void reset();
  void clearBindings();

  // Column getters are valid after step() returned Row. Indices are 0-based.
  int columnCount() const;
  QByteArray columnName(int col) const;
  ColumnType columnType(int col) const;
  bool isNull(int col) const { return columnType(col) == Null; }
  qint64 int64(int col) const;
  double real(int col) const;
  QString text(int col) const;
  QByteArray blob(int col) const;  // an empty blob is empty, never null
  // Integer → qint64, Float → double, Text → QString, Blob → QByteArray, NULL → QVariant().
  QVariant value(int col) const;
  QVariantMap row() const;  // column name → value()

  QByteArray sql() const;

 private:
  friend class Database;
  Statement(Database *db, QByteArray sql, StmtHandle handle);
  Statement &bindInt64(int index, qint64 value);
  Statement &bindDouble(int index, double value);
  Statement &checkBind(int rc, int index);

  Database *db_ = nullptr;
  QByteArray sql_;
  StmtHandle stmt_;
  Status status_;
};

// Thread use: a Database serializes itself. Every call takes an internal recursive
// mutex, and transaction() holds it for the whole callback, so another thread's exec()
// waits instead of landing inside someone else's transaction. Statement::step() takes
// the same mutex, but one Statement object must still be used by one thread at a time.
// For parallel readers, open a second Database on the same file: WAL lets readers
// proceed while a writer commits.
class Database {
 public:
  // Creates the parent directory, opens (creating) the file in WAL mode with
  // synchronous=FULL, so a commit that returned survives kill -9 and power loss,
  // enables foreign keys and applies the migrations the file has not seen yet.
  // Refuses a file whose user_version is newer than the newest migration.
  // ":memory:" opens a private in-memory database (journal_mode stays "memory").
  static Result<std::unique_ptr<Database>> open(const QString &path,
                                                const std::vector<Migration> &migrations,
                                                const Options &options = {});
  ~Database();
  Database(const Database &) = delete;
  Database &operator=(const Database &) = delete;

  Result<Statement> prepare(QByteArrayView sql);
  // One statement, run to completion; `params` bind positionally from 1.
  Status exec(QByteArrayView sql, const QVariantList &params = {});
  // One statement; every result row as a column-name → value map.
  Result<std::vector<QVariantMap>> query(QByteArrayView sql, const QVariantList &params = {});
  // The first column of the first row, or a null QVariant when there is no row.
  Result<QVariant> queryValue(QByteArrayView sql, const QVariantList &params = {});
  // Several ';'-separated statements without parameters (schema scripts).
  Status execScript(QByteArrayView sql);

  // BEGIN IMMEDIATE, fn, COMMIT; ROLLBACK when fn returns an error (which is then
  // returned) or throws. Nested calls become savepoints, so an inner failure undoes
  // only the inner work if the outer fn chooses to carry on.
  Status transaction(const std::function<Status()> &fn);

  // Rowid of the last successful INSERT on this connection; call it inside the same
  // transaction() as the INSERT, or another thread's insert may intervene.
  qint64 lastInsertRowId() const;
  int changes() const;  // rows changed by the last statement; same caveat
  int userVersion();
  Status integrityCheck();  // PRAGMA integrity_check; Ok only if it says "ok"
  const QString &path() const { return path_; }

 private:
  friend class Statement;
  Database(QString path, DbHandle db, Options options);
  Status configure();
  Status migrate(const std::vector<Migration> &migrations);
  Status error(const char *what, int rc) const;  // caller holds mutex_
  void release(QByteArray sql, StmtHandle stmt);

  QString path_;
  DbHandle db_;
  Options options_;
  int txDepth_ = 0;
  mutable std::recursive_mutex mutex_;
  std::multimap<QByteArray, StmtHandle> cache_;
};

}  // namespace rs::store
