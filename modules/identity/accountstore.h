#pragma once
// The api's accounts in their own SQLite database (<data-dir>/api/accounts.db, WAL,
// so `platform user …` works while the stack runs): users with a role and a scrypt
// password hash, login sessions and API tokens stored only as SHA-256 hashes of their
// secrets, and the audit trail. Thread-safe (the Database serialises itself); scrypt
// runs on the calling thread, so callers on an event loop use a thread pool.

#include "core/http/access.h"
#include "core/status.h"
#include "identity/passwords.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QString>
#include <memory>
#include <vector>

namespace rs::store { class Database; }
namespace rs {
Q_DECLARE_LOGGING_CATEGORY(lcIdentity)  // "rs.identity"
}

namespace rs::identity {

struct User {
  qint64 id = 0;
  QString name;  // normalised (usernames.h)
  QString role;  // "admin" | "viewer"
  qint64 createdMs = 0;
  QJsonObject toJson() const;
};

struct TokenInfo {
  QString id, name, role, kind, createdBy;
  qint64 createdMs = 0, expiresMs = 0, revokedMs = 0, lastUsedMs = 0;
  QJsonObject toJson() const;  // never the secret: it is not stored
};

// A secret shown once (a session cookie, an API token) and the public id that names it.
struct Issued {
  QString secret;
  QString id;
  qint64 expiresMs = 0;
};

struct AuditEvent {
  QString actor;    // who did it: a user name, "token:<name>", "cli", "system"
  QString action;   // login, login_failed, logout, token_created, user_added, …
  QString target;   // the user or token acted on
  QString address;  // the client's address, when there is one
  bool ok = true;
  QString detail;   // a reason; never a secret
};

inline constexpr QByteArrayView kApiTokenPrefix = "rst_";
inline const QString kBootstrapKind = QStringLiteral("bootstrap");

class AccountStore {
 public:
  struct Options {
    ScryptParams scrypt;
    int minPasswordLength = 10;
    qint64 sessionIdleMs = 12 * 3600 * 1000LL;
    qint64 sessionMaxMs = 7 * 24 * 3600 * 1000LL;
  };
  // `create` false: a missing file is an error that says where it looked (the
  // offline commands must not create a database beside the real one by mistake).
  static Result<std::unique_ptr<AccountStore>> open(const QString &path, Options options, bool create);
  static QString defaultPath(const QString &dataDir);
  ~AccountStore();

  // Users. Names are normalised; a password must pass the policy.
  Result<User> addUser(const QString &name, const QString &role, const QString &password);
  Result<User> user(const QString &name);
  Result<std::vector<User>> users();
  // Also signs the user out everywhere: a reset password must end a thief's session.
  Status setPassword(const QString &name, const QString &password);
  Status setRole(const QString &name, const QString &role);
  // The last admin cannot be removed or demoted: someone must be able to administer.
  Status removeUser(const QString &name);
  Result<int> adminCount();
  // Unauthorized with one message for unknown user and wrong password alike, after
  // the same amount of scrypt work, so neither timing nor text tells them apart.
  Result<User> authenticate(const QString &name, const QString &password);

  // Sessions: a 256-bit random cookie value, stored as its SHA-256.
  Result<Issued> createSession(const User &user, const QString &address, const QString &userAgent);
  // Unauthorized when unknown, revoked, idle too long or past its absolute end.
  Result<http::Principal> sessionPrincipal(QByteArrayView secret);
  Status revokeSession(QByteArrayView secret);

  // API tokens ("rst_" + 256 random bits), stored as SHA-256; expiresMs 0 = no end.
  Result<Issued> createToken(const QString &name, const QString &role, qint64 expiresMs, const QString &createdBy,
                             const QString &kind = QStringLiteral("api"));
  Result<http::Principal> tokenPrincipal(QByteArrayView secret);
  Result<TokenInfo> token(const QString &id);
  Status revokeToken(const QString &id);
  Result<std::vector<TokenInfo>> tokens();

  // Every login, logout, failure, token and user change; also logged (rs.identity).
  void audit(const AuditEvent &event);
  // Newest first; `beforeId` 0 = from the newest.
  Result<QJsonArray> auditLog(int limit, qint64 beforeId = 0);

  // Deletes expired sessions (also done lazily on lookup).
  Status prune();
  const Options &options() const { return options_; }

 private:
  AccountStore(std::unique_ptr<store::Database> db, Options options);
  std::unique_ptr<store::Database> db_;
  Options options_;
  QString dummyHash_;  // verified for unknown users, so they cost what a real one does
};

}  // namespace rs::identity
