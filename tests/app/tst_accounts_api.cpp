// Accounts through a real stack (`platform --role=control,api` on loopback): the first
// admin, login and logout with the cookie's flags, CSRF, session expiry, API tokens
// created, used and revoked, login throttling under 1,000 wrong passwords (and the
// real user still getting in), the audit trail, `platform user|token` on the running
// stack, the playback token's renewal, and hostile credentials that harm nothing.

#include "support/credentials.h"
#include "support/rawhttp.h"
#include "support/stack.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <thread>

using namespace Qt::StringLiterals;
using namespace rs::test;

namespace {

QJsonObject json(const HttpResponse &r) { return QJsonDocument::fromJson(r.body).object(); }
QString errorCode(const HttpResponse &r) { return json(r).value(u"error"_s).toObject().value(u"code"_s).toString(); }
QString errorMessage(const HttpResponse &r) { return json(r).value(u"error"_s).toObject().value(u"message"_s).toString(); }
QByteArray describe(const HttpResponse &r) { return "HTTP " + QByteArray::number(r.status) + ' ' + r.body.left(300); }

QByteArray loginBody(const QString &user, const QString &password) {
  return QJsonDocument(QJsonObject{{u"username"_s, user}, {u"password"_s, password}}).toJson(QJsonDocument::Compact);
}

// The rs_session value out of a Set-Cookie line, or empty.
QByteArray cookieValue(const HttpResponse &r) {
  const QByteArray set = r.header("set-cookie");
  if (!set.startsWith("rs_session=")) return {};
  return set.mid(11, set.indexOf(';') - 11);
}

bool writeFile(const QString &path, const QByteArray &data) {
  QFile f(path);
  return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(data) == data.size();
}

}  // namespace

class TestAccountsApi : public QObject {
  Q_OBJECT

  QTemporaryDir tmp_;
  std::unique_ptr<Platform> p_;
  quint16 api_ = 0;
  QByteArrayList secrets_;  // every cookie and token seen: none may reach the log

  // Like a browser: the cookie, and the CSRF header on changes.
  HttpResponse asBrowser(const QByteArray &method, const QByteArray &path, const QByteArray &cookie, const QByteArray &body = {},
                         HeaderList extra = {}) {
    extra.append(kAnonymous);
    if (!cookie.isEmpty()) extra.append({QByteArray("Cookie"), QByteArray("rs_session=" + cookie)});
    if (method != "GET") extra.append({QByteArray("X-ReelStack-CSRF"), QByteArray("1")});
    if (!body.isEmpty()) extra.append({QByteArray("Content-Type"), QByteArray("application/json")});
    return request(api_, method, path, extra, body);
  }
  HttpResponse login(const QString &user, const QString &password, const char *from = nullptr) {
    const HttpResponse r = request(api_, "POST", "/api/v1/session",
                                   {kAnonymous, {"X-ReelStack-CSRF", "1"}, {"Content-Type", "application/json"}},
                                   loginBody(user, password), {.source = from});
    if (!cookieValue(r).isEmpty()) secrets_ << cookieValue(r);
    return r;
  }
  HttpResponse withToken(const QByteArray &method, const QByteArray &path, const QByteArray &token, const QByteArray &body = {}) {
    HeaderList h{{QByteArray("Authorization"), QByteArray("Bearer " + token)}};
    if (!body.isEmpty()) h.append({QByteArray("Content-Type"), QByteArray("application/json")});
    return request(api_, method, path, h, body);
  }
  QString adminPassword() const {
    QFile f(p_->dataDir() + u"/run/admin-password"_s);
    return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()).trimmed() : QString();
  }
  int cli(const QStringList &args, QByteArray *out = nullptr, QByteArray *err = nullptr) {
    return run(platformBin(), args + QStringList{u"--data-dir"_s, p_->dataDir()}, out, err);
  }
  QJsonArray audit() { return json(request(api_, "GET", "/api/v1/audit?limit=1000")).value(u"entries"_s).toArray(); }
  bool audited(const QString &action, const QString &target, bool ok) {
    for (const QJsonValue &v : audit()) {
      const QJsonObject e = v.toObject();
      if (e.value(u"action"_s).toString() == action && e.value(u"target"_s).toString() == target && e.value(u"ok"_s).toBool() == ok)
        return true;
    }
    return false;
  }

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(tmp_.isValid());
    p_ = std::make_unique<Platform>(tmp_.filePath(u"stack"_s));
    p_->captureLog();
    QString err;
    // Cheap scrypt and a 2 s backoff cap keep the test short; the defaults are tested
    // for what they are in tst_identity.
    QVERIFY2(p_->start({u"--role=control,api"_s, u"--scrypt-n=1024"_s, u"--login-backoff-max=2"_s}, &err), qPrintable(err));
    p_->authorizeAll();
    api_ = quint16(p_->url(u"api"_s).port());
  }
  void cleanupTestCase() {
    // No secret reached the log: the generated password, the local token, and every
    // cookie and token this test was given.
    const QByteArray log = p_->log().toUtf8();
    secrets_ << p_->adminAuth().mid(7) << adminPassword().toUtf8();
    for (const QByteArray &secret : secrets_) QVERIFY2(!secret.isEmpty() && !log.contains(secret), secret.left(8).constData());
    p_.reset();
  }

  void firstStartMadeAnAdmin() {
    const QString pw = adminPassword();
    QCOMPARE(pw.size(), 24);
    QVERIFY2(p_->log().contains(u"first start: created the account 'admin'"_s), qPrintable(p_->log()));
    QVERIFY2(!p_->log().contains(pw), "the generated password is in the log");
    QCOMPARE(QFile(p_->dataDir() + u"/run/admin-password"_s).permissions() & (QFileDevice::ReadGroup | QFileDevice::ReadOther),
             QFileDevice::Permissions());
  }

  void loginCookieAndLogout() {
    // Unauthenticated: 401 with the JSON error.
    HttpResponse r = asBrowser("GET", "/api/v1/session", {});
    QCOMPARE(r.status, 401);
    QCOMPARE(errorCode(r), u"unauthorized"_s);

    r = login(u"admin"_s, adminPassword());
    QVERIFY2(r.status == 200, describe(r).constData());
    QCOMPARE(json(r).value(u"user"_s).toObject().value(u"name"_s).toString(), u"admin"_s);
    QCOMPARE(json(r).value(u"user"_s).toObject().value(u"role"_s).toString(), u"admin"_s);
    const QByteArray set = r.header("set-cookie");
    for (const char *flag : {"HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=604800"}) QVERIFY2(set.contains(flag), set.constData());
    QVERIFY2(!set.contains("Secure"), "plain HTTP listener: no Secure flag");
    QCOMPARE(r.header("cache-control"), QByteArray("no-store"));
    const QByteArray cookie = cookieValue(r);
    QCOMPARE(cookie.size(), 43);
    QVERIFY(!r.body.contains(cookie));

    r = asBrowser("GET", "/api/v1/session", cookie);
    QCOMPARE(r.status, 200);
    QCOMPARE(json(r).value(u"via"_s).toString(), u"session"_s);
    QCOMPARE(asBrowser("GET", "/api/v1/users", cookie).status, 200);

    // A new id at every login; the one the browser held is ended (no fixation).
    r = request(api_, "POST", "/api/v1/session",
                {kAnonymous, {"X-ReelStack-CSRF", "1"}, {"Cookie", "rs_session=" + cookie}, {"Content-Type", "application/json"}},
                loginBody(u"admin"_s, adminPassword()));
    QCOMPARE(r.status, 200);
    const QByteArray second = cookieValue(r);
    QVERIFY(second != cookie && second.size() == 43);
    QCOMPARE(asBrowser("GET", "/api/v1/session", cookie).status, 401);

    // Logout revokes server-side: the cookie no longer works anywhere.
    r = asBrowser("DELETE", "/api/v1/session", second);
    QCOMPARE(r.status, 204);
    QVERIFY(r.header("set-cookie").contains("Max-Age=0"));
    QCOMPARE(asBrowser("GET", "/api/v1/session", second).status, 401);
    QCOMPARE(asBrowser("GET", "/api/v1/titles", second).status, 401);
    QVERIFY(audited(u"login"_s, u"admin"_s, true));
    QVERIFY(audited(u"logout"_s, u"admin"_s, true));
  }

  // SameSite=Strict plus a required header: cookie-authenticated changes (and the
  // login itself) without X-ReelStack-CSRF, or from another origin, are refused.
  void csrfIsRefused() {
    QByteArray cookie = cookieValue(login(u"admin"_s, adminPassword()));
    QVERIFY(!cookie.isEmpty());
    HttpResponse r = request(api_, "POST", "/api/v1/tokens",
                             {kAnonymous, {"Cookie", "rs_session=" + cookie}, {"Content-Type", "application/json"}},
                             R"({"name":"csrf","role":"admin"})");
    QCOMPARE(r.status, 403);
    QVERIFY2(errorMessage(r).contains(u"X-ReelStack-CSRF"_s), describe(r).constData());
    r = asBrowser("POST", "/api/v1/tokens", cookie, R"({"name":"csrf","role":"admin"})", {{"Origin", "http://evil.example"}});
    QCOMPARE(r.status, 403);
    r = asBrowser("POST", "/api/v1/tokens", cookie, R"({"name":"csrf","role":"admin"})", {{"Sec-Fetch-Site", "cross-site"}});
    QCOMPARE(r.status, 403);
    r = request(api_, "POST", "/api/v1/session", {kAnonymous, {"Content-Type", "application/json"}}, loginBody(u"admin"_s, adminPassword()));
    QCOMPARE(r.status, 403);
    // Same origin with the header: allowed. GETs need no header.
    const QByteArray here = "127.0.0.1:" + QByteArray::number(api_);
    r = request(api_, "POST", "/api/v1/tokens",
                {kAnonymous, {"Cookie", "rs_session=" + cookie}, {"X-ReelStack-CSRF", "1"}, {"Origin", "http://" + here},
                 {"Content-Type", "application/json"}},
                R"({"name":"same origin","role":"viewer"})", {.host = here});
    QVERIFY2(r.status == 201, describe(r).constData());
    secrets_ << json(r).value(u"token"_s).toString().toLatin1();
    // Bearer tokens are not ambient credentials: no header needed.
    QCOMPARE(withToken("POST", "/api/v1/tokens", p_->adminAuth().mid(7), R"({"name":"script","role":"viewer"})").status, 201);
  }

  void apiTokensCreateUseRevoke() {
    HttpResponse r = request(api_, "POST", "/api/v1/tokens", {{"Content-Type", "application/json"}},
                             R"({"name":"ci viewer","role":"viewer","expiresInSeconds":3600})");
    QVERIFY2(r.status == 201, describe(r).constData());
    const QJsonObject created = json(r);
    const QByteArray token = created.value(u"token"_s).toString().toLatin1();
    const QString id = created.value(u"id"_s).toString();
    secrets_ << token;
    QVERIFY(token.startsWith("rst_"));
    QVERIFY(!created.value(u"expiresAt"_s).toString().isEmpty());
    QCOMPARE(created.value(u"createdBy"_s).toString(), u"token:local (this machine's desktop window and CLI)"_s);
    // Listed without the secret.
    r = request(api_, "GET", "/api/v1/tokens");
    QVERIFY(r.body.contains(id.toLatin1()) && !r.body.contains(token));
    // Used: a viewer browses, may not administer.
    r = withToken("GET", "/api/v1/session", token);
    QCOMPARE(json(r).value(u"user"_s).toObject().value(u"role"_s).toString(), u"viewer"_s);
    QCOMPARE(json(r).value(u"via"_s).toString(), u"token"_s);
    QCOMPARE(withToken("GET", "/api/v1/titles", token).status, 200);
    for (const auto &[m, path] : std::vector<std::pair<QByteArray, QByteArray>>{
             {"GET", "/api/v1/users"}, {"GET", "/api/v1/tokens"}, {"POST", "/api/v1/tokens"}, {"GET", "/api/v1/audit"},
             {"GET", "/api/v1/status"}, {"DELETE", "/api/v1/titles/t_x"}, {"PATCH", "/api/v1/titles/t_x"}}) {
      r = withToken(m, path, token, m == "POST" || m == "PATCH" ? QByteArray("{}") : QByteArray());
      QVERIFY2(r.status == 403 && errorCode(r) == u"forbidden"_s, QByteArray(m + ' ' + path + " → " + describe(r)).constData());
    }
    // Logout is not how tokens end.
    QCOMPARE(withToken("DELETE", "/api/v1/session", token).status, 400);
    // Revoked: refused at once.
    QCOMPARE(request(api_, "DELETE", "/api/v1/tokens/" + id.toLatin1()).status, 204);
    r = withToken("GET", "/api/v1/titles", token);
    QCOMPARE(r.status, 401);
    QVERIFY(audited(u"token_created"_s, id, true));
    QVERIFY(audited(u"token_revoked"_s, id, true));
    // Bad requests: clear 400s.
    QCOMPARE(request(api_, "POST", "/api/v1/tokens", {{"Content-Type", "application/json"}}, R"({"name":"x","role":"root"})").status, 400);
    QCOMPARE(request(api_, "POST", "/api/v1/tokens", {{"Content-Type", "application/json"}}, R"({"name":"x","expiresInSeconds":"soon"})").status,
             400);
    QCOMPARE(request(api_, "POST", "/api/v1/tokens", {{"Content-Type", "application/json"}}, R"({"nam":"typo"})").status, 400);
    QCOMPARE(request(api_, "DELETE", "/api/v1/tokens/tk_nope").status, 404);
  }

  void usersThroughTheApi() {
    HttpResponse r = request(api_, "POST", "/api/v1/users", {{"Content-Type", "application/json"}},
                             R"({"name":"Vera","role":"viewer","password":"veras password"})");
    QVERIFY2(r.status == 201, describe(r).constData());
    QCOMPARE(json(r).value(u"name"_s).toString(), u"vera"_s);
    r = request(api_, "POST", "/api/v1/users", {{"Content-Type", "application/json"}},
                R"({"name":"vera2","role":"viewer","password":"short"})");
    QCOMPARE(r.status, 400);
    QVERIFY2(errorMessage(r).contains(u"at least 10"_s), describe(r).constData());
    QVERIFY(!r.body.contains("short\""));
    r = request(api_, "POST", "/api/v1/users", {{"Content-Type", "application/json"}},
                QString::fromUtf8(R"({"name":"ve\u202era","role":"viewer","password":"a long password"})").toUtf8());
    QCOMPARE(r.status, 400);
    const QByteArray cookie = cookieValue(login(u"VERA"_s, u"veras password"_s));
    QVERIFY(!cookie.isEmpty());
    QCOMPARE(asBrowser("GET", "/api/v1/users", cookie).status, 403);
    // An admin resets the password: the old one stops working, her session ends.
    r = request(api_, "PATCH", "/api/v1/users/vera", {{"Content-Type", "application/json"}}, R"({"password":"brand new password"})");
    QCOMPARE(r.status, 200);
    QCOMPARE(asBrowser("GET", "/api/v1/session", cookie).status, 401);
    QCOMPARE(login(u"vera"_s, u"veras password"_s).status, 401);
    QCOMPARE(login(u"vera"_s, u"brand new password"_s).status, 200);
    r = request(api_, "PATCH", "/api/v1/users/vera", {{"Content-Type", "application/json"}}, R"({"role":"admin"})");
    QCOMPARE(json(r).value(u"role"_s).toString(), u"admin"_s);
    QCOMPARE(request(api_, "DELETE", "/api/v1/users/vera").status, 204);
    QCOMPARE(login(u"vera"_s, u"brand new password"_s).status, 401);
    QCOMPARE(request(api_, "DELETE", "/api/v1/users/admin").status, 409);  // the last admin stays
    QVERIFY(audited(u"user_added"_s, u"Vera"_s, true));
    QVERIFY(audited(u"user_password"_s, u"vera"_s, true));
    QVERIFY(audited(u"user_removed"_s, u"vera"_s, true));
  }

  // `platform user|token` on the data directory of the running stack.
  void offlineCommandsOnARunningStack() {
    const QString pwFile = tmp_.filePath(u"carol.pw"_s);
    QVERIFY(writeFile(pwFile, "carols password\n"));
    QByteArray out, err;
    QCOMPARE(cli({u"user"_s, u"add"_s, u"carol"_s, u"--role"_s, u"viewer"_s, u"--password-file"_s, pwFile}, &out, &err), 0);
    QCOMPARE(login(u"carol"_s, u"carols password"_s).status, 200);
    QVERIFY(cli({u"user"_s, u"list"_s}, &out) == 0 && out.contains("carol") && out.contains("viewer") && out.contains("admin"));
    QVERIFY(writeFile(pwFile, "carols new password\n"));
    QCOMPARE(cli({u"user"_s, u"passwd"_s, u"carol"_s, u"--password-file"_s, pwFile}), 0);
    QCOMPARE(login(u"carol"_s, u"carols password"_s).status, 401);
    QCOMPARE(login(u"carol"_s, u"carols new password"_s).status, 200);
    // The token alone on stdout, usable at once.
    QCOMPARE(cli({u"token"_s, u"create"_s, u"--name"_s, u"deploy"_s, u"--role"_s, u"admin"_s}, &out, &err), 0);
    const QByteArray token = out.trimmed();
    secrets_ << token;
    QVERIFY2(token.startsWith("rst_") && !token.contains('\n') && out.count('\n') == 1, out.constData());
    QVERIFY(!err.contains(token));
    QCOMPARE(withToken("GET", "/api/v1/users", token).status, 200);
    QVERIFY(cli({u"token"_s, u"list"_s}, &out) == 0 && out.contains("deploy") && !out.contains(token));
    // A wrong data directory is said clearly, and nothing is created there.
    QTemporaryDir wrong;
    QCOMPARE(run(platformBin(), {u"user"_s, u"list"_s, u"--data-dir"_s, wrong.path()}, &out, &err), 1);
    QVERIFY2(err.contains("is that the stack's --data-dir"), err.constData());
    QVERIFY(QDir(wrong.path()).isEmpty());
    QCOMPARE(cli({u"user"_s, u"add"_s, u"x y"_s, u"--password-file"_s, pwFile}, &out, &err), 1);
    QVERIFY2(err.contains("user name may hold only"), err.constData());
    QCOMPARE(cli({u"user"_s, u"frobnicate"_s}), 2);
    QCOMPARE(cli({u"token"_s, u"create"_s}), 2);  // --name is required
    QVERIFY(audited(u"user_added"_s, u"carol"_s, true));
  }

  // 1,000 wrong passwords in a row from one address: after a few, 429 with
  // Retry-After and no scrypt spent; the stack keeps serving; the real user, from her
  // own address, gets in after at most the account's backoff.
  void throttlingUnderAThousandGuesses() {
    const QString pwFile = tmp_.filePath(u"dan.pw"_s);
    QVERIFY(writeFile(pwFile, "dans real password\n"));
    QCOMPARE(cli({u"user"_s, u"add"_s, u"dan"_s, u"--password-file"_s, pwFile}), 0);
    std::atomic<bool> stop{false};
    std::atomic<int> healthBad{0};
    std::thread health([&] {
      while (!stop) {
        if (request(api_, "GET", "/healthz").status != 200) ++healthBad;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    });
    int unauthorized = 0, throttled = 0, other = 0;
    QByteArray retryAfter;
    QElapsedTimer t;
    t.start();
    for (int i = 0; i < 1000; ++i) {
      const HttpResponse r = login(u"dan"_s, u"guess %1"_s.arg(i));
      if (r.status == 401) ++unauthorized;
      else if (r.status == 429) {
        ++throttled;
        retryAfter = r.header("retry-after");
        QCOMPARE(errorCode(r), u"too_many_requests"_s);
      } else ++other;
    }
    const qint64 ms = t.elapsed();
    stop = true;
    health.join();
    qInfo("1000 wrong logins in %lld ms: %d refused as wrong, %d throttled (429)", ms, unauthorized, throttled);
    QCOMPARE(other, 0);
    QVERIFY2(unauthorized >= 5 && unauthorized < 50, qPrintable(QString::number(unauthorized)));
    QVERIFY(throttled > 900);
    QVERIFY2(retryAfter.toInt() >= 1 && retryAfter.toInt() <= 2, retryAfter.constData());
    QCOMPARE(healthBad.load(), 0);
    // Dan, from his own address: in, within the account's (capped) backoff.
    QElapsedTimer wait;
    wait.start();
    HttpResponse r = login(u"dan"_s, u"dans real password"_s, "127.0.0.2");
    while (r.status == 429 && wait.elapsed() < 5000) {
      QTest::qWait(int(r.header("retry-after").toInt() * 1000));
      r = login(u"dan"_s, u"dans real password"_s, "127.0.0.2");
    }
    QVERIFY2(r.status == 200, describe(r).constData());
    qInfo("the real user got in after %lld ms", wait.elapsed());
    // The attacker's address itself is never locked out for good: once the (capped)
    // backoff passes, a right password from there works again.
    QTest::qWait(2100);
    QCOMPARE(login(u"admin"_s, adminPassword()).status, 200);
    QVERIFY(audited(u"login_failed"_s, u"dan"_s, false));
  }

  // Hostile credentials: the right status with the JSON error, nothing crashes, and
  // the real user can still sign in afterwards.
  void hostileCredentialsHarmNothing() {
    const QByteArray value(43, 'A');
    const QList<HeaderList> cookies = {
        {{"Cookie", "rs_session="}},
        {{"Cookie", "rs_session=" + QByteArray(42, 'A') + "!"}},
        {{"Cookie", "rs_session=" + value + "; rs_session=" + value}},
        {{"Cookie", "rs_session=" + value}},  // well-formed, unknown
        {{"Cookie", QByteArray(5000, 'x')}},
        {{"Cookie", "rs_session=" + QByteArray(4090, 'A')}},
        {{"Authorization", "Bearer rst_" + QByteArray(43, 'B')}},
        {{"Authorization", "Bearer rst_\xff\xfe"}},
        {{"Authorization", "Bearer " + QByteArray(6000, 'C')}},
        {{"Authorization", "Token abc"}},
        {{"Authorization", "Bearer p1.x.y.z.w"}},
    };
    for (const HeaderList &h : cookies) {
      const bool bearer = h.first().first == "Authorization";
      const HttpResponse r = request(api_, "GET", "/api/v1/titles", bearer ? h : h + HeaderList{kAnonymous});
      QVERIFY2(r.status == 401 && errorCode(r) == u"unauthorized"_s, QByteArray(h.first().second.left(60) + " → " + describe(r)).constData());
    }
    // Bodies that are not logins.
    for (const QByteArray &body : {QByteArray("not json"), QByteArray("[]"), QByteArray(R"({"username":1,"password":2})"),
                                   QByteArray(R"({"username":"admin"})"), QByteArray(R"({"username":"admin","password":"x","extra":1})")}) {
      const HttpResponse r =
          request(api_, "POST", "/api/v1/session", {kAnonymous, {"X-ReelStack-CSRF", "1"}, {"Content-Type", "application/json"}}, body,
                  {.source = "127.0.0.3"});
      QVERIFY2(r.status == 400, QByteArray(body + " → " + describe(r)).constData());
    }
    HttpResponse big = request(api_, "POST", "/api/v1/session", {kAnonymous, {"X-ReelStack-CSRF", "1"}}, QByteArray(100000, 'x'),
                               {.source = "127.0.0.3"});
    QCOMPARE(big.status, 413);
    // A user name in odd Unicode is just a wrong login, not an error of ours.
    HttpResponse odd = request(api_, "POST", "/api/v1/session", {kAnonymous, {"X-ReelStack-CSRF", "1"}, {"Content-Type", "application/json"}},
                               QString::fromUtf8(R"({"username":"ad\u202emin\u200b","password":"whatever it is"})").toUtf8(),
                               {.source = "127.0.0.3"});
    QCOMPARE(odd.status, 401);
    QCOMPARE(login(u"admin"_s, adminPassword(), "127.0.0.4").status, 200);
    QCOMPARE(request(api_, "GET", "/healthz").status, 200);
  }

  // Session expiry with a short idle limit, on a stack of its own.
  void sessionsExpireWhenIdle() {
    Platform q(tmp_.filePath(u"idle"_s));
    QString err;
    QVERIFY2(q.start({u"--role=api"_s, u"--scrypt-n=1024"_s, u"--session-idle=2"_s, u"--session-max=4"_s}, &err), qPrintable(err));
    const quint16 port = quint16(q.url(u"api"_s).port());
    QFile f(q.dataDir() + u"/run/admin-password"_s);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray pw = f.readAll().trimmed();
    auto loginHere = [&] {
      return cookieValue(request(port, "POST", "/api/v1/session", {kAnonymous, {"X-ReelStack-CSRF", "1"}, {"Content-Type", "application/json"}},
                                 loginBody(u"admin"_s, QString::fromUtf8(pw))));
    };
    auto who = [&](const QByteArray &c) { return request(port, "GET", "/api/v1/session", {kAnonymous, {"Cookie", "rs_session=" + c}}).status; };
    const QByteArray idle = loginHere(), busy = loginHere();
    QCOMPARE(who(idle), 200);
    for (int i = 0; i < 5; ++i) {  // 2.5 s: busy stays in, idle goes
      QTest::qWait(500);
      QCOMPARE(who(busy), 200);
    }
    QCOMPARE(who(idle), 401);
    QTest::qWait(2000);  // past the absolute limit, used or not
    QCOMPARE(who(busy), 401);
  }
};

QTEST_GUILESS_MAIN(TestAccountsApi)
#include "tst_accounts_api.moc"
