// The catalogue and job queue of the real `platform` binary over real HTTP: control's
// /control/v1/titles and /control/v1/jobs routes (validation, state machine, claim with
// a short lease, reclaim after the lease ran out, 409 lease_lost for the stale worker,
// completion), and api's /api/v1/titles with origin URLs — from an origin registered
// with control (a test server that also records unpublish calls) and from an origin
// in the same process — plus 502 when control is unreachable.

#include "support/rawhttp.h"
#include "support/stack.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMutex>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTest>
#include <QThread>
#include <QUrl>

using namespace Qt::StringLiterals;

namespace {

using rs::test::call;
using rs::test::callAs;
using rs::test::Platform;
using rs::test::Reply;

// JSON written with single quotes (moc's preprocessor does not read raw strings).
QByteArray json(const char *text) { return QByteArray(text).replace('\'', '"'); }

// Stands in for an origin registered with control: answers unpublish calls and
// remembers which titles were unpublished.
class FakeOrigin {
 public:
  FakeOrigin() {
    auto router = std::make_shared<rs::http::Router>();
    router->del(u"/origin/v1/titles/{id}"_s, rs::http::Access::Public, [this](rs::http::Request &req) {
      QMutexLocker lock(&mutex_);
      unpublished_ << req.param(u"id"_s);
      return rs::http::Response::noContent();
    });
    rs::http::ServerOptions o;
    o.workers = 1;
    host_ = std::make_unique<rs::test::ServerHost>(o, router);
  }
  quint16 port() const { return host_->port(); }
  QString url() const { return u"http://127.0.0.1:%1"_s.arg(port()); }
  QStringList unpublished() {
    QMutexLocker lock(&mutex_);
    return unpublished_;
  }
  void stop() { host_->stop(); }

 private:
  QMutex mutex_;
  QStringList unpublished_;
  std::unique_ptr<rs::test::ServerHost> host_;
};

const char *kCompletion =
    "{'worker':'%1','renditions':[{'id':'240p','kind':'video','codec':'h264','codecs':'avc1.64000d',"
    "'width':426,'height':240,'bandwidth':300000},{'id':'aac','kind':'audio','codecs':'mp4a.40.2'}],"
    "'durationSeconds':6.0,'segmentSeconds':2.0,"
    "'assets':{'dash':'manifest.mpd','hls':'master.m3u8','poster':'poster.jpg','thumbnails':'thumbs.vtt'}}";

}  // namespace

class TestCatalogueApi : public QObject {
  Q_OBJECT

 private:
  std::unique_ptr<Platform> p_;  // control + api
  std::unique_ptr<FakeOrigin> origin_;
  QUrl control_, api_;

  // A title taken from creation to ready through control's routes; returns its id.
  QString readyTitle(const QUrl &control) {
    const Reply created = call(control, "POST", u"/control/v1/titles"_s, json("{'name':'Ready one','fileName':'r.mp4'}"));
    if (created.status != 201) return {};
    const QString id = created.json().value(u"id"_s).toString();
    if (call(control, "POST", u"/control/v1/jobs"_s, u"{\"titleId\":\"%1\"}"_s.arg(id).toUtf8()).status != 201) return {};
    const Reply claimed = call(control, "POST", u"/control/v1/jobs/claim"_s, json("{'worker':'ready-maker','leaseSeconds':30}"));
    if (claimed.status != 200) return {};
    const QString job = claimed.json().value(u"id"_s).toString();
    const Reply done = call(control, "POST", u"/control/v1/jobs/%1/complete"_s.arg(job),
                            json(qPrintable(QString::fromLatin1(kCompletion).arg(u"ready-maker"_s))));
    return done.status == 200 ? id : QString();
  }

 private Q_SLOTS:
  void initTestCase() {
    origin_ = std::make_unique<FakeOrigin>();
    QVERIFY(origin_->port() > 0);
    p_ = std::make_unique<Platform>();
    p_->captureLog();
    QString err;
    QVERIFY2(p_->start({u"--role=control,api"_s, u"--control-listen=127.0.0.1:0"_s, u"--api-listen=127.0.0.1:0"_s}, &err),
             qPrintable(err));
    control_ = p_->url(u"control"_s);
    api_ = p_->url(u"api"_s);
    p_->authorizeAll();
    // Register the stand-in origin the way a remote origin process would: with a
    // service credential naming its role and process ("test-origin-1" is process "1").
    const Reply hb = callAs(p_->serviceAuth(u"origin"_s, u"1"_s), control_, "POST", u"/control/v1/heartbeat"_s,
                          u"{\"instanceId\":\"test-origin-1\",\"role\":\"origin\",\"url\":\"%1\","
                          "\"heartbeatIntervalMs\":60000,\"expiryHeartbeats\":3}"_s.arg(origin_->url()).toUtf8());
    QCOMPARE(hb.status, 204);
  }
  void cleanupTestCase() {
    p_.reset();
    origin_.reset();
  }

  void rejectsMalformedBodies() {
    Reply r = call(control_, "POST", u"/control/v1/titles"_s, "{\"name\": ");
    QCOMPARE(r.status, 400);
    QCOMPARE(r.errorCode(), u"bad_request"_s);
    QVERIFY2(r.errorMessage().contains(u"not valid JSON"_s), qPrintable(r.describe()));
    r = call(control_, "POST", u"/control/v1/titles"_s, "[1,2]");
    QCOMPARE(r.status, 400);
    r = call(control_, "POST", u"/control/v1/titles"_s, json("{'name':42}"));
    QCOMPARE(r.status, 400);
    QVERIFY2(r.errorMessage().contains(u"'name' must be a string"_s), qPrintable(r.describe()));
    r = call(control_, "POST", u"/control/v1/jobs/claim"_s, json("{'worker':'w','leaseSeconds':'soon'}"));
    QCOMPARE(r.status, 400);
    QVERIFY2(r.errorMessage().contains(u"leaseSeconds"_s), qPrintable(r.describe()));
    r = call(control_, "POST", u"/control/v1/jobs"_s, json("{'titleId':'t_doesnotexist'}"));
    QCOMPARE(r.status, 404);
    QCOMPARE(call(control_, "GET", u"/control/v1/titles/t_doesnotexist"_s).status, 404);
    QCOMPARE(call(control_, "PATCH", u"/control/v1/titles/t_doesnotexist"_s, json("{'name':'x'}")).status, 404);
    QCOMPARE(call(control_, "DELETE", u"/control/v1/titles/t_doesnotexist"_s).status, 404);
    QCOMPARE(call(control_, "POST", u"/control/v1/jobs/j_doesnotexist/progress"_s, json("{'worker':'w'}")).status, 404);
    QCOMPARE(call(api_, "GET", u"/api/v1/titles/t_doesnotexist"_s).status, 404);
  }

  void titleThroughQueueToReady() {
    // Create and walk the client-side states.
    Reply r = call(control_, "POST", u"/control/v1/titles"_s, json("{'name':'Big Buck','fileName':'bbb.mkv'}"));
    QCOMPARE(r.status, 201);
    const QString id = r.json().value(u"id"_s).toString();
    QVERIFY2(QRegularExpression(u"^t_[a-z2-7]{12}$"_s).match(id).hasMatch(), qPrintable(id));
    QCOMPARE(r.json().value(u"state"_s).toString(), u"uploading"_s);
    const QString path = u"/control/v1/titles/"_s + id;
    QCOMPARE(call(control_, "PATCH", path, json("{'state':'probing'}")).json().value(u"state"_s).toString(), u"probing"_s);
    QCOMPARE(call(control_, "PATCH", path, json("{'state':'uploading'}")).status, 409);
    QCOMPARE(call(control_, "PATCH", path, json("{'state':'sideways'}")).status, 400);
    QCOMPARE(call(control_, "PATCH", path, "{\"state\":").status, 400);
    const QString sha = QString(64, u'e');
    r = call(control_, "PATCH", path,
             u"{\"source\":{\"sha256\":\"%1\",\"sizeBytes\":5000,\"url\":\"http://127.0.0.1:1/api/v1/sources/%2\"},"
             "\"probe\":{\"durationSeconds\":6.0}}"_s.arg(sha, id).toUtf8());
    QCOMPARE(r.status, 200);
    r = call(control_, "GET", u"/control/v1/titles?sha256="_s + sha);
    QCOMPARE(r.status, 200);
    QCOMPARE(r.json().value(u"titles"_s).toArray().size(), 1);
    QCOMPARE(r.json().value(u"titles"_s).toArray().at(0).toObject().value(u"id"_s).toString(), id);

    // Queue, claim with a short lease, let it lapse: the job moves to another worker.
    r = call(control_, "POST", u"/control/v1/jobs"_s, u"{\"titleId\":\"%1\",\"spec\":{\"ladder\":[\"240p\"]}}"_s.arg(id).toUtf8());
    QCOMPARE(r.status, 201);
    const QString job = r.json().value(u"id"_s).toString();
    QCOMPARE(call(control_, "GET", path).json().value(u"state"_s).toString(), u"queued"_s);
    r = call(control_, "POST", u"/control/v1/jobs/claim"_s, json("{'worker':'w1','leaseSeconds':0.4}"));
    QCOMPARE(r.status, 200);
    QCOMPARE(r.json().value(u"id"_s).toString(), job);
    QCOMPARE(r.json().value(u"title"_s).toObject().value(u"id"_s).toString(), id);
    QCOMPARE(r.json().value(u"spec"_s).toObject().value(u"ladder"_s).toArray().at(0).toString(), u"240p"_s);
    QCOMPARE(call(control_, "POST", u"/control/v1/jobs/claim"_s, json("{'worker':'w2','leaseSeconds':10}")).status, 204);
    QThread::msleep(700);
    r = call(control_, "POST", u"/control/v1/jobs/claim"_s, json("{'worker':'w2','leaseSeconds':10}"));
    QCOMPARE(r.status, 200);
    QCOMPARE(r.json().value(u"id"_s).toString(), job);
    QCOMPARE(r.json().value(u"attempts"_s).toInt(), 2);

    // The first worker is stale now.
    const QString jobPath = u"/control/v1/jobs/"_s + job;
    r = call(control_, "POST", jobPath + u"/progress"_s, json("{'worker':'w1','stage':'encoding','percent':10}"));
    QCOMPARE(r.status, 409);
    QVERIFY2(r.errorMessage().startsWith(u"lease_lost"_s), qPrintable(r.describe()));
    QCOMPARE(call(control_, "POST", jobPath + u"/complete"_s, json(qPrintable(QString::fromLatin1(kCompletion).arg(u"w1"_s)))).status,
             409);

    // The holder reports; the title follows its stage.
    r = call(control_, "POST", jobPath + u"/progress"_s,
             json("{'worker':'w2','stage':'encoding','percent':42.5,'fps':61.2,'etaSeconds':12}"));
    QCOMPARE(r.status, 200);
    QJsonObject t = call(control_, "GET", path).json();
    QCOMPARE(t.value(u"state"_s).toString(), u"encoding"_s);
    QCOMPARE(t.value(u"job"_s).toObject().value(u"percent"_s).toDouble(), 42.5);
    QCOMPARE(t.value(u"job"_s).toObject().value(u"worker"_s).toString(), u"w2"_s);
    QCOMPARE(call(control_, "POST", jobPath + u"/progress"_s, json("{'worker':'w2','percent':'half'}")).status, 400);
    r = call(control_, "POST", jobPath + u"/progress"_s, json("{'worker':'w2','stage':'packaging','percent':80}"));
    QCOMPARE(r.status, 200);
    QCOMPARE(call(control_, "GET", path).json().value(u"state"_s).toString(), u"packaging"_s);

    // Not ready yet: api shows no playback URLs.
    t = call(api_, "GET", u"/api/v1/titles/"_s + id).json();
    QCOMPARE(t.value(u"state"_s).toString(), u"packaging"_s);
    QVERIFY(!t.contains(u"manifests"_s));

    r = call(control_, "POST", jobPath + u"/complete"_s, json(qPrintable(QString::fromLatin1(kCompletion).arg(u"w2"_s))));
    QCOMPARE(r.status, 200);
    t = call(control_, "GET", path).json();
    QCOMPARE(t.value(u"state"_s).toString(), u"ready"_s);
    QCOMPARE(t.value(u"renditions"_s).toArray().size(), 2);
    QCOMPARE(t.value(u"durationSeconds"_s).toDouble(), 6.0);
    QCOMPARE(call(control_, "PATCH", path, json("{'state':'failed','reason':'late'}")).status, 409);

    // api: absolute URLs on the origin control knows about, each carrying a playback
    // token for this title issued to the caller (checked with the stack's own key).
    r = call(api_, "GET", u"/api/v1/titles/"_s + id);
    QCOMPARE(r.status, 200);
    t = r.json();
    const QString dash = t.value(u"manifests"_s).toObject().value(u"dash"_s).toString();
    const QRegularExpression tokenized(u"^"_s + QRegularExpression::escape(origin_->url()) + u"/m/(p1\\.[A-Za-z0-9._-]+)/"_s + id + u"/manifest\\.mpd$"_s);
    const QRegularExpressionMatch m = tokenized.match(dash);
    QVERIFY2(m.hasMatch(), qPrintable(dash));
    const QByteArray token = m.captured(1).toLatin1();
    auto ring = rs::auth::readKeyFile(rs::test::clusterKeyFile(p_->dataDir()));
    QVERIFY(ring.isOk());
    QVERIFY2(rs::auth::verifyPlaybackToken(*ring, token, id, rs::auth::nowSeconds()).isOk(), token.constData());
    QVERIFY(!rs::auth::verifyPlaybackToken(*ring, token, u"t_another"_s, rs::auth::nowSeconds()).isOk());
    const QString base = origin_->url() + u"/m/"_s + QString::fromLatin1(token) + u'/' + id + u'/';
    QCOMPARE(t.value(u"manifests"_s).toObject().value(u"hls"_s).toString(), base + u"master.m3u8"_s);
    QCOMPARE(t.value(u"poster"_s).toString(), base + u"poster.jpg"_s);
    QCOMPARE(t.value(u"thumbnails"_s).toString(), base + u"thumbs.vtt"_s);
    QCOMPARE(t.value(u"renditions"_s).toArray().size(), 2);
    r = call(api_, "GET", u"/api/v1/titles"_s);
    QCOMPARE(r.status, 200);
    bool listed = false;
    for (const QJsonValue &v : r.json().value(u"titles"_s).toArray()) {
      if (v.toObject().value(u"id"_s).toString() != id) continue;
      listed = true;
      QVERIFY2(tokenized.match(v.toObject().value(u"manifests"_s).toObject().value(u"dash"_s).toString()).hasMatch(),
               qPrintable(v.toObject().value(u"manifests"_s).toObject().value(u"dash"_s).toString()));
    }
    QVERIFY(listed);

    // Deleting unpublishes at the origin, then leaves the catalogue.
    r = call(api_, "DELETE", u"/api/v1/titles/"_s + id);
    QCOMPARE(r.status, 204);
    QVERIFY(origin_->unpublished().contains(id));
    QCOMPARE(call(control_, "GET", path).status, 404);
    QCOMPARE(call(api_, "GET", u"/api/v1/titles/"_s + id).status, 404);
    QCOMPARE(call(api_, "DELETE", u"/api/v1/titles/"_s + id).status, 404);
  }

  void failedJobRetriesThenFails() {
    const QString id = call(control_, "POST", u"/control/v1/titles"_s, json("{'name':'Flaky'}")).json().value(u"id"_s).toString();
    QCOMPARE(call(control_, "POST", u"/control/v1/jobs"_s, u"{\"titleId\":\"%1\"}"_s.arg(id).toUtf8()).status, 201);
    Reply r = call(control_, "POST", u"/control/v1/jobs/claim"_s, json("{'worker':'wf','leaseSeconds':10}"));
    QCOMPARE(r.status, 200);
    const QString job = r.json().value(u"id"_s).toString();
    r = call(control_, "POST", u"/control/v1/jobs/%1/fail"_s.arg(job), json("{'worker':'wf','reason':'disk full','retryable':true}"));
    QCOMPARE(r.status, 200);
    QCOMPARE(call(control_, "GET", u"/control/v1/titles/"_s + id).json().value(u"state"_s).toString(), u"queued"_s);
    QCOMPARE(call(control_, "POST", u"/control/v1/jobs/claim"_s, json("{'worker':'wf','leaseSeconds':10}")).status, 200);
    r = call(control_, "POST", u"/control/v1/jobs/%1/fail"_s.arg(job), json("{'worker':'wf','reason':'corrupt input'}"));
    QCOMPARE(r.status, 200);
    const QJsonObject t = call(control_, "GET", u"/control/v1/titles/"_s + id).json();
    QCOMPARE(t.value(u"state"_s).toString(), u"failed"_s);
    QCOMPARE(t.value(u"reason"_s).toString(), u"corrupt input"_s);
  }

  void deleteKeepsTitleWhenOriginIsDown() {
    const QString id = readyTitle(control_);
    QVERIFY(!id.isEmpty());
    QVERIFY(call(api_, "GET", u"/api/v1/titles/"_s + id).json().contains(u"manifests"_s));
    origin_->stop();
    const Reply r = call(api_, "DELETE", u"/api/v1/titles/"_s + id);
    QCOMPARE(r.status, 502);
    QCOMPARE(r.errorCode(), u"bad_gateway"_s);
    QCOMPARE(call(control_, "GET", u"/control/v1/titles/"_s + id).status, 200);  // still listed: delete can be repeated
  }

  void originInSameProcess() {
    Platform p;
    p.captureLog();
    QString err;
    QVERIFY2(p.start({u"--role=control,origin,api"_s, u"--control-listen=127.0.0.1:0"_s, u"--origin-listen=127.0.0.1:0"_s,
                      u"--api-listen=127.0.0.1:0"_s},
                     &err),
             qPrintable(err));
    p.authorizeAll();
    const QString id = readyTitle(p.url(u"control"_s));
    QVERIFY(!id.isEmpty());
    const QJsonObject t = call(p.url(u"api"_s), "GET", u"/api/v1/titles/"_s + id).json();
    const QString origin = p.url(u"origin"_s).toString(QUrl::StripTrailingSlash);
    const QString dash = t.value(u"manifests"_s).toObject().value(u"dash"_s).toString();
    QVERIFY2(dash.startsWith(origin + u"/m/p1."_s) && dash.endsWith(u'/' + id + u"/manifest.mpd"_s), qPrintable(dash));
    QCOMPARE(call(p.url(u"api"_s), "DELETE", u"/api/v1/titles/"_s + id).status, 204);
    QCOMPARE(call(p.url(u"control"_s), "GET", u"/control/v1/titles/"_s + id).status, 404);
  }

  void controlUnreachableIs502() {
    QTcpServer probe;  // a port nothing listens on once closed
    QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
    const quint16 dead = probe.serverPort();
    probe.close();
    Platform p;
    p.captureLog();
    QString err;
    QVERIFY2(p.start({u"--role=api"_s, u"--api-listen=127.0.0.1:0"_s, u"--control=http://127.0.0.1:%1"_s.arg(dead)}, &err),
             qPrintable(err));
    p.authorizeAll();
    for (const QString &path : {u"/api/v1/titles"_s, u"/api/v1/titles/t_whatever"_s}) {
      const Reply r = call(p.url(u"api"_s), "GET", path);
      QCOMPARE(r.status, 502);
      QCOMPARE(r.errorCode(), u"bad_gateway"_s);
    }
    QCOMPARE(call(p.url(u"api"_s), "DELETE", u"/api/v1/titles/t_whatever"_s).status, 502);
  }
};

QTEST_GUILESS_MAIN(TestCatalogueApi)
#include "tst_catalogue_api.moc"
