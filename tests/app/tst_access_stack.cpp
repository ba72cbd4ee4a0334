// Authorization on every route of a real stack, in one process and split over four:
// the route table of every listener is walked, and every route that is not public
// refuses anonymous callers (401) and callers of the wrong kind (403, or 401 where a
// listener does not take that kind of credential at all); the public ones are exactly
// the expected few. Then what the cluster key does: an edge without it cannot register
// and is never steered to; the key rotates with a grace period without restarting
// anything; playback tokens are renewed while signed in and stop after logout within
// their lifetime; public titles and --media-auth=off open media on purpose.

#include "support/credentials.h"
#include "support/rawhttp.h"
#include "support/stack.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace rs::test;

namespace {

constexpr double kBeat = 0.5;

QJsonObject json(const HttpResponse &r) { return QJsonDocument::fromJson(r.body).object(); }
QString errorCode(const HttpResponse &r) { return json(r).value(u"error"_s).toObject().value(u"code"_s).toString(); }
QByteArray describe(const HttpResponse &r) { return "HTTP " + QByteArray::number(r.status) + ' ' + r.body.left(240); }

bool writeFile(const QString &path, const QByteArray &data) {
  QDir().mkpath(QFileInfo(path).absolutePath());
  QFile f(path);
  return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(data) == data.size();
}

// The routes that answer anyone, on purpose: probes, the UI's files, the login, CORS
// preflights. A route that turns up public and is not here fails the walk.
const QSet<QString> kPublic = {
    u"GET /healthz"_s,          u"GET /readyz"_s,           u"GET /metrics"_s,
    u"GET /"_s,                 u"GET /ui/{*path}"_s,       u"POST /api/v1/session"_s,
    u"OPTIONS /api/v1/uploads"_s, u"OPTIONS /api/v1/uploads/{id}"_s,
    u"OPTIONS /media/{*path}"_s, u"OPTIONS /m/{token}/{*path}"_s,
};

// A concrete path for a route pattern: "{x}" → "probe", "{*x}" → "probe/file.m4s".
QByteArray concrete(const QString &pattern) {
  QString p = pattern;
  p.replace(QRegularExpression(u"\\{\\*[a-z]+\\}"_s), u"probe/file.m4s"_s);
  p.replace(QRegularExpression(u"\\{[a-z]+\\}"_s), u"probe"_s);
  return p.toUtf8();
}

const QPair<QByteArray, QByteArray> kCsrf{"X-ReelStack-CSRF", "1"};
const QPair<QByteArray, QByteArray> kJson{"Content-Type", "application/json"};

struct Credentials {
  QByteArray service, admin, viewer, viewerCookie;
};

}  // namespace

class TestAccessStack : public QObject {
  Q_OBJECT

  QTemporaryDir tmp_;
  std::unique_ptr<Platform> all_;
  QString keyFile_;

  // Walks every route of one listener. `accounts`: the api listener (takes sessions
  // and API tokens); elsewhere only service credentials and playback tokens count.
  void walk(const QString &what, const QUrl &base, bool accounts, const Credentials &c, int *checked) {
    const quint16 port = quint16(base.port());
    const HttpResponse table = request(port, "GET", "/debug/v1/routes", {{"Authorization", c.service}});
    QVERIFY2(table.status == 200, qPrintable(what + u": "_s + QString::fromUtf8(describe(table))));
    const QJsonArray routes = json(table).value(u"routes"_s).toArray();
    QVERIFY2(routes.size() >= 4, qPrintable(what));
    // /debug/v1/routes itself is service-only.
    QCOMPARE(request(port, "GET", "/debug/v1/routes", {kAnonymous}).status, 401);
    for (const QJsonValue &v : routes) {
      const QString method = v[u"method"_s].toString(), pattern = v[u"pattern"_s].toString(), access = v[u"access"_s].toString();
      const QString name = method + u' ' + pattern;
      const QByteArray path = concrete(pattern), m = method.toLatin1();
      QVERIFY2(access != u"undeclared"_s, qPrintable(what + u": "_s + name));
      if (access == u"public"_s) {
        QVERIFY2(kPublic.contains(name), qPrintable(what + u": unexpected public route "_s + name));
        continue;
      }
      const QByteArray body = (m == "POST" || m == "PUT" || m == "PATCH") ? QByteArray("{}") : QByteArray();
      auto as = [&](const QByteArray &authorization, const QByteArray &cookie = {}) {
        HeaderList h{{"Authorization", authorization}};
        if (!cookie.isEmpty()) h << qMakePair(QByteArray("Cookie"), QByteArray("rs_session=" + cookie)) << kCsrf;
        if (!body.isEmpty()) h << kJson;
        return request(port, m, path, h, body);
      };
      auto expect = [&](const HttpResponse &r, int status, const char *who) {
        // HEAD answers carry no body; every other refusal is the JSON error.
        QVERIFY2(r.status == status && (m == "HEAD" || !errorCode(r).isEmpty()),
                 qPrintable(u"%1: %2 %3 as %4: want %5, got %6"_s.arg(what, method, QString::fromUtf8(path), QLatin1String(who))
                                .arg(status)
                                .arg(QString::fromUtf8(describe(r)))));
      };
      ++*checked;
      if (access == u"media"_s) {
        const bool tokenRoute = pattern.startsWith(u"/m/"_s);
        expect(as({}), tokenRoute ? 403 : 401, "anonymous");
        expect(as(c.admin), 401, "an admin's API token");  // not a credential on media listeners
        if (!tokenRoute) continue;
        // Another title's token on this path.
        const QByteArray other = playbackToken(keyFile_, u"t_other"_s);
        HeaderList h{kAnonymous};
        expect(request(port, m, QByteArray(path).replace(QByteArray("/m/probe/"), QByteArray("/m/" + other + "/")), h), 403,
               "another title's token");
        continue;
      }
      expect(as({}), 401, "anonymous");
      if (accounts) {
        if (access == u"admin"_s) {
          expect(as(c.viewer), 403, "a viewer token");
          expect(as({}, c.viewerCookie), 403, "a viewer session");
          expect(as(c.service), 403, "a service");
        }
        if (access == u"service"_s) {
          expect(as(c.admin), 403, "an admin");
          expect(as(c.viewer), 403, "a viewer");
        }
        if (access == u"viewer"_s) expect(as(c.service), 403, "a service");
      } else {
        QVERIFY2(access == u"service"_s, qPrintable(what + u": "_s + name + u" is "_s + access));
        expect(as(c.admin), 401, "an admin's API token");
        expect(as(c.viewer), 401, "a viewer's API token");
        expect(as({}, c.viewerCookie), 401, "a viewer session");
      }
    }
  }

  // Viewer credentials on an api whose accounts live in `apiDataDir`.
  Credentials credentials(const Platform &api, const QString &apiDataDir) {
    Credentials c;
    c.service = serviceAuthorization(keyFile_);
    c.admin = adminAuthorization(apiDataDir);
    QByteArray out;
    run(platformBin(), {u"token"_s, u"create"_s, u"--name"_s, u"walker"_s, u"--role"_s, u"viewer"_s, u"--data-dir"_s, apiDataDir}, &out);
    c.viewer = "Bearer " + out.trimmed();
    const QString pwFile = tmp_.filePath(u"viewer.pw"_s);
    writeFile(pwFile, "a viewers password\n");
    run(platformBin(), {u"user"_s, u"add"_s, u"walker"_s, u"--password-file"_s, pwFile, u"--data-dir"_s, apiDataDir});
    const HttpResponse r = request(quint16(api.url(u"api"_s).port()), "POST", "/api/v1/session",
                                   {kAnonymous, {"X-ReelStack-CSRF", "1"}, {"Content-Type", "application/json"}},
                                   R"({"username":"walker","password":"a viewers password"})");
    const QByteArray set = r.header("set-cookie");
    c.viewerCookie = set.mid(11, set.indexOf(';') - 11);
    return c;
  }

  // A title taken to ready through control, with files in the origin's media dir.
  QString readyTitle(const QUrl &control, const QString &originDataDir) {
    const QByteArray svc = serviceAuthorization(keyFile_);
    auto post = [&](const QByteArray &path, const QByteArray &body) {
      return request(quint16(control.port()), "POST", path, {{"Authorization", svc}, {"Content-Type", "application/json"}}, body);
    };
    const QString id = json(post("/control/v1/titles", R"({"name":"Access test"})")).value(u"id"_s).toString();
    post("/control/v1/jobs", u"{\"titleId\":\"%1\"}"_s.arg(id).toUtf8());
    const QString job = json(post("/control/v1/jobs/claim", R"({"worker":"w","leaseSeconds":30})")).value(u"id"_s).toString();
    post("/control/v1/jobs/" + job.toUtf8() + "/complete",
         R"({"worker":"w","renditions":[{"id":"240p","kind":"video","codec":"h264","width":426,"height":240,"bandwidth":300000}],)"
         R"("durationSeconds":4,"segmentSeconds":4,"assets":{"dash":"manifest.mpd","hls":"master.m3u8"}})");
    writeFile(originDataDir + u"/media/"_s + id + u"/manifest.mpd"_s, "<MPD/>");
    writeFile(originDataDir + u"/media/"_s + id + u"/video/240p/seg-1.m4s"_s, QByteArray(3000, 's'));
    return id;
  }

  QStringList edgeUrls(const QUrl &control) {
    QStringList out;
    const HttpResponse r = request(quint16(control.port()), "GET", "/control/v1/instances?role=edge",
                                   {{"Authorization", serviceAuthorization(keyFile_)}});
    for (const QJsonValue &v : json(r).value(u"instances"_s).toArray()) out << v[u"url"_s].toString();
    return out;
  }

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(tmp_.isValid());
    all_ = std::make_unique<Platform>(tmp_.filePath(u"all"_s));
    all_->captureLog();
    QString err;
    QVERIFY2(all_->start({u"--role=all"_s, u"--heartbeat-interval=%1"_s.arg(kBeat), u"--scrypt-n=1024"_s,
                          u"--playback-token-ttl=10"_s},
                         &err),
             qPrintable(err));
    keyFile_ = clusterKeyFile(all_->dataDir());
    all_->authorizeAll();
  }
  void cleanupTestCase() { all_.reset(); }

  void everyRouteInOneProcess() {
    const Credentials c = credentials(*all_, all_->dataDir());
    QVERIFY(c.viewer.size() > 20 && c.viewerCookie.size() == 43);
    int checked = 0;
    for (const char *role : {"control", "api", "origin", "edge", "license", "monitor"})
      walk(QLatin1String(role), all_->url(QLatin1String(role)), QLatin1String(role) == QLatin1String("api"), c, &checked);
    qInfo("%d non-public routes refused anonymous and wrong-kind callers", checked);
    QVERIFY(checked >= 40);
    // The stack kept serving through all of it.
    for (const char *role : {"control", "api", "origin", "edge", "license", "monitor"})
      QCOMPARE(request(quint16(all_->url(QLatin1String(role)).port()), "GET", "/healthz", {kAnonymous}).status, 200);
  }

  // Split over four processes, each with a copy of control's key.
  void everyRouteSplit() {
    QString err;
    Platform control(tmp_.filePath(u"s-control"_s)), api(tmp_.filePath(u"s-api"_s)), delivery(tmp_.filePath(u"s-delivery"_s)),
        rest(tmp_.filePath(u"s-rest"_s));
    QVERIFY2(control.start({u"--role=control"_s, u"--heartbeat-interval=%1"_s.arg(kBeat)}, &err), qPrintable(err));
    const QString key = clusterKeyFile(control.dataDir());
    const QStringList common{u"--control="_s + control.url(u"control"_s).toString(), u"--cluster-key-file="_s + key,
                             u"--heartbeat-interval=%1"_s.arg(kBeat)};
    QVERIFY2(api.start(QStringList{u"--role=api,ingest"_s, u"--scrypt-n=1024"_s} + common, &err), qPrintable(err));
    QVERIFY2(delivery.start(QStringList{u"--role=origin,edge"_s} + common, &err), qPrintable(err));
    QVERIFY2(rest.start(QStringList{u"--role=license,monitor,encode,player"_s} + common, &err), qPrintable(err));
    const QString saved = keyFile_;
    keyFile_ = key;
    const Credentials c = credentials(api, api.dataDir());
    int checked = 0;
    walk(u"split control"_s, control.url(u"control"_s), false, c, &checked);
    walk(u"split api"_s, api.url(u"api"_s), true, c, &checked);
    for (const char *r : {"origin", "edge"}) walk(u"split "_s + QLatin1String(r), delivery.url(QLatin1String(r)), false, c, &checked);
    for (const char *r : {"license", "monitor"}) walk(u"split "_s + QLatin1String(r), rest.url(QLatin1String(r)), false, c, &checked);
    qInfo("split: %d non-public routes checked", checked);
    // Every role of the four registered with control: they hold the key.
    const HttpResponse inst = request(quint16(control.url(u"control"_s).port()), "GET", "/control/v1/instances",
                                      {{"Authorization", c.service}});
    QSet<QString> roles;
    for (const QJsonValue &v : json(inst).value(u"instances"_s).toArray()) roles.insert(v[u"role"_s].toString());
    QCOMPARE(roles.size(), 9);
    keyFile_ = saved;
  }

  // An edge started without the cluster key says so, cannot register and is never
  // steered to; with the key it is; killed and restarted, it is again and serves.
  void edgeWithoutTheKeyIsNeverSteeredTo() {
    const QUrl control = all_->url(u"control"_s);
    const QString title = readyTitle(control, all_->dataDir());
    Platform edge(tmp_.filePath(u"keyless-edge"_s));
    edge.captureLog();
    QString err;
    const QStringList args{u"--role=edge"_s, u"--control="_s + control.toString(), u"--heartbeat-interval=%1"_s.arg(kBeat),
                           u"--upstream="_s + all_->url(u"origin"_s).toString(), u"--edge-region=keyless"_s};
    QVERIFY2(edge.start(args, &err), qPrintable(err));
    const QString url = edge.url(u"edge"_s).toString(QUrl::StripTrailingSlash);
    QTRY_VERIFY_WITH_TIMEOUT(edge.log().contains(u"must hold the same cluster key as control"_s), 5000);
    QVERIFY2(edge.log().contains(u"NO CLUSTER KEY"_s), qPrintable(edge.log()));
    for (int i = 0; i < 6; ++i) {  // three heartbeat intervals: never registered
      QVERIFY(!edgeUrls(control).contains(url));
      const HttpResponse s = request(quint16(control.port()), "GET", "/control/v1/steer?title=" + title.toUtf8() + "&region=keyless",
                                     {{"Authorization", serviceAuthorization(keyFile_)}});
      QVERIFY2(!s.body.contains(url.toUtf8()), s.body.constData());
      QTest::qWait(250);
    }
    // It cannot check tokens either: a viewer's fetch is refused, never served.
    const QByteArray viewer = "/m/" + playbackToken(keyFile_, title) + '/' + title.toUtf8() + "/video/240p/seg-1.m4s";
    QCOMPARE(request(quint16(edge.url(u"edge"_s).port()), "GET", viewer).status, 403);
    QVERIFY(edge.terminate());

    // With the key (the same data dir, as an operator would fix it): registered, steered.
    QVERIFY2(edge.start(args + QStringList{u"--cluster-key-file="_s + keyFile_}, &err), qPrintable(err));
    const QString keyed = edge.url(u"edge"_s).toString(QUrl::StripTrailingSlash);
    QTRY_VERIFY_WITH_TIMEOUT(edgeUrls(control).contains(keyed), 5000);
    QCOMPARE(request(quint16(edge.url(u"edge"_s).port()), "GET", viewer).status, 200);
    // SIGKILL and a restart: it registers again and its tokens still work.
    edge.kill();
    QVERIFY2(edge.start(args + QStringList{u"--cluster-key-file="_s + keyFile_}, &err), qPrintable(err));
    const QString again = edge.url(u"edge"_s).toString(QUrl::StripTrailingSlash);
    QTRY_VERIFY_WITH_TIMEOUT(edgeUrls(control).contains(again), 5000);
    QCOMPARE(request(quint16(edge.url(u"edge"_s).port()), "GET", viewer).status, 200);
  }

  // The key rotates on disk; every process picks it up without a restart; tokens of
  // the old key work through the grace period and not after; a dropped key's tokens
  // stop at once; another machine's copy of the file follows when copied.
  void keyRotationWithAGracePeriod() {
    const QUrl control = all_->url(u"control"_s), api = all_->url(u"api"_s);
    const QString title = readyTitle(control, all_->dataDir());
    // An edge on "another machine": its own copy of the key file.
    const QString copy = tmp_.filePath(u"remote/cluster.key"_s);
    QDir().mkpath(QFileInfo(copy).absolutePath());
    QVERIFY(QFile::copy(keyFile_, copy));
    Platform remote(tmp_.filePath(u"remote-edge"_s));
    QString err;
    QVERIFY2(remote.start({u"--role=edge"_s, u"--control="_s + control.toString(), u"--cluster-key-file="_s + copy,
                           u"--heartbeat-interval=%1"_s.arg(kBeat), u"--upstream="_s + all_->url(u"origin"_s).toString()},
                          &err),
             qPrintable(err));
    const quint16 edgePort = quint16(all_->url(u"edge"_s).port()), remotePort = quint16(remote.url(u"edge"_s).port());
    const QByteArray oldService = serviceAuthorization(keyFile_);
    const QByteArray oldToken = playbackToken(keyFile_, title, 600);
    const QByteArray segment = '/' + title.toUtf8() + "/video/240p/seg-1.m4s";
    auto viewerGet = [&](quint16 port, const QByteArray &token) { return request(port, "GET", "/m/" + token + segment).status; };
    QCOMPARE(viewerGet(edgePort, oldToken), 200);
    const QByteArray oldKid = oldToken.split('.')[1];

    QByteArray out, cliErr;
    QCOMPARE(run(platformBin(), {u"cluster-key"_s, u"rotate"_s, u"--grace"_s, u"6"_s, u"--cluster-key-file"_s, keyFile_}, &out, &cliErr), 0);
    const QByteArray newKid = out.trimmed();
    QVERIFY2(newKid.size() == 8 && newKid != oldKid, out.constData());
    QVERIFY2(cliErr.contains("within 6 s"), cliErr.constData());
    // The api signs with the new key within a reload (2 s), no restart.
    auto apiTokenKid = [&] {
      const HttpResponse r = request(quint16(api.port()), "POST", "/api/v1/titles/" + title.toUtf8() + "/playback");
      return json(r).value(u"playbackToken"_s)[u"value"_s].toString().toLatin1().split('.').value(1);
    };
    QTRY_COMPARE_WITH_TIMEOUT(apiTokenKid(), newKid, 4000);
    const QByteArray newToken = playbackToken(keyFile_, title, 600);
    QCOMPARE(newToken.split('.')[1], newKid);
    // In the grace period: old and new tokens both work here; the remote edge knows
    // only the old key until its file is copied.
    QCOMPARE(viewerGet(edgePort, oldToken), 200);
    QCOMPARE(viewerGet(edgePort, newToken), 200);
    QCOMPARE(request(quint16(control.port()), "GET", "/control/v1/edges", {{"Authorization", oldService}}).status, 200);
    QCOMPARE(viewerGet(remotePort, newToken), 403);
    QVERIFY(QFile::remove(copy) && QFile::copy(keyFile_, copy));
    QTRY_COMPARE_WITH_TIMEOUT(viewerGet(remotePort, newToken), 200, 4000);
    // After the grace: the old key's tokens are refused everywhere.
    QTest::qWait(6500);
    QCOMPARE(viewerGet(edgePort, oldToken), 403);
    QCOMPARE(viewerGet(remotePort, oldToken), 403);
    QCOMPARE(request(quint16(control.port()), "GET", "/control/v1/edges", {{"Authorization", oldService}}).status, 401);
    // Nothing was restarted, and every role still heartbeats (with the new key).
    const QStringList edges = edgeUrls(control);
    QVERIFY(edges.contains(all_->url(u"edge"_s).toString(QUrl::StripTrailingSlash)));
    QVERIFY(edges.contains(remote.url(u"edge"_s).toString(QUrl::StripTrailingSlash)));
    QVERIFY(run(platformBin(), {u"cluster-key"_s, u"list"_s, u"--cluster-key-file"_s, keyFile_}, &out) == 0 &&
            out.contains(QByteArray(newKid + "  signs")) && out.contains(QByteArray(oldKid + "  expired")));

    // Emergency: drop a key at once (add a new signer first; the ring is never empty).
    const QByteArray current = playbackToken(keyFile_, title, 600);
    QCOMPARE(run(platformBin(), {u"cluster-key"_s, u"rotate"_s, u"--grace"_s, u"3600"_s, u"--cluster-key-file"_s, keyFile_}), 0);
    QCOMPARE(run(platformBin(), {u"cluster-key"_s, u"drop"_s, QString::fromLatin1(newKid), u"--cluster-key-file"_s, keyFile_}), 0);
    QTRY_COMPARE_WITH_TIMEOUT(viewerGet(edgePort, current), 403, 4000);
    QVERIFY(remote.terminate());
  }

  // While signed in the player renews its token; after logout it cannot, and the
  // last token stops working within its lifetime (10 s here) plus the 5 s skew, give
  // or take the clock's whole seconds.
  void tokensRenewWhileSignedInAndStopAfterLogout() {
    const QUrl control = all_->url(u"control"_s);
    const quint16 api = quint16(all_->url(u"api"_s).port()), edge = quint16(all_->url(u"edge"_s).port());
    const QString title = readyTitle(control, all_->dataDir());
    const HttpResponse login = request(api, "POST", "/api/v1/session", {kAnonymous, {"X-ReelStack-CSRF", "1"}, {"Content-Type", "application/json"}},
                                       R"({"username":"walker","password":"a viewers password"})");
    QVERIFY2(login.status == 200, describe(login).constData());
    const QByteArray cookie = login.header("set-cookie").mid(11, 43);
    const HeaderList browser{kAnonymous, {"Cookie", "rs_session=" + cookie}, {"X-ReelStack-CSRF", "1"}};
    const HttpResponse start = request(api, "POST", "/api/v1/titles/" + title.toUtf8() + "/playback", browser);
    QVERIFY2(start.status == 200, describe(start).constData());
    const QJsonObject tok = json(start).value(u"playbackToken"_s).toObject();
    QCOMPARE(tok.value(u"renewAfterSeconds"_s).toInt(), 5);
    const QString dash = json(start).value(u"sources"_s).toArray().at(0)[u"dash"_s].toString();
    QVERIFY2(dash.contains(tok.value(u"value"_s).toString()), qPrintable(dash));
    QTest::qWait(1100);
    const HttpResponse renewed = request(api, "POST", tok.value(u"renewUrl"_s).toString().toUtf8(), browser);
    QVERIFY2(renewed.status == 200, describe(renewed).constData());
    const QByteArray fresh = json(renewed).value(u"value"_s).toString().toLatin1();
    QVERIFY(fresh != tok.value(u"value"_s).toString().toLatin1());
    QVERIFY(json(renewed).value(u"expiresAt"_s).toString() > tok.value(u"expiresAt"_s).toString());
    const QByteArray segment = "/m/" + fresh + '/' + title.toUtf8() + "/video/240p/seg-1.m4s";
    QCOMPARE(request(edge, "GET", segment).status, 200);

    QCOMPARE(request(api, "DELETE", "/api/v1/session", browser).status, 204);
    QCOMPARE(request(api, "POST", tok.value(u"renewUrl"_s).toString().toUtf8(), browser).status, 401);
    QElapsedTimer t;
    t.start();
    while (request(edge, "GET", segment).status == 200 && t.elapsed() < 20000) QTest::qWait(250);
    qInfo("a logged-out viewer's media stopped %lld ms after logout (bound: 10 s lifetime + 5 s skew)", t.elapsed());
    QCOMPARE(request(edge, "GET", segment).status, 403);
    QVERIFY2(t.elapsed() <= 16500, qPrintable(QString::number(t.elapsed())));
  }

  // An admin makes a title public: edges and origins serve it without a token within
  // a heartbeat interval; private again, they stop.
  void publicTitlesNeedNoToken() {
    const QUrl control = all_->url(u"control"_s);
    const quint16 api = quint16(all_->url(u"api"_s).port());
    const QString title = readyTitle(control, all_->dataDir());
    const QByteArray path = "/media/" + title.toUtf8() + "/manifest.mpd";
    const quint16 ports[] = {quint16(all_->url(u"edge"_s).port()), quint16(all_->url(u"origin"_s).port())};
    for (quint16 p : ports) QCOMPARE(request(p, "GET", path).status, 401);
    HttpResponse r = request(api, "PATCH", "/api/v1/titles/" + title.toUtf8(), {{"Content-Type", "application/json"}}, R"({"public":true})");
    QVERIFY2(r.status == 200 && json(r).value(u"public"_s).toBool(), describe(r).constData());
    // The answer has GET's shape: media URLs for the caller.
    QVERIFY2(json(r).value(u"manifests"_s)[u"dash"_s].toString().contains(u"/m/p1."_s), describe(r).constData());
    for (quint16 p : ports) QTRY_COMPARE_WITH_TIMEOUT(request(p, "GET", path).status, 200, 3000);
    // Only name and public are an admin's to change from outside.
    r = request(api, "PATCH", "/api/v1/titles/" + title.toUtf8(), {{"Content-Type", "application/json"}}, R"({"state":"failed"})");
    QCOMPARE(r.status, 400);
    r = request(api, "PATCH", "/api/v1/titles/" + title.toUtf8(), {{"Content-Type", "application/json"}}, R"({"public":false})");
    QCOMPARE(r.status, 200);
    for (quint16 p : ports) QTRY_COMPARE_WITH_TIMEOUT(request(p, "GET", path).status, 401, 3000);
  }

  // --media-auth=off serves every title to anyone, and says so loudly.
  void mediaAuthOffIsLoud() {
    const QString title = readyTitle(all_->url(u"control"_s), all_->dataDir());
    Platform open(tmp_.filePath(u"open-edge"_s));
    open.captureLog();
    QString err;
    QVERIFY2(open.start({u"--role=edge"_s, u"--media-auth=off"_s, u"--cluster-key-file="_s + keyFile_,
                         u"--control="_s + all_->url(u"control"_s).toString(), u"--upstream="_s + all_->url(u"origin"_s).toString()},
                        &err),
             qPrintable(err));
    const HttpResponse r = request(quint16(open.url(u"edge"_s).port()), "GET", "/media/" + title.toUtf8() + "/manifest.mpd");
    QVERIFY2(r.status == 200, describe(r).constData());
    QVERIFY2(open.log().contains(u"MEDIA AUTH IS OFF"_s), qPrintable(open.log()));
  }
};

QTEST_GUILESS_MAIN(TestAccessStack)
#include "tst_access_stack.moc"
