#include "identity/accountstore.h"

#include "core/auth/crypto.h"
#include "core/store/database.h"
#include "identity/usernames.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>

namespace rs {
Q_LOGGING_CATEGORY(lcIdentity, "rs.identity")
}

namespace rs::identity {

namespace {
qint64 nowMs() { return QDateTime::currentMSecsSinceEpoch(); }
QString iso(qint64 ms) { return ms ? QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs) : QString(); }

// Touching a session or token on every request would be a write (and an fsync) per
// request; once a minute is enough to measure idleness.
constexpr qint64 kTouchEveryMs = 60'000;

const std::vector<store::Migration> &migrations() {
  static const std::vector<store::Migration> m = {
      {1, "CREATE TABLE users ("
          " id INTEGER PRIMARY KEY,"
          " name TEXT NOT NULL UNIQUE,"
          " role TEXT NOT NULL CHECK (role IN ('admin', 'viewer')),"
          " password TEXT NOT NULL,"
          " created_ms INTEGER NOT NULL,"
          " updated_ms INTEGER NOT NULL);"
          // The cookie's SHA-256, never the cookie: a copy of this file opens no session.
          "CREATE TABLE sessions ("
          " hash BLOB PRIMARY KEY,"
          " public_id TEXT NOT NULL UNIQUE,"
          " user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
          " created_ms INTEGER NOT NULL,"
          " seen_ms INTEGER NOT NULL,"
          " address TEXT NOT NULL DEFAULT '',"
          " user_agent TEXT NOT NULL DEFAULT '');"
          "CREATE INDEX sessions_user ON sessions(user_id);"
          "CREATE TABLE tokens ("
          " id TEXT PRIMARY KEY,"
          " hash BLOB NOT NULL UNIQUE,"
          " name TEXT NOT NULL,"
          " role TEXT NOT NULL CHECK (role IN ('admin', 'viewer')),"
          " kind TEXT NOT NULL DEFAULT 'api',"
          " created_by TEXT NOT NULL,"
          " created_ms INTEGER NOT NULL,"
          " expires_ms INTEGER NOT NULL DEFAULT 0,"
          " revoked_ms INTEGER NOT NULL DEFAULT 0,"
          " last_used_ms INTEGER NOT NULL DEFAULT 0);"
          "CREATE TABLE audit ("
          " id INTEGER PRIMARY KEY,"
          " ts_ms INTEGER NOT NULL,"
          " actor TEXT NOT NULL,"
          " action TEXT NOT NULL,"
          " target TEXT NOT NULL DEFAULT '',"
          " address TEXT NOT NULL DEFAULT '',"
          " ok INTEGER NOT NULL,"
          " detail TEXT NOT NULL DEFAULT '');"},
  };
  return m;
}

http::Principal::Authority authorityOf(const QString &role) {
  return role == QLatin1String("admin") ? http::Principal::Authority::Admin : http::Principal::Authority::Viewer;
}

QByteArray hashOf(QByteArrayView secret) { return auth::sha256(secret); }

Status noUser(const QString &name) { return Status(ErrorCode::NotFound, QStringLiteral("no user '%1'").arg(name)); }

User userFromRow(const QVariantMap &r) {
  return User{r.value(QStringLiteral("id")).toLongLong(), r.value(QStringLiteral("name")).toString(),
              r.value(QStringLiteral("role")).toString(), r.value(QStringLiteral("created_ms")).toLongLong()};
}

TokenInfo tokenFromRow(const QVariantMap &r) {
  auto v = [&](const char *k) { return r.value(QLatin1String(k)); };
  return TokenInfo{v("id").toString(), v("name").toString(), v("role").toString(), v("kind").toString(),
                   v("created_by").toString(), v("created_ms").toLongLong(), v("expires_ms").toLongLong(),
                   v("revoked_ms").toLongLong(), v("last_used_ms").toLongLong()};
}
}  // namespace

QJsonObject User::toJson() const {
  return QJsonObject{{QStringLiteral("name"), name}, {QStringLiteral("role"), role}, {QStringLiteral("createdAt"), iso(createdMs)}};
}

QJsonObject TokenInfo::toJson() const {
  QJsonObject o{{QStringLiteral("id"), id},         {QStringLiteral("name"), name},
                {QStringLiteral("role"), role},     {QStringLiteral("kind"), kind},
                {QStringLiteral("createdBy"), createdBy}, {QStringLiteral("createdAt"), iso(createdMs)},
                {QStringLiteral("expiresAt"), expiresMs ? QJsonValue(iso(expiresMs)) : QJsonValue()},
                {QStringLiteral("revokedAt"), revokedMs ? QJsonValue(iso(revokedMs)) : QJsonValue()},
                {QStringLiteral("lastUsedAt"), lastUsedMs ? QJsonValue(iso(lastUsedMs)) : QJsonValue()}};
  return o;
}

QString AccountStore::defaultPath(const QString &dataDir) { return dataDir + QStringLiteral("/api/accounts.db"); }

Result<std::unique_ptr<AccountStore>> AccountStore::open(const QString &path, Options options, bool create) {
  if (!create && !QFileInfo::exists(path))
    return Status(ErrorCode::NotFound,
                  QStringLiteral("no accounts database at %1: is that the stack's --data-dir? (the api creates it on its first start)")
                      .arg(path));
  // Hashes and session digests: owner-only, like every file holding secrets. Made so
  // before SQLite opens it, which gives its -wal and -shm files the same mode.
  if (!QFileInfo::exists(path)) {
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly)) return Status(ErrorCode::IoError, QStringLiteral("cannot create %1: %2").arg(path, f.errorString()));
  }
  QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
  auto db = store::Database::open(path, migrations());
  RS_RETURN_IF_ERROR(db.status());
  return std::unique_ptr<AccountStore>(new AccountStore(std::move(*db), options));
}

AccountStore::AccountStore(std::unique_ptr<store::Database> db, Options options)
    : db_(std::move(db)), options_(options), dummyHash_(hashPassword(generatePassword(), options.scrypt)) {}

AccountStore::~AccountStore() = default;

Result<User> AccountStore::addUser(const QString &typed, const QString &role, const QString &password) {
  auto name = normalizeUsername(typed);
  RS_RETURN_IF_ERROR(name.status());
  RS_RETURN_IF_ERROR(checkAccountRole(role).status());
  RS_RETURN_IF_ERROR(checkPasswordPolicy(password, options_.minPasswordLength));
  const QString hash = hashPassword(password, options_.scrypt);
  if (hash.isEmpty()) return Status(ErrorCode::Internal, QStringLiteral("password hashing failed"));
  const qint64 now = nowMs();
  Status s = db_->transaction([&]() -> Status {
    auto existing = db_->queryValue("SELECT id FROM users WHERE name = ?", {*name});
    RS_RETURN_IF_ERROR(existing.status());
    if (!existing->isNull()) return Status(ErrorCode::Conflict, QStringLiteral("user '%1' exists already").arg(*name));
    return db_->exec("INSERT INTO users(name, role, password, created_ms, updated_ms) VALUES (?, ?, ?, ?, ?)",
                     {*name, role, hash, now, now});
  });
  RS_RETURN_IF_ERROR(s);
  return user(*name);
}

Result<User> AccountStore::user(const QString &typed) {
  auto name = normalizeUsername(typed);
  RS_RETURN_IF_ERROR(name.status());
  auto rows = db_->query("SELECT id, name, role, created_ms FROM users WHERE name = ?", {*name});
  RS_RETURN_IF_ERROR(rows.status());
  if (rows->empty()) return noUser(*name);
  return userFromRow(rows->front());
}

Result<std::vector<User>> AccountStore::users() {
  auto rows = db_->query("SELECT id, name, role, created_ms FROM users ORDER BY name");
  RS_RETURN_IF_ERROR(rows.status());
  std::vector<User> out;
  for (const QVariantMap &r : *rows) out.push_back(userFromRow(r));
  return out;
}

Status AccountStore::setPassword(const QString &typed, const QString &password) {
  auto u = user(typed);
  RS_RETURN_IF_ERROR(u.status());
  RS_RETURN_IF_ERROR(checkPasswordPolicy(password, options_.minPasswordLength));
  const QString hash = hashPassword(password, options_.scrypt);
  if (hash.isEmpty()) return Status(ErrorCode::Internal, QStringLiteral("password hashing failed"));
  return db_->transaction([&]() -> Status {
    RS_RETURN_IF_ERROR(db_->exec("UPDATE users SET password = ?, updated_ms = ? WHERE id = ?", {hash, nowMs(), u->id}));
    return db_->exec("DELETE FROM sessions WHERE user_id = ?", {u->id});
  });
}

Status AccountStore::setRole(const QString &typed, const QString &role) {
  RS_RETURN_IF_ERROR(checkAccountRole(role).status());
  return db_->transaction([&]() -> Status {
    auto u = user(typed);
    RS_RETURN_IF_ERROR(u.status());
    if (u->role == QLatin1String("admin") && role != QLatin1String("admin")) {
      auto admins = adminCount();
      RS_RETURN_IF_ERROR(admins.status());
      if (*admins <= 1) return Status(ErrorCode::Conflict, QStringLiteral("'%1' is the last admin").arg(u->name));
    }
    return db_->exec("UPDATE users SET role = ?, updated_ms = ? WHERE id = ?", {role, nowMs(), u->id});
  });
}

Status AccountStore::removeUser(const QString &typed) {
  return db_->transaction([&]() -> Status {
    auto u = user(typed);
    RS_RETURN_IF_ERROR(u.status());
    if (u->role == QLatin1String("admin")) {
      auto admins = adminCount();
      RS_RETURN_IF_ERROR(admins.status());
      if (*admins <= 1) return Status(ErrorCode::Conflict, QStringLiteral("'%1' is the last admin").arg(u->name));
    }
    return db_->exec("DELETE FROM users WHERE id = ?", {u->id});  // sessions go by ON DELETE CASCADE
  });
}

Result<int> AccountStore::adminCount() {
  auto n = db_->queryValue("SELECT COUNT(*) FROM users WHERE role = 'admin'");
  RS_RETURN_IF_ERROR(n.status());
  return n->toInt();
}

Result<User> AccountStore::authenticate(const QString &typed, const QString &password) {
  const Status wrong(ErrorCode::Unauthorized, QStringLiteral("wrong user name or password"));
  auto name = normalizeUsername(typed);
  QVariantMap row;
  if (name) {
    auto rows = db_->query("SELECT id, name, role, created_ms, password FROM users WHERE name = ?", {*name});
    RS_RETURN_IF_ERROR(rows.status());
    if (!rows->empty()) row = rows->front();
  }
  if (row.isEmpty() || password.size() > 4096) {
    verifyPassword(password.left(4096), dummyHash_);
    return wrong;
  }
  const QString stored = row.value(QStringLiteral("password")).toString();
  if (!verifyPassword(password, stored)) return wrong;
  User u = userFromRow(row);
  if (needsRehash(stored, options_.scrypt)) {
    // Raised parameters reach old hashes at the next login, when the password is known.
    const QString fresh = hashPassword(password, options_.scrypt);
    if (!fresh.isEmpty()) db_->exec("UPDATE users SET password = ? WHERE id = ?", {fresh, u.id});
  }
  return u;
}

Result<Issued> AccountStore::createSession(const User &u, const QString &address, const QString &userAgent) {
  const QByteArray secret = auth::base64Url(auth::randomBytes(32));
  const QString publicId = QString::fromLatin1(auth::base64Url(auth::randomBytes(12)));
  const qint64 now = nowMs();
  RS_RETURN_IF_ERROR(db_->exec("INSERT INTO sessions(hash, public_id, user_id, created_ms, seen_ms, address, user_agent)"
                               " VALUES (?, ?, ?, ?, ?, ?, ?)",
                               {hashOf(secret), publicId, u.id, now, now, address, userAgent.left(256)}));
  return Issued{QString::fromLatin1(secret), publicId, now + options_.sessionMaxMs};
}

Result<http::Principal> AccountStore::sessionPrincipal(QByteArrayView secret) {
  const Status gone(ErrorCode::Unauthorized, QStringLiteral("session expired or signed out: sign in again"));
  auto rows = db_->query("SELECT s.public_id, s.created_ms, s.seen_ms, u.name, u.role FROM sessions s"
                         " JOIN users u ON u.id = s.user_id WHERE s.hash = ?",
                         {hashOf(secret)});
  RS_RETURN_IF_ERROR(rows.status());
  if (rows->empty()) return gone;
  const QVariantMap &r = rows->front();
  const qint64 now = nowMs(), seen = r.value(QStringLiteral("seen_ms")).toLongLong();
  if (now - seen > options_.sessionIdleMs || now - r.value(QStringLiteral("created_ms")).toLongLong() > options_.sessionMaxMs) {
    db_->exec("DELETE FROM sessions WHERE hash = ?", {hashOf(secret)});
    return gone;
  }
  // Often enough that a session in use never looks idle, however short the idle limit.
  if (now - seen > qMin(kTouchEveryMs, options_.sessionIdleMs / 4))
    db_->exec("UPDATE sessions SET seen_ms = ? WHERE hash = ?", {now, hashOf(secret)});
  http::Principal p;
  p.kind = http::Principal::Kind::Session;
  p.authority = authorityOf(r.value(QStringLiteral("role")).toString());
  p.name = r.value(QStringLiteral("name")).toString();
  p.id = r.value(QStringLiteral("public_id")).toString();
  return p;
}

Status AccountStore::revokeSession(QByteArrayView secret) {
  return db_->exec("DELETE FROM sessions WHERE hash = ?", {hashOf(secret)});
}

Result<Issued> AccountStore::createToken(const QString &name, const QString &role, qint64 expiresMs,
                                         const QString &createdBy, const QString &kind) {
  const QString trimmed = name.trimmed();
  if (trimmed.isEmpty() || trimmed.size() > 100)
    return Status(ErrorCode::BadRequest, QStringLiteral("a token needs a name of 1 to 100 characters"));
  RS_RETURN_IF_ERROR(checkAccountRole(role).status());
  const qint64 now = nowMs();
  if (expiresMs != 0 && expiresMs <= now) return Status(ErrorCode::BadRequest, QStringLiteral("expiry is in the past"));
  const QByteArray secret = kApiTokenPrefix.toByteArray() + auth::base64Url(auth::randomBytes(32));
  const QString id = QStringLiteral("tk_") + QString::fromLatin1(auth::randomBytes(6).toHex());
  RS_RETURN_IF_ERROR(db_->exec("INSERT INTO tokens(id, hash, name, role, kind, created_by, created_ms, expires_ms)"
                               " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                               {id, hashOf(secret), trimmed, role, kind, createdBy, now, expiresMs}));
  return Issued{QString::fromLatin1(secret), id, expiresMs};
}

Result<http::Principal> AccountStore::tokenPrincipal(QByteArrayView secret) {
  const Status refused(ErrorCode::Unauthorized, QStringLiteral("API token refused: unknown, revoked or expired"));
  auto rows = db_->query("SELECT id, name, role, expires_ms, revoked_ms, last_used_ms FROM tokens WHERE hash = ?",
                         {hashOf(secret)});
  RS_RETURN_IF_ERROR(rows.status());
  if (rows->empty()) return refused;
  const QVariantMap &r = rows->front();
  const qint64 now = nowMs(), expires = r.value(QStringLiteral("expires_ms")).toLongLong();
  if (r.value(QStringLiteral("revoked_ms")).toLongLong() != 0 || (expires != 0 && now >= expires)) return refused;
  if (now - r.value(QStringLiteral("last_used_ms")).toLongLong() > kTouchEveryMs)
    db_->exec("UPDATE tokens SET last_used_ms = ? WHERE id = ?", {now, r.value(QStringLiteral("id"))});
  http::Principal p;
  p.kind = http::Principal::Kind::ApiToken;
  p.authority = authorityOf(r.value(QStringLiteral("role")).toString());
  p.name = r.value(QStringLiteral("name")).toString();
  p.id = r.value(QStringLiteral("id")).toString();
  return p;
}

Result<TokenInfo> AccountStore::token(const QString &id) {
  auto rows = db_->query("SELECT * FROM tokens WHERE id = ?", {id});
  RS_RETURN_IF_ERROR(rows.status());
  if (rows->empty()) return Status(ErrorCode::NotFound, QStringLiteral("no token '%1'").arg(id.left(64)));
  return tokenFromRow(rows->front());
}

Status AccountStore::revokeToken(const QString &id) {
  return db_->transaction([&]() -> Status {
    auto t = token(id);
    RS_RETURN_IF_ERROR(t.status());
    if (t->revokedMs) return Status::ok();
    return db_->exec("UPDATE tokens SET revoked_ms = ? WHERE id = ?", {nowMs(), id});
  });
}

Result<std::vector<TokenInfo>> AccountStore::tokens() {
  auto rows = db_->query("SELECT * FROM tokens ORDER BY created_ms DESC, id");
  RS_RETURN_IF_ERROR(rows.status());
  std::vector<TokenInfo> out;
  for (const QVariantMap &r : *rows) out.push_back(tokenFromRow(r));
  return out;
}

void AccountStore::audit(const AuditEvent &e) {
  const Status s = db_->exec("INSERT INTO audit(ts_ms, actor, action, target, address, ok, detail) VALUES (?, ?, ?, ?, ?, ?, ?)",
                             {nowMs(), e.actor.left(200), e.action, e.target.left(200), e.address, e.ok ? 1 : 0,
                              e.detail.left(500)});
  QString line = QStringLiteral("audit: %1 %2 actor %3").arg(e.action, e.ok ? QStringLiteral("ok") : QStringLiteral("refused"), e.actor);
  if (!e.target.isEmpty()) line += QStringLiteral(" target ") + e.target;
  if (!e.address.isEmpty()) line += QStringLiteral(" from ") + e.address;
  if (!e.detail.isEmpty()) line += QStringLiteral(" - ") + e.detail;
  if (e.ok) qCInfo(lcIdentity).noquote() << line;
  else qCWarning(lcIdentity).noquote() << line;
  if (!s.isOk()) qCWarning(lcIdentity).noquote() << "audit entry not stored:" << s.message();
}

Result<QJsonArray> AccountStore::auditLog(int limit, qint64 beforeId) {
  auto rows = db_->query("SELECT * FROM audit WHERE (? = 0 OR id < ?) ORDER BY id DESC LIMIT ?",
                         {beforeId, beforeId, qBound(1, limit, 1000)});
  RS_RETURN_IF_ERROR(rows.status());
  QJsonArray out;
  for (const QVariantMap &r : *rows) {
    out.append(QJsonObject{{QStringLiteral("id"), r.value(QStringLiteral("id")).toLongLong()},
                           {QStringLiteral("time"), iso(r.value(QStringLiteral("ts_ms")).toLongLong())},
                           {QStringLiteral("actor"), r.value(QStringLiteral("actor")).toString()},
                           {QStringLiteral("action"), r.value(QStringLiteral("action")).toString()},
                           {QStringLiteral("target"), r.value(QStringLiteral("target")).toString()},
                           {QStringLiteral("address"), r.value(QStringLiteral("address")).toString()},
                           {QStringLiteral("ok"), r.value(QStringLiteral("ok")).toInt() != 0},
                           {QStringLiteral("detail"), r.value(QStringLiteral("detail")).toString()}});
  }
  return out;
}

Status AccountStore::prune() {
  const qint64 now = nowMs();
  return db_->exec("DELETE FROM sessions WHERE seen_ms < ? OR created_ms < ?",
                   {now - options_.sessionIdleMs, now - options_.sessionMaxMs});
}

}  // namespace rs::identity
