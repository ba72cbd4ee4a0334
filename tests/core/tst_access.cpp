// Who may call a route, at the HTTP layer: a listener with a route that did not say
// refuses to start; the Authenticator decides before the body is read; 401 carries
// WWW-Authenticate and the JSON error, 403 the JSON error; ListenerAuth takes service
// tokens everywhere, account credentials only where a verifier is plugged in, and
// refuses malformed and oversized credentials; the route table lists every rule.

#include "core/auth/clusterkeys.h"
#include "core/auth/listenerauth.h"
#include "core/auth/playbacktoken.h"
#include "core/auth/servicetoken.h"
#include "core/log/log.h"
#include "support/rawhttp.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>

using namespace rs;
using namespace rs::http;
using namespace rs::test;
using namespace Qt::StringLiterals;

namespace {

// Accounts for the test: "Bearer viewer-ok" / "Bearer admin-ok", anything else refused.
class FakeAccounts final : public auth::UserVerifier {
 public:
  std::optional<Result<Principal>> verify(const Request &req) const override {
    const QByteArray a = req.header("Authorization");
    if (a.isNull()) return std::nullopt;
    Principal p;
    p.kind = Principal::Kind::ApiToken;
    if (a == "Bearer viewer-ok") p.authority = Principal::Authority::Viewer;
    else if (a == "Bearer admin-ok") p.authority = Principal::Authority::Admin;
    else return Result<Principal>(Status(ErrorCode::Unauthorized, u"unknown test token"_s));
    p.name = u"tester"_s;
    return Result<Principal>(p);
  }
};

QJsonObject json(const HttpResponse &r) { return QJsonDocument::fromJson(r.body).object(); }
QString errorCode(const HttpResponse &r) { return json(r).value(u"error"_s).toObject().value(u"code"_s).toString(); }

}  // namespace

class TestAccess : public QObject {
  Q_OBJECT

  QTemporaryDir dir_;
  std::unique_ptr<auth::ClusterKeys> keys_;
  std::unique_ptr<ServerHost> withAccounts_, serviceOnly_;
  std::atomic<int> uploadsRead_{0};

  std::shared_ptr<Router> routes() {
    auto r = std::make_shared<Router>();
    r->get(u"/open"_s, Access::Public, [](Request &req) { return Response::text(200, req.principal.isAnonymous() ? "anon" : "known"); });
    r->get(u"/viewer"_s, Access::Viewer, [](Request &req) { return Response::text(200, authorityName(req.principal.authority)); });
    r->get(u"/admin"_s, Access::Admin, [](Request &) { return Response::text(200, "admin"); });
    r->get(u"/service"_s, Access::Service, [](Request &req) { return Response::text(200, req.principal.name.toUtf8()); });
    r->post(u"/upload"_s, {Access::Admin, 64 << 20}, [this](Request &req) {
      ++uploadsRead_;
      return Response::text(200, QByteArray::number(req.body.size()));
    });
    auto gate = std::make_shared<auth::MediaGate>(*keys_, true);
    gate->setPublicTitles({u"t_public"_s});
    media_ = gate;
    r->get(u"/media/{*path}"_s, Access::Media, [](Request &req) { return Response::text(200, req.principal.id.toUtf8()); });
    r->get(u"/m/{token}/{*path}"_s, Access::Media, [](Request &req) { return Response::text(200, req.principal.title.toUtf8()); });
    return r;
  }
  std::shared_ptr<const auth::MediaGate> media_;

  std::unique_ptr<ServerHost> host(bool accounts, log::AccessLog *accessLog = nullptr) {
    auto router = routes();
    auto a = std::make_shared<auth::ListenerAuth>(*keys_);
    if (accounts) a->setUserVerifier(std::make_shared<FakeAccounts>());
    a->setMediaGate(media_);
    ServerOptions o;
    o.workers = 1;
    o.authenticator = a;
    o.accessLog = accessLog;
    return std::make_unique<ServerHost>(o, router);
  }

  QByteArray service() const {
    return "Bearer " + auth::mintServiceToken(*keys_->current(), u"edge"_s, u"p1"_s, 300, auth::nowSeconds());
  }
  HttpResponse get(quint16 port, const QByteArray &path, const QByteArray &authorization = {}, HeaderList extra = {}) {
    extra.append({"Authorization", authorization});
    return request(port, "GET", path, extra);
  }

 private Q_SLOTS:
  void initTestCase() {
    const QString path = dir_.filePath(u"cluster.key"_s);
    QVERIFY(auth::ensureKeyFile(path).isOk());
    keys_ = std::make_unique<auth::ClusterKeys>(path);
    QVERIFY(keys_->load().isOk());
    withAccounts_ = host(true);
    serviceOnly_ = host(false);
    QVERIFY2(withAccounts_->ok(), qPrintable(withAccounts_->error()));
    QVERIFY2(serviceOnly_->ok(), qPrintable(serviceOnly_->error()));
  }
  void cleanupTestCase() {
    withAccounts_.reset();
    serviceOnly_.reset();
  }

  // A route that never said who may call it would be open by accident: the listener
  // does not start, and says which route.
  void undeclaredRouteRefusesToStart() {
    auto r = std::make_shared<Router>();
    r->get(u"/fine"_s, Access::Public, [](Request &) { return Response::noContent(); });
    r->add("DELETE", u"/forgotten/{id}"_s, RouteOptions{}, [](Request &) { return Response::noContent(); });
    ServerOptions o;
    o.workers = 1;
    ServerHost h(o, r);
    QVERIFY(!h.ok());
    QVERIFY2(h.error().contains(u"DELETE /forgotten/{id}"_s), qPrintable(h.error()));
    QCOMPARE(r->undeclared(), QStringList{u"DELETE /forgotten/{id}"_s});
    const auto table = r->routes();
    QCOMPARE(table.size(), size_t(2));
    QCOMPARE(table[0].access, Access::Public);
    QCOMPARE(table[1].access, Access::Undeclared);
  }

  void statusesAndBodies() {
    const quint16 p = withAccounts_->port();
    HttpResponse r = get(p, "/open");
    QCOMPARE(r.status, 200);
    QCOMPARE(r.body, QByteArray("anon"));
    r = get(p, "/viewer");
    QCOMPARE(r.status, 401);
    QCOMPARE(errorCode(r), u"unauthorized"_s);
    QCOMPARE(r.header("www-authenticate"), QByteArray("Bearer realm=\"reelstack\""));
    QVERIFY(r.header("content-type").startsWith("application/json"));
    QCOMPARE(get(p, "/viewer", "Bearer viewer-ok").body, QByteArray("viewer"));
    QCOMPARE(get(p, "/viewer", "Bearer admin-ok").body, QByteArray("admin"));  // admins may browse
    r = get(p, "/admin", "Bearer viewer-ok");
    QCOMPARE(r.status, 403);
    QCOMPARE(errorCode(r), u"forbidden"_s);
    QVERIFY(r.header("www-authenticate").isEmpty());
    QCOMPARE(get(p, "/admin", "Bearer admin-ok").status, 200);
    // People and machines hold different powers: an admin is not a service, nor the reverse.
    QCOMPARE(get(p, "/service", "Bearer admin-ok").status, 403);
    QCOMPARE(get(p, "/admin", service()).status, 403);
    r = get(p, "/service", service());
    QCOMPARE(r.status, 200);
    QCOMPARE(r.body, QByteArray("edge"));
    QCOMPARE(get(p, "/viewer", "Bearer bogus").status, 401);
  }

  // Credentials that are not credentials: the right status, no crash, the listener
  // keeps serving.
  void malformedAndOversizedCredentials() {
    for (const quint16 p : {withAccounts_->port(), serviceOnly_->port()}) {
      for (const QByteArray &a : {QByteArray("Basic dXNlcjpwYXNz"), QByteArray("Bearer"), QByteArray("Bearer "), QByteArray("bearer x"),
                                  QByteArray("Bearer rss1.bad"), QByteArray(QByteArray("Bearer ") + QByteArray(5000, 'A')),
                                  QByteArray(QByteArray("Bearer rss1.") + QByteArray(3000, 'a'))}) {
        const HttpResponse r = get(p, "/service", a);
        QVERIFY2(r.status == 401, qPrintable(QString::fromLatin1(a.left(40)) + u" → "_s + QString::number(r.status)));
        QCOMPARE(errorCode(r), u"unauthorized"_s);
      }
      QCOMPARE(get(p, "/viewer", {}, {{"Cookie", QByteArray(5000, 'c')}}).status, 401);
      QCOMPARE(get(p, "/open").status, 200);
    }
    // A listener without accounts says where accounts go.
    const HttpResponse r = get(serviceOnly_->port(), "/viewer", "Bearer viewer-ok");
    QCOMPARE(r.status, 401);
    QVERIFY2(QString::fromUtf8(r.body).contains(u"service credentials only"_s), r.body.constData());
  }

  // Refused before the body: a 20 MB anonymous upload costs the server its head only.
  void refusedBeforeTheBodyIsRead() {
    const quint16 p = withAccounts_->port();
    Client c(p);
    QVERIFY(c.connected());
    c.send("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 20000000\r\n\r\n" + QByteArray(1000, 'x'));
    auto r = c.readResponse(false, 5000);
    QVERIFY(r);
    QCOMPARE(r->status, 401);
    QCOMPARE(uploadsRead_.load(), 0);
    QCOMPARE(request(p, "POST", "/upload", {{"Authorization", "Bearer admin-ok"}}, QByteArray(1000, 'x')).body, QByteArray("1000"));
    QCOMPARE(uploadsRead_.load(), 1);
  }

  // Media: a playback token for the title, a service, or a public title.
  void mediaGate() {
    const quint16 p = serviceOnly_->port();
    const qint64 now = auth::nowSeconds();
    const QByteArray token = auth::mintPlaybackToken(*keys_->current(), u"t_a"_s, u"s1"_s, now + 60, now);
    HttpResponse r = get(p, "/m/" + token + "/t_a/seg-1.m4s");
    QCOMPARE(r.status, 200);
    QCOMPARE(r.body, QByteArray("t_a"));
    r = get(p, "/m/" + token + "/t_b/seg-1.m4s");  // another title's path
    QCOMPARE(r.status, 403);
    QCOMPARE(errorCode(r), u"forbidden"_s);
    QByteArray tampered = token;
    tampered.back() = tampered.back() == 'A' ? 'B' : 'A';
    QCOMPARE(get(p, "/m/" + tampered + "/t_a/seg-1.m4s").status, 403);
    const QByteArray old = auth::mintPlaybackToken(*keys_->current(), u"t_a"_s, u"s1"_s, now - 60, now - 120);
    r = get(p, "/m/" + old + "/t_a/seg-1.m4s");
    QCOMPARE(r.status, 403);
    QVERIFY2(QString::fromUtf8(r.body).contains(u"expired"_s), r.body.constData());
    QCOMPARE(get(p, "/media/t_a/seg-1.m4s").status, 401);
    QCOMPARE(get(p, "/media/t_a/seg-1.m4s", service()).status, 200);
    QCOMPARE(get(p, "/media/t_public/seg-1.m4s").status, 200);
    QCOMPARE(get(p, "/m/garbage/t_a/seg-1.m4s").status, 403);
  }

  // The access log keeps where a request went, never the token that opened it.
  void accessLogHidesTokens() {
    log::AccessLog accessLog;
    const QString file = dir_.filePath(u"access.log"_s);
    QVERIFY(accessLog.open(file).isOk());
    auto h = host(false, &accessLog);
    QVERIFY(h->ok());
    const qint64 now = auth::nowSeconds();
    const QByteArray token = auth::mintPlaybackToken(*keys_->current(), u"t_a"_s, u"s1"_s, now + 60, now);
    QCOMPARE(get(h->port(), "/m/" + token + "/t_a/seg-1.m4s").status, 200);
    QCOMPARE(get(h->port(), "/m/" + token + "/t_b/seg-1.m4s").status, 403);
    h.reset();
    QFile f(file);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray lines = f.readAll();
    QVERIFY2(lines.contains("\"path\":\"/m/-/t_a/seg-1.m4s\""), lines.constData());
    QVERIFY2(lines.contains("\"path\":\"/m/-/t_b/seg-1.m4s\""), lines.constData());
    QVERIFY2(!lines.contains(token), lines.constData());
  }
};

QTEST_GUILESS_MAIN(TestAccess)
#include "tst_access.moc"
