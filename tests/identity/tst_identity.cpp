// Accounts on a real SQLite file (modules/identity): scrypt hashes (salted, parameters
// in the hash, re-hashed when raised), the password policy, user names with odd
// Unicode, sessions and API tokens stored only as hashes and expiring as configured,
// the last admin protected, the audit trail, the login backoff (per address and per
// account, never a permanent lockout), the session cookie parser, and the first-run
// admin and local token files.

#include "core/auth/crypto.h"
#include "core/store/database.h"
#include "identity/accountstore.h"
#include "identity/bootstrap.h"
#include "identity/loginthrottle.h"
#include "identity/passwords.h"
#include "identity/sessioncookie.h"
#include "identity/usernames.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

using namespace rs;
using namespace rs::identity;
using namespace Qt::StringLiterals;

namespace {
// Cheap parameters: the tests hash hundreds of times; production's are 32x the work.
const ScryptParams kFast{1024, 8, 1};

AccountStore::Options fastOptions() {
  AccountStore::Options o;
  o.scrypt = kFast;
  return o;
}

QByteArray fileBytes(const QString &path) {
  QFile f(path);
  return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}
}  // namespace

class TestIdentity : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;
  int n_ = 0;

  std::unique_ptr<AccountStore> open(AccountStore::Options o = fastOptions(), QString *path = nullptr) {
    const QString p = dir_.filePath(u"db%1/accounts.db"_s.arg(++n_));
    if (path) *path = p;
    auto s = AccountStore::open(p, o, true);
    return s ? std::move(*s) : nullptr;
  }

 private Q_SLOTS:
  void passwordsAreSaltedScrypt() {
    const QString h1 = hashPassword(u"correct horse"_s, kFast), h2 = hashPassword(u"correct horse"_s, kFast);
    QVERIFY(h1.startsWith(u"$scrypt$ln=10,r=8,p=1$"_s));
    QVERIFY(h1 != h2);  // a salt of its own each
    QVERIFY(verifyPassword(u"correct horse"_s, h1));
    QVERIFY(!verifyPassword(u"correct horsE"_s, h1));
    QVERIFY(!verifyPassword(u""_s, h1));
    // The same password typed in another Unicode form (NFD vs NFC) is the same password.
    const QString nfc = u"pässwörd-1234"_s, nfd = nfc.normalized(QString::NormalizationForm_D);
    QVERIFY(nfc != nfd);
    QVERIFY(verifyPassword(nfd, hashPassword(nfc, kFast)));
    // Not one of our hashes: false, never a crash.
    for (const QString &junk : {u""_s, u"plain"_s, u"$scrypt$"_s, u"$scrypt$ln=99,r=8,p=1$AAAA$BBBB"_s, u"$scrypt$ln=10,r=8$abc$def"_s,
                                u"$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA"_s})
      QVERIFY2(!verifyPassword(u"x"_s, junk), qPrintable(junk));
    QVERIFY(needsRehash(h1, ScryptParams{}));
    QVERIFY(!needsRehash(h1, kFast));
    QVERIFY(!checkScryptParams(1000, 8, 1).isOk());         // not a power of two
    QVERIFY(!checkScryptParams(1 << 24, 64, 1).isOk());     // 128 GiB
    QVERIFY(checkScryptParams(32768, 8, 1).isOk());
  }

  void passwordPolicy() {
    QVERIFY(checkPasswordPolicy(u"0123456789"_s, 10).isOk());
    const Status shortOne = checkPasswordPolicy(u"012345678"_s, 10);
    QCOMPARE(shortOne.code(), ErrorCode::BadRequest);
    QVERIFY(shortOne.message().contains(u"at least 10"_s));
    QVERIFY(!shortOne.message().contains(u"012345678"_s));  // never echoes the password
    QVERIFY(!checkPasswordPolicy(u"0123456789\n"_s, 10).isOk());
    QVERIFY(!checkPasswordPolicy(QString(1025, u'x'), 10).isOk());
    // Characters, not bytes: ten emoji are ten characters.
    QVERIFY(checkPasswordPolicy(QString::fromUtf8("😀😀😀😀😀😀😀😀😀😀"), 10).isOk());
  }

  void userNamesWithOddUnicode() {
    QCOMPARE(*normalizeUsername(u"Alice"_s), u"alice"_s);
    QCOMPARE(*normalizeUsername(QString::fromUtf8("ＡＬＩＣＥ")), u"alice"_s);  // fullwidth → NFKC
    QCOMPARE(*normalizeUsername(QString::fromUtf8("Zoë")), QString::fromUtf8("zoë"));
    QCOMPARE(*normalizeUsername(QString::fromUtf8("zoe\u0308")), QString::fromUtf8("zoë"));  // combining diaeresis composes
    QCOMPARE(*normalizeUsername(u"ops.team-1@site"_s), u"ops.team-1@site"_s);
    const QString bad[] = {u""_s, u"a b"_s, u"tab\tname"_s, QString::fromUtf8("ad\u200bmin"),  // zero-width space
                           QString::fromUtf8("\u202eadmin"),                                 // right-to-left override
                           u"adm"_s + QChar(0) + u"in"_s, u"a/b"_s, u"<script>"_s, QString(65, u'a')};
    for (const QString &b : bad) {
      auto r = normalizeUsername(b);
      QVERIFY2(!r.isOk(), qPrintable(b));
      QCOMPARE(r.status().code(), ErrorCode::BadRequest);
    }
    QVERIFY(!checkAccountRole(u"root"_s).isOk());
  }

  void usersAndTheLastAdmin() {
    auto s = open();
    QVERIFY(s);
    QVERIFY(s->addUser(u"Admin"_s, u"admin"_s, u"a long password"_s).isOk());
    QCOMPARE(s->addUser(u"ADMIN"_s, u"viewer"_s, u"another password"_s).status().code(), ErrorCode::Conflict);
    QCOMPARE(s->addUser(u"bob"_s, u"viewer"_s, u"short"_s).status().code(), ErrorCode::BadRequest);
    QVERIFY(s->addUser(u"bob"_s, u"viewer"_s, u"bobs password"_s).isOk());
    QCOMPARE(s->users()->size(), size_t(2));
    QCOMPARE(*s->adminCount(), 1);
    QCOMPARE(s->removeUser(u"admin"_s).code(), ErrorCode::Conflict);
    QCOMPARE(s->setRole(u"admin"_s, u"viewer"_s).code(), ErrorCode::Conflict);
    QVERIFY(s->setRole(u"bob"_s, u"admin"_s).isOk());
    QVERIFY(s->setRole(u"admin"_s, u"viewer"_s).isOk());  // bob is an admin now
    QCOMPARE(s->removeUser(u"nobody"_s).code(), ErrorCode::NotFound);

    QVERIFY(s->authenticate(u"BOB"_s, u"bobs password"_s).isOk());
    const auto wrong = s->authenticate(u"bob"_s, u"bobs passwordx"_s);
    const auto unknown = s->authenticate(u"carol"_s, u"bobs password"_s);
    QCOMPARE(wrong.status().code(), ErrorCode::Unauthorized);
    QCOMPARE(unknown.status().code(), ErrorCode::Unauthorized);
    QCOMPARE(wrong.status().message(), unknown.status().message());  // nothing tells them apart
    QVERIFY(!s->authenticate(QString::fromUtf8("\u202ebob"), u"bobs password"_s).isOk());
    QVERIFY(!s->authenticate(u"bob"_s, QString(100000, u'x')).isOk());
  }

  // An unknown user costs the same scrypt work as a wrong password.
  void unknownUsersCostTheSame() {
    auto s = open([] {
      AccountStore::Options o;
      o.scrypt = ScryptParams{16384, 8, 1};
      return o;
    }());
    QVERIFY(s->addUser(u"dave"_s, u"viewer"_s, u"daves password"_s).isOk());
    auto timeIt = [&](const QString &user) {
      QElapsedTimer t;
      t.start();
      for (int i = 0; i < 5; ++i) s->authenticate(user, u"wrong password"_s);
      return t.elapsed();
    };
    timeIt(u"dave"_s);  // warm up
    const qint64 known = timeIt(u"dave"_s), unknown = timeIt(u"nobody"_s);
    QVERIFY2(unknown * 2 > known && known * 2 > unknown, qPrintable(u"known %1 ms, unknown %2 ms"_s.arg(known).arg(unknown)));
  }

  void passwordParametersRise() {
    QString path;
    auto s = open(fastOptions(), &path);
    QVERIFY(s->addUser(u"erin"_s, u"viewer"_s, u"erins password"_s).isOk());
    s.reset();
    AccountStore::Options stronger = fastOptions();
    stronger.scrypt = ScryptParams{2048, 8, 1};
    auto again = AccountStore::open(path, stronger, false);
    QVERIFY(again.isOk());
    QVERIFY((*again)->authenticate(u"erin"_s, u"erins password"_s).isOk());  // old hash still verifies
    auto db = store::Database::open(path, {{1, "SELECT 1"}});  // the schema is there: nothing to apply
    QVERIFY(db.isOk());
    QVERIFY((*db)->queryValue("SELECT password FROM users WHERE name = 'erin'")->toString().startsWith(u"$scrypt$ln=11,"_s));
  }

  void sessionsAreHashedAndExpire() {
    AccountStore::Options o = fastOptions();
    o.sessionIdleMs = 300;
    o.sessionMaxMs = 900;
    QString path;
    auto s = open(o, &path);
    auto u = s->addUser(u"fred"_s, u"admin"_s, u"freds password"_s);
    auto session = s->createSession(*u, u"10.0.0.1"_s, u"test"_s);
    QVERIFY(session.isOk());
    QCOMPARE(session->secret.size(), 43);  // 256 bits
    auto p = s->sessionPrincipal(session->secret.toLatin1());
    QVERIFY(p.isOk());
    QCOMPARE(p->name, u"fred"_s);
    QCOMPARE(p->authority, http::Principal::Authority::Admin);
    QCOMPARE(p->id, session->id);
    QVERIFY(p->id != session->secret);
    // Only the hash is on disk.
    QVERIFY(!fileBytes(path).contains(session->secret.toLatin1()));
    QVERIFY(!fileBytes(path + u"-wal"_s).contains(session->secret.toLatin1()));
    QVERIFY(!fileBytes(path + u"-wal"_s).contains("freds password"));
    // A role change applies to live sessions at once.
    QVERIFY(s->addUser(u"gina"_s, u"admin"_s, u"ginas password"_s).isOk());
    QVERIFY(s->setRole(u"fred"_s, u"viewer"_s).isOk());
    QCOMPARE(s->sessionPrincipal(session->secret.toLatin1())->authority, http::Principal::Authority::Viewer);
    // Idle expiry.
    QTest::qWait(400);
    QCOMPARE(s->sessionPrincipal(session->secret.toLatin1()).status().code(), ErrorCode::Unauthorized);
    // Absolute expiry, however busy.
    auto busy = s->createSession(*u, {}, {});
    for (int i = 0; i < 6; ++i) {
      QTest::qWait(200);
      if (i < 3) QVERIFY2(s->sessionPrincipal(busy->secret.toLatin1()).isOk(), qPrintable(QString::number(i)));
    }
    QVERIFY(!s->sessionPrincipal(busy->secret.toLatin1()).isOk());
    // Revocation, and a password change ends every session of the user.
    auto a = s->createSession(*u, {}, {}), b = s->createSession(*u, {}, {});
    QVERIFY(a->secret != b->secret);
    QVERIFY(s->revokeSession(a->secret.toLatin1()).isOk());
    QVERIFY(!s->sessionPrincipal(a->secret.toLatin1()).isOk());
    QVERIFY(s->sessionPrincipal(b->secret.toLatin1()).isOk());
    QVERIFY(s->setPassword(u"fred"_s, u"a new password"_s).isOk());
    QVERIFY(!s->sessionPrincipal(b->secret.toLatin1()).isOk());
    QVERIFY(!s->sessionPrincipal("not-a-session").isOk());
  }

  void apiTokens() {
    QString path;
    auto s = open(fastOptions(), &path);
    auto t = s->createToken(u"ci upload"_s, u"admin"_s, 0, u"cli"_s);
    QVERIFY(t.isOk());
    QVERIFY(t->secret.startsWith(u"rst_"_s));
    auto p = s->tokenPrincipal(t->secret.toLatin1());
    QVERIFY(p.isOk());
    QCOMPARE(p->kind, http::Principal::Kind::ApiToken);
    QCOMPARE(p->authority, http::Principal::Authority::Admin);
    QCOMPARE(p->id, t->id);
    QVERIFY(!fileBytes(path).contains(t->secret.toLatin1()) && !fileBytes(path + u"-wal"_s).contains(t->secret.toLatin1()));
    const QJsonObject listed = s->tokens()->front().toJson();
    QVERIFY(!QJsonDocument(listed).toJson().contains(t->secret.toLatin1()));
    QVERIFY(s->revokeToken(t->id).isOk());
    QCOMPARE(s->tokenPrincipal(t->secret.toLatin1()).status().code(), ErrorCode::Unauthorized);
    QVERIFY(s->token(t->id)->revokedMs > 0);
    auto shortLived = s->createToken(u"short"_s, u"viewer"_s, QDateTime::currentMSecsSinceEpoch() + 200, u"cli"_s);
    QVERIFY(s->tokenPrincipal(shortLived->secret.toLatin1()).isOk());
    QTest::qWait(300);
    QVERIFY(!s->tokenPrincipal(shortLived->secret.toLatin1()).isOk());
    QCOMPARE(s->createToken(u""_s, u"viewer"_s, 0, u"cli"_s).status().code(), ErrorCode::BadRequest);
    QCOMPARE(s->createToken(u"x"_s, u"root"_s, 0, u"cli"_s).status().code(), ErrorCode::BadRequest);
    QCOMPARE(s->createToken(u"x"_s, u"viewer"_s, 1, u"cli"_s).status().code(), ErrorCode::BadRequest);
    QCOMPARE(s->revokeToken(u"tk_nope"_s).code(), ErrorCode::NotFound);
  }

  void auditTrail() {
    auto s = open();
    s->audit({u"alice"_s, u"login"_s, u"alice"_s, u"10.0.0.9"_s, true, {}});
    s->audit({u"mallory"_s, u"login_failed"_s, u"alice"_s, u"10.6.6.6"_s, false, u"wrong user name or password"_s});
    auto log = s->auditLog(10);
    QVERIFY(log.isOk());
    QCOMPARE(log->size(), 2);
    const QJsonObject newest = log->at(0).toObject();
    QCOMPARE(newest.value(u"action"_s).toString(), u"login_failed"_s);
    QCOMPARE(newest.value(u"ok"_s).toBool(), false);
    QCOMPARE(newest.value(u"address"_s).toString(), u"10.6.6.6"_s);
    QCOMPARE(s->auditLog(10, newest.value(u"id"_s).toInteger())->size(), 1);
  }

  // Backoff: free attempts, then doubling waits up to the cap; refused attempts do
  // not count; a success clears it; the account's backoff does not hold back an
  // address that account used before; entries are not permanent.
  void loginBackoff() {
    LoginThrottle::Options o;
    o.freeAddressFailures = 3;
    o.freeAccountFailures = 5;
    o.addressMaxMs = 8000;
    o.accountMaxMs = 4000;
    LoginThrottle t(o);
    qint64 now = 1'000'000;
    t.succeeded(u"alice"_s, u"10.0.0.1"_s, now);  // alice's usual address
    for (int i = 0; i < 3; ++i) {
      QCOMPARE(t.retryAfterMs(u"alice"_s, u"6.6.6.6"_s, now), 0);
      t.failed(u"alice"_s, u"6.6.6.6"_s, now);
    }
    QCOMPARE(t.retryAfterMs(u"alice"_s, u"6.6.6.6"_s, now), 0);
    t.failed(u"alice"_s, u"6.6.6.6"_s, now);  // 4th: 1 s
    QCOMPARE(t.retryAfterMs(u"alice"_s, u"6.6.6.6"_s, now), 1000);
    // Refused attempts are not failures: the wait does not grow while waiting.
    for (int i = 0; i < 1000; ++i) QVERIFY(t.retryAfterMs(u"alice"_s, u"6.6.6.6"_s, now + 500) > 0);
    QCOMPARE(t.retryAfterMs(u"alice"_s, u"6.6.6.6"_s, now + 500), 500);
    now += 1000;
    t.failed(u"alice"_s, u"6.6.6.6"_s, now);  // 5th: 2 s; the account is at 5 failures, still free
    QCOMPARE(t.retryAfterMs(u"alice"_s, u"6.6.6.6"_s, now), 2000);
    QCOMPARE(t.retryAfterMs(u"alice"_s, u"7.7.7.7"_s, now), 0);
    // Spread over many addresses: the account backs off (for new addresses)...
    t.failed(u"alice"_s, u"7.7.7.7"_s, now);  // account failure 6: 1 s
    QCOMPARE(t.retryAfterMs(u"alice"_s, u"8.8.8.8"_s, now), 1000);
    for (int i = 0; i < 20; ++i) t.failed(u"alice"_s, u"9.9.9.%1"_s.arg(i), now);
    QCOMPARE(t.retryAfterMs(u"alice"_s, u"8.8.8.8"_s, now), 4000);  // capped
    // ...but never her usual address, and never another account.
    QCOMPARE(t.retryAfterMs(u"alice"_s, u"10.0.0.1"_s, now), 0);
    QCOMPARE(t.retryAfterMs(u"bob"_s, u"8.8.8.8"_s, now), 0);
    // The address cap holds however many failures.
    for (int i = 0; i < 100; ++i) t.failed(u"x"_s, u"6.6.6.6"_s, now);
    QCOMPARE(t.retryAfterMs(u"y"_s, u"6.6.6.6"_s, now), 8000);
    QCOMPARE(t.retryAfterMs(u"y"_s, u"6.6.6.6"_s, now + 8000), 0);
    // A success clears both.
    t.succeeded(u"alice"_s, u"8.8.8.8"_s, now);
    QCOMPARE(t.retryAfterMs(u"alice"_s, u"11.11.11.11"_s, now), 0);
  }

  void sessionCookieParser() {
    const QByteArray v(43, 'A');
    auto found = [&](const QByteArray &header) { return findSessionCookie(header); };
    QCOMPARE(found("rs_session=" + v).kind, CookieLookup::Found);
    QCOMPARE(found("rs_session=" + v).value, v);
    QCOMPARE(found("a=b; rs_session=" + v + "; c=d").value, v);
    QCOMPARE(found("rs_session=\"" + v + "\"").kind, CookieLookup::Found);
    QCOMPARE(found("").kind, CookieLookup::Absent);
    QCOMPARE(found("other=1; junk; =x").kind, CookieLookup::Absent);  // somebody else's odd cookies
    QCOMPARE(found("rs_sessionx=" + v).kind, CookieLookup::Absent);
    for (const QByteArray &bad : {QByteArray("rs_session="), QByteArray("rs_session=short"), QByteArray("rs_session=" + QByteArray(44, 'A')),
                                  QByteArray("rs_session=" + QByteArray(42, 'A') + "+"), QByteArray("rs_session"),
                                  QByteArray("rs_session=" + v + "; rs_session=" + v), QByteArray("rs_session=" + QByteArray(42, 'A') + "\xff")})
      QVERIFY2(found(bad).kind == CookieLookup::Malformed, bad.constData());
    const QByteArray set = sessionSetCookie(v, 3600, false);
    QVERIFY(set.contains("HttpOnly") && set.contains("SameSite=Strict") && set.contains("Path=/") && set.contains("Max-Age=3600"));
    QVERIFY(!set.contains("Secure"));
    QVERIFY(sessionSetCookie(v, 3600, true).contains("; Secure"));
    QVERIFY(clearSessionCookie(false).contains("Max-Age=0"));
  }

  // First start: an admin with a generated password in a 0600 file; the local token
  // stays valid, and comes back after it was revoked.
  void firstRunAndLocalToken() {
    QTemporaryDir data;
    auto s = AccountStore::open(AccountStore::defaultPath(data.path()), fastOptions(), true);
    QVERIFY(s.isOk());
    bool created = false;
    QVERIFY(ensureFirstAdmin(**s, data.path(), &created).isOk());
    QVERIFY(created);
    const QString pwFile = adminPasswordPath(data.path());
    const QString password = QString::fromUtf8(fileBytes(pwFile)).trimmed();
    QCOMPARE(password.size(), 24);
    QCOMPARE(QFile(pwFile).permissions() & (QFileDevice::ReadGroup | QFileDevice::ReadOther), QFileDevice::Permissions());
    QCOMPARE(QFile(AccountStore::defaultPath(data.path())).permissions() & (QFileDevice::ReadGroup | QFileDevice::ReadOther),
             QFileDevice::Permissions());
    QVERIFY((*s)->authenticate(u"admin"_s, password).isOk());
    QVERIFY(ensureFirstAdmin(**s, data.path(), &created).isOk());
    QVERIFY(!created);  // an admin exists: nothing new
    forgetGeneratedPassword(data.path(), u"admin"_s);
    QVERIFY(!QFile::exists(pwFile));

    QVERIFY(ensureLocalToken(**s, data.path()).isOk());
    const QByteArray token = *readLocalToken(data.path());
    QVERIFY((*s)->tokenPrincipal(token).isOk());
    QVERIFY(ensureLocalToken(**s, data.path()).isOk());
    QCOMPARE(*readLocalToken(data.path()), token);  // kept while valid
    QVERIFY((*s)->revokeToken((*s)->tokenPrincipal(token)->id).isOk());
    QVERIFY(ensureLocalToken(**s, data.path()).isOk());
    QVERIFY(*readLocalToken(data.path()) != token);
    QVERIFY((*s)->tokenPrincipal(*readLocalToken(data.path())).isOk());
    // The offline commands never create a database beside the real one.
    QCOMPARE(AccountStore::open(data.filePath(u"elsewhere/accounts.db"_s), fastOptions(), false).status().code(), ErrorCode::NotFound);
  }
};

QTEST_GUILESS_MAIN(TestIdentity)
#include "tst_identity.moc"
