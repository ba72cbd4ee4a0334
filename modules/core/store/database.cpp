#include "core/store/database.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QStringList>
#include <algorithm>
#include <set>
#include <sqlite3.h>

namespace rs::store {

namespace detail {
void CloseDb::operator()(sqlite3 *db) const { sqlite3_close_v2(db); }
void FinalizeStmt::operator()(sqlite3_stmt *st) const { sqlite3_finalize(st); }
}  // namespace detail

namespace {

Status ioError(QString message) { return Status(ErrorCode::IoError, std::move(message)); }

QString describe(sqlite3 *db, int rc) {
  // sqlite3_errmsg() may describe an older error when the failing call did not touch
  // the connection (bind range errors), so fall back to the code's generic text.
  const int ext = db ? sqlite3_extended_errcode(db) : rc;
  const char *msg = (db && (ext & 0xff) == (rc & 0xff)) ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  return QString::fromUtf8(msg) + u" (code " + QString::number(db ? ext : rc) + u')';
}

bool onlyCommentsOrBlank(sqlite3 *db, const char *tail) {
  while (tail && *tail) {
    sqlite3_stmt *raw = nullptr;
    const char *next = nullptr;
    if (sqlite3_prepare_v2(db, tail, -1, &raw, &next) != SQLITE_OK) return false;
    StmtHandle st(raw);
    if (st) return false;  // a real statement follows
    if (next == tail) break;
    tail = next;
  }
  return true;
}

}  // namespace

// ---------------------------------------------------------------- Statement

Statement::Statement(Database *db, QByteArray sql, StmtHandle handle)
    : db_(db), sql_(std::move(sql)), stmt_(std::move(handle)) {}

Statement::Statement(Statement &&other) noexcept
    : db_(std::exchange(other.db_, nullptr)), sql_(std::move(other.sql_)),
      stmt_(std::move(other.stmt_)), status_(std::move(other.status_)) {}

Statement &Statement::operator=(Statement &&other) noexcept {
  if (this != &other) {
    if (db_ && stmt_) db_->release(std::move(sql_), std::move(stmt_));
    db_ = std::exchange(other.db_, nullptr);
    sql_ = std::move(other.sql_);
    stmt_ = std::move(other.stmt_);
    status_ = std::move(other.status_);
  }
  return *this;
}

Statement::~Statement() {
  if (db_ && stmt_) db_->release(std::move(sql_), std::move(stmt_));
}

Statement &Statement::checkBind(int rc, int index) {
  if (rc != SQLITE_OK && status_.isOk() && db_) {
    std::lock_guard lock(db_->mutex_);
    status_ = ioError(u"sqlite: bind parameter " + QString::number(index) + u" of \"" +
                      QString::fromUtf8(sql_) + u"\": " + describe(db_->db_.get(), rc));
  }
  return *this;
}

Statement &Statement::bind(int index, std::nullptr_t) {
  return checkBind(sqlite3_bind_null(stmt_.get(), index), index);
}

Statement &Statement::bindInt64(int index, qint64 value) {
  return checkBind(sqlite3_bind_int64(stmt_.get(), index, value), index);
}

Statement &Statement::bindDouble(int index, double value) {
  return checkBind(sqlite3_bind_double(stmt_.get(), index, value), index);
}

Statement &Statement::bind(int index, const QString &text) { return bindText(index, text.toUtf8()); }

Statement &Statement::bindText(int index, QByteArrayView utf8) {
  // constData() of an empty view may be null, which SQLite would bind as NULL.
  const char *data = utf8.data() ? utf8.data() : "";
  return checkBind(sqlite3_bind_text64(stmt_.get(), index, data, sqlite3_uint64(utf8.size()),
                                       SQLITE_TRANSIENT, SQLITE_UTF8),
                   index);
}

Statement &Statement::bind(int index, const QByteArray &blob) {
  if (blob.isEmpty()) return checkBind(sqlite3_bind_zeroblob(stmt_.get(), index, 0), index);
  return checkBind(sqlite3_bind_blob64(stmt_.get(), index, blob.constData(),
                                       sqlite3_uint64(blob.size()), SQLITE_TRANSIENT),
                   index);
}

Statement &Statement::bind(int index, const QVariant &value) {
  if (value.isNull()) return bind(index, nullptr);
  switch (value.metaType().id()) {
    case QMetaType::Bool:
    case QMetaType::Char:
    case QMetaType::SChar:
    case QMetaType::UChar:
    case QMetaType::Short:
    case QMetaType::UShort:
    case QMetaType::Int:
    case QMetaType::UInt:
    case QMetaType::Long:
    case QMetaType::ULong:
    case QMetaType::LongLong:
    case QMetaType::ULongLong:
      return bindInt64(index, value.toLongLong());
    case QMetaType::Float:
    case QMetaType::Double:
      return bindDouble(index, value.toDouble());
    case QMetaType::QString:
      return bind(index, value.toString());
    case QMetaType::QByteArray:
      return bind(index, value.toByteArray());
    case QMetaType::QDateTime:
      // One sortable textual form, so comparisons in SQL work.
      return bind(index, value.toDateTime().toUTC().toString(Qt::ISODateWithMs));
    default:
      break;
  }
  if (value.canConvert<QString>()) return bind(index, value.toString());
  if (status_.isOk())
    status_ = Status(ErrorCode::Internal, u"sqlite: cannot bind a value of type " +
                                              QString::fromLatin1(value.typeName()) +
                                              u" to parameter " + QString::number(index));
  return *this;
}

Statement &Statement::bindAll(const QVariantList &params) {
  for (int i = 0; i < params.size(); ++i) bind(i + 1, params.at(i));
  if (params.size() != parameterCount() && status_.isOk())
    status_ = Status(ErrorCode::Internal, u"sqlite: " + QString::number(params.size()) +
                                              u" parameters given, statement \"" +
                                              QString::fromUtf8(sql_) + u"\" takes " +
                                              QString::number(parameterCount()));
  return *this;
}

int Statement::parameterIndex(const char *name) const {
  if (!stmt_ || !name) return 0;
  if (*name == ':' || *name == '@' || *name == '$') return sqlite3_bind_parameter_index(stmt_.get(), name);
  const QByteArray prefixed = QByteArray(":") + name;
  return sqlite3_bind_parameter_index(stmt_.get(), prefixed.constData());
}

int Statement::parameterCount() const { return stmt_ ? sqlite3_bind_parameter_count(stmt_.get()) : 0; }

Statement::StepResult Statement::step() {
  if (!stmt_) {
    if (status_.isOk()) status_ = Status(ErrorCode::Internal, QStringLiteral("sqlite: step() on an empty statement"));
    return Error;
  }
  if (!status_.isOk()) return Error;
  std::lock_guard lock(db_->mutex_);
  const int rc = sqlite3_step(stmt_.get());
  if (rc == SQLITE_ROW) return Row;
  if (rc == SQLITE_DONE) return Done;
  status_ = ioError(u"sqlite: \"" + QString::fromUtf8(sql_) + u"\": " + describe(db_->db_.get(), rc));
  // Leave the statement re-runnable and out of any read transaction it held.
  sqlite3_reset(stmt_.get());
  return Error;
}

void Statement::reset() {
  if (!stmt_) return;
  std::lock_guard lock(db_->mutex_);
  sqlite3_reset(stmt_.get());
  status_ = Status::ok();
}

void Statement::clearBindings() {
  if (stmt_) sqlite3_clear_bindings(stmt_.get());
}

int Statement::columnCount() const { return stmt_ ? sqlite3_column_count(stmt_.get()) : 0; }

QByteArray Statement::columnName(int col) const {
  return stmt_ ? QByteArray(sqlite3_column_name(stmt_.get(), col)) : QByteArray();
}

Statement::ColumnType Statement::columnType(int col) const {
  return stmt_ ? ColumnType(sqlite3_column_type(stmt_.get(), col)) : Null;
}

qint64 Statement::int64(int col) const { return stmt_ ? sqlite3_column_int64(stmt_.get(), col) : 0; }

double Statement::real(int col) const { return stmt_ ? sqlite3_column_double(stmt_.get(), col) : 0.0; }

QString Statement::text(int col) const {
  if (!stmt_) return {};
  const auto *data = reinterpret_cast<const char *>(sqlite3_column_text(stmt_.get(), col));
  const int size = sqlite3_column_bytes(stmt_.get(), col);  // after _text, as SQLite requires
  return QString::fromUtf8(data, size);
}

QByteArray Statement::blob(int col) const {
  if (!stmt_) return {};
  const auto *data = static_cast<const char *>(sqlite3_column_blob(stmt_.get(), col));
  const int size = sqlite3_column_bytes(stmt_.get(), col);
  return data ? QByteArray(data, size) : QByteArray("", 0);
}

QVariant Statement::value(int col) const {
  switch (columnType(col)) {
    case Integer: return QVariant(int64(col));
    case Float: return QVariant(real(col));
    case Text: return QVariant(text(col));
    case Blob: return QVariant(blob(col));
    case Null: break;
  }
  return {};
}

QVariantMap Statement::row() const {
  QVariantMap map;
  const int n = columnCount();
  for (int i = 0; i < n; ++i) map.insert(QString::fromUtf8(columnName(i)), value(i));
  return map;
}

QByteArray Statement::sql() const { return sql_; }

// ---------------------------------------------------------------- Database

Database::Database(QString path, DbHandle db, Options options)
    : path_(std::move(path)), db_(std::move(db)), options_(options) {}

Database::~Database() = default;

Status Database::error(const char *what, int rc) const {
  return ioError(u"sqlite: " + QString::fromUtf8(what) + u" (" + path_ + u"): " + describe(db_.get(), rc));
}

Result<std::unique_ptr<Database>> Database::open(const QString &path,
                                                  const std::vector<Migration> &migrations,
                                                  const Options &options) {
  const bool memory = path == u":memory:";
  if (!memory) {
    const QString dir = QFileInfo(path).absolutePath();
    if (!QDir().mkpath(dir)) return ioError(u"sqlite: cannot create directory " + dir);
  }
  sqlite3 *raw = nullptr;
  const int rc = sqlite3_open_v2(path.toUtf8().constData(), &raw,
                                 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                                 nullptr);
  DbHandle handle(raw);  // owns the handle even when open failed
  if (rc != SQLITE_OK)
    return ioError(u"sqlite: cannot open " + path + u": " +
                   (handle ? QString::fromUtf8(sqlite3_errmsg(handle.get())) : QString::fromUtf8(sqlite3_errstr(rc))));
  sqlite3_extended_result_codes(handle.get(), 1);
  std::unique_ptr<Database> db(new Database(path, std::move(handle), options));
  RS_RETURN_IF_ERROR(db->configure());
  RS_RETURN_IF_ERROR(db->migrate(migrations));
  return db;
}

Status Database::configure() {
  std::lock_guard lock(mutex_);
  // The timeout first: switching to WAL needs a lock another process may hold.
  sqlite3_busy_timeout(db_.get(), std::max(0, options_.busyTimeoutMs));
  auto mode = queryValue("PRAGMA journal_mode=WAL");
  if (!mode) return mode.status();
  const QString got = mode->toString().toLower();
  if (got != u"wal" && !(path_ == u":memory:" && got == u"memory"))
    return ioError(u"sqlite: " + path_ + u": cannot switch to WAL journal mode (got \"" + got + u"\")");
  RS_RETURN_IF_ERROR(exec("PRAGMA synchronous=FULL"));
  RS_RETURN_IF_ERROR(exec("PRAGMA foreign_keys=ON"));
  return Status::ok();
}

int Database::userVersion() {
  auto v = queryValue("PRAGMA user_version");
  return v ? v->toInt() : -1;
}

Status Database::migrate(const std::vector<Migration> &migrations) {
  std::vector<const Migration *> ordered;
  std::set<int> seen;
  for (const Migration &m : migrations) {
    if (m.version <= 0 || !seen.insert(m.version).second)
      return Status(ErrorCode::Internal, u"sqlite: migration versions must be positive and unique (" +
                                             QString::number(m.version) + u')');
    ordered.push_back(&m);
  }
  std::sort(ordered.begin(), ordered.end(), [](auto *a, auto *b) { return a->version < b->version; });
  const int known = ordered.empty() ? 0 : ordered.back()->version;

  std::lock_guard lock(mutex_);
  auto current = queryValue("PRAGMA user_version");
  if (!current) return current.status();
  const int have = current->toInt();
  if (have > known)
    return ioError(u"sqlite: " + path_ + u" has schema version " + QString::number(have) +
                   u", newer than this build knows (" + QString::number(known) +
                   u"); refusing to open it with an older ReelStack");
  for (const Migration *m : ordered) {
    if (m->version <= have) continue;
    Status s = transaction([&]() -> Status {
      RS_RETURN_IF_ERROR(execScript(m->sql));
      // PRAGMA takes no bound parameters; the version is an int we formatted.
      return exec(QByteArray("PRAGMA user_version=" + QByteArray::number(m->version)));
    });
    if (!s)
      return Status(s.code(), u"migration " + QString::number(m->version) + u" failed: " + s.message());
  }
  return Status::ok();
}

Result<Statement> Database::prepare(QByteArrayView sql) {
  std::lock_guard lock(mutex_);
  const QByteArray key = sql.toByteArray();
  if (auto it = cache_.find(key); it != cache_.end()) {
    StmtHandle handle = std::move(it->second);
    cache_.erase(it);
    return Statement(this, key, std::move(handle));
  }
  sqlite3_stmt *raw = nullptr;
  const char *tail = nullptr;
  const int rc = sqlite3_prepare_v3(db_.get(), key.constData(), int(key.size()),
                                    SQLITE_PREPARE_PERSISTENT, &raw, &tail);
  StmtHandle handle(raw);
  if (rc != SQLITE_OK)
    return ioError(u"sqlite: prepare \"" + QString::fromUtf8(key) + u"\": " + describe(db_.get(), rc));
  if (!handle)
    return Status(ErrorCode::Internal, u"sqlite: no statement in \"" + QString::fromUtf8(key) + u'"');
  if (!onlyCommentsOrBlank(db_.get(), tail))
    return Status(ErrorCode::Internal, u"sqlite: more than one statement in \"" + QString::fromUtf8(key) +
                                           u"\"; use execScript()");
  return Statement(this, key, std::move(handle));
}

void Database::release(QByteArray sql, StmtHandle stmt) {
  std::lock_guard lock(mutex_);
  sqlite3_reset(stmt.get());
  sqlite3_clear_bindings(stmt.get());
  if (int(cache_.size()) < options_.statementCacheSize) cache_.emplace(std::move(sql), std::move(stmt));
  // else: the handle finalizes here
}

Status Database::exec(QByteArrayView sql, const QVariantList &params) {
  std::lock_guard lock(mutex_);
  auto st = prepare(sql);
  if (!st) return st.status();
  st->bindAll(params);
  for (;;) {
    switch (st->step()) {
      case Statement::Row: continue;
      case Statement::Done: return Status::ok();
      case Statement::Error: return st->status();
    }
  }
}

Result<std::vector<QVariantMap>> Database::query(QByteArrayView sql, const QVariantList &params) {
  std::lock_guard lock(mutex_);
  auto st = prepare(sql);
  if (!st) return st.status();
  st->bindAll(params);
  std::vector<QVariantMap> rows;
  for (;;) {
    switch (st->step()) {
      case Statement::Row: rows.push_back(st->row()); continue;
      case Statement::Done: return rows;
      case Statement::Error: return st->status();
    }
  }
}

Result<QVariant> Database::queryValue(QByteArrayView sql, const QVariantList &params) {
  std::lock_guard lock(mutex_);
  auto st = prepare(sql);
  if (!st) return st.status();
  st->bindAll(params);
  switch (st->step()) {
    case Statement::Row: return st->columnCount() > 0 ? st->value(0) : QVariant();
    case Statement::Done: return QVariant();
    case Statement::Error: break;
  }
  return st->status();
}

Status Database::execScript(QByteArrayView sql) {
  std::lock_guard lock(mutex_);
  const QByteArray script = sql.toByteArray();  // sqlite3_exec wants NUL termination
  char *rawMsg = nullptr;
  const int rc = sqlite3_exec(db_.get(), script.constData(), nullptr, nullptr, &rawMsg);
  std::unique_ptr<char, decltype(&sqlite3_free)> msg(rawMsg, &sqlite3_free);
  if (rc == SQLITE_OK) return Status::ok();
  return ioError(u"sqlite: script failed (" + path_ + u"): " +
                 (msg ? QString::fromUtf8(msg.get()) : QString::fromUtf8(sqlite3_errstr(rc))) +
                 u" (code " + QString::number(rc) + u')');
}

Status Database::transaction(const std::function<Status()> &fn) {
  std::lock_guard lock(mutex_);
  const int depth = txDepth_;
  const QByteArray savepoint = "rs_sp" + QByteArray::number(depth);
  RS_RETURN_IF_ERROR(exec(depth == 0 ? QByteArray("BEGIN IMMEDIATE") : QByteArray("SAVEPOINT " + savepoint)));
  ++txDepth_;

  // Undo on every exit that is not a successful commit, including an exception.
  bool done = false;
  auto undo = [&] {
    if (done) return;
    done = true;
    --txDepth_;
    // SQLite may already have rolled back by itself (SQLITE_FULL, SQLITE_IOERR, ...).
    if (sqlite3_get_autocommit(db_.get())) return;
    if (depth == 0) {
      execScript("ROLLBACK");
    } else {
      execScript(QByteArray("ROLLBACK TO " + savepoint));
      execScript(QByteArray("RELEASE " + savepoint));
    }
  };
  struct Guard {
    decltype(undo) &f;
    ~Guard() { f(); }
  } guard{undo};

  Status s = fn();
  if (!s) return s;  // guard rolls back
  if (sqlite3_get_autocommit(db_.get()))
    return ioError(u"sqlite: transaction was rolled back by SQLite (" + path_ + u')');
  Status c = exec(depth == 0 ? QByteArray("COMMIT") : QByteArray("RELEASE " + savepoint));
  if (!c) return c;  // e.g. SQLITE_BUSY on COMMIT: guard rolls back
  done = true;
  --txDepth_;
  return Status::ok();
}

qint64 Database::lastInsertRowId() const {
  std::lock_guard lock(mutex_);
  return sqlite3_last_insert_rowid(db_.get());
}

int Database::changes() const {
  std::lock_guard lock(mutex_);
  return sqlite3_changes(db_.get());
}

Status Database::integrityCheck() {
  auto rows = query("PRAGMA integrity_check");
  if (!rows) return rows.status();
  QStringList problems;
  for (const QVariantMap &row : *rows) {
    const QString line = row.isEmpty() ? QString() : row.first().toString();
    if (line != u"ok") problems << line;
    if (problems.size() >= 20) break;
  }
  if (rows->empty()) problems << QStringLiteral("no result");
  if (problems.isEmpty()) return Status::ok();
  return ioError(u"sqlite: integrity check of " + path_ + u" failed: " + problems.join(u"; "));
}

}  // namespace rs::store
