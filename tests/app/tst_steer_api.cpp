// Steering and fill planning in the real `platform` binary (control, origin and api
// in one process) with two edges played by the test: each heartbeats to control on
// its own (every 150 ms, announcing a 500 ms interval, regions a and b) and answers
// prefetch jobs on a test-owned HTTP server. Checks /control/v1/edges and
// /control/v1/steer, that an edge that falls silent leaves steering within two of
// its intervals, api's playback start (steered sources, origin last, 404/409), the
// /api/v1/delivery relays, a fill run that records the job ids the edges answered
// and their progress from the next heartbeat, scheduled fills, a bad steer-regions
// stopping control, and the fallbacks when control is down.

#include "support/fakeedge.h"
#include "support/rawhttp.h"
#include "support/stack.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMutex>
#include <QTcpServer>
#include <QTest>
#include <QThread>
#include <QUrl>

#include <atomic>
#include <map>
#include <thread>

using namespace Qt::StringLiterals;

namespace {

using rs::test::call;
using rs::test::Platform;
using rs::test::Reply;

// JSON written with single quotes (moc's preprocessor does not read raw strings).
QByteArray json(const char *text) { return QByteArray(text).replace('\'', '"'); }

QStringList edgeIds(const QJsonObject &steer) {
  QStringList out;
  for (const QJsonValue &v : steer.value(u"edges"_s).toArray()) out << v[u"instanceId"_s].toString();
  return out;
}

QJsonObject findById(const QJsonArray &list, const QString &key, const QString &id) {
  for (const QJsonValue &v : list)
    if (v[key].toString() == id) return v.toObject();
  return {};
}

quint16 deadPort() {
  QTcpServer probe;  // a port nothing listens on once closed
  if (!probe.listen(QHostAddress::LocalHost, 0)) return 0;
  const quint16 port = probe.serverPort();
  probe.close();
  return port;
}

using rs::test::FakeEdge;

// Heartbeats for the fake edges from a thread of its own, so a blocking test call
// never makes an edge look silent.
class Heartbeater {
 public:
  // Each fake edge signs as process "<suffix of its id>" with the stack's cluster key,
  // the way a real edge process would.
  Heartbeater(QUrl control, QString keyFile)
      : control_(std::move(control)), keyFile_(std::move(keyFile)), thread_([this] { loop(); }) {}
  ~Heartbeater() {
    stop_ = true;
    thread_.join();
  }
  void beat(const QString &id, const QString &url, const QJsonObject &load) {
    const QJsonObject body{{u"instanceId"_s, id},       {u"role"_s, u"edge"_s},           {u"url"_s, url},
                           {u"version"_s, u"test"_s},   {u"heartbeatIntervalMs"_s, 500}, {u"expiryHeartbeats"_s, 10},
                           {u"load"_s, load}};
    const QByteArray auth = rs::test::serviceAuthorization(keyFile_, u"edge"_s, id.section(u'-', -1));
    QMutexLocker lock(&mutex_);
    edges_[id].body = QJsonDocument(body).toJson(QJsonDocument::Compact);
    edges_[id].auth = auth;
    edges_[id].on = true;
  }
  // Stops beating; answers when the last heartbeat control accepted was sent (after
  // any beat in flight has landed).
  qint64 silence(const QString &id) {
    qint64 round;
    {
      QMutexLocker lock(&mutex_);
      edges_[id].on = false;
      round = rounds_;
    }
    while (rounds_ < round + 2) QThread::msleep(5);
    QMutexLocker lock(&mutex_);
    return edges_[id].lastOkMs;
  }
  // Waits for one more accepted heartbeat of `id` (its latest body).
  bool waitForBeat(const QString &id, int ms = 3000) {
    qint64 since;
    {
      QMutexLocker lock(&mutex_);
      since = edges_[id].lastOkMs;
    }
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < ms) {
      QThread::msleep(20);
      QMutexLocker lock(&mutex_);
      if (edges_[id].lastOkMs > since) return true;
    }
    return false;
  }

 private:
  struct Edge {
    QByteArray body;
    QByteArray auth;
    bool on = false;
    qint64 lastOkMs = 0;
  };
  void loop() {
    while (!stop_) {
      std::vector<std::tuple<QString, QByteArray, QByteArray>> due;
      {
        QMutexLocker lock(&mutex_);
        for (const auto &[id, e] : edges_)
          if (e.on) due.emplace_back(id, e.body, e.auth);
      }
      for (const auto &[id, body, auth] : due) {
        const qint64 sent = QDateTime::currentMSecsSinceEpoch();
        const Reply r = rs::test::callAs(auth, control_, "POST", u"/control/v1/heartbeat"_s, body);
        QMutexLocker lock(&mutex_);
        if (r.status == 204) edges_[id].lastOkMs = sent;
      }
      ++rounds_;
      for (int i = 0; i < 15 && !stop_; ++i) QThread::msleep(10);
    }
  }

  QUrl control_;
  QString keyFile_;
  QMutex mutex_;
  std::map<QString, Edge> edges_;
  std::atomic<bool> stop_{false};
  std::atomic<qint64> rounds_{0};
  std::thread thread_;
};

const char *kCompletion =
    "{'worker':'ready-maker','renditions':[{'id':'240p','kind':'video','codec':'h264','codecs':'avc1.64000d',"
    "'width':426,'height':240,'bandwidth':300000}],'durationSeconds':6.0,'segmentSeconds':2.0,"
    "'assets':{'dash':'manifest.mpd','hls':'master.m3u8','poster':'poster.jpg'}}";

}  // namespace

class TestSteerApi : public QObject {
  Q_OBJECT

 private:
  std::unique_ptr<Platform> p_;
  std::unique_ptr<FakeEdge> edgeA_, edgeB_;
  std::unique_ptr<Heartbeater> beats_;
  QUrl control_, api_, origin_;
  QString readyA_, readyB_;

  QJsonObject loadA(const QJsonArray &prefetch = {}) const {
    return QJsonObject{{u"region"_s, u"a"_s},
                       {u"coordinates"_s, QJsonObject{{u"lat"_s, 52.5}, {u"lon"_s, 13.4}}},
                       {u"capacityMbps"_s, 1000},
                       {u"bytesPerSecond"_s, 1250000},
                       {u"connections"_s, 3},
                       {u"titles"_s, QJsonArray{}},
                       {u"prefetch"_s, prefetch}};
  }
  QJsonObject loadB() const {
    return QJsonObject{{u"region"_s, u"b"_s}, {u"capacityMbps"_s, 3000}, {u"bytesPerSecond"_s, 0}, {u"healthy"_s, true}};
  }

  QString readyTitle(const char *name) {
    const Reply created = call(control_, "POST", u"/control/v1/titles"_s, u"{\"name\":\"%1\"}"_s.arg(QLatin1String(name)).toUtf8());
    if (created.status != 201) return {};
    const QString id = created.json().value(u"id"_s).toString();
    if (call(control_, "POST", u"/control/v1/jobs"_s, u"{\"titleId\":\"%1\"}"_s.arg(id).toUtf8()).status != 201) return {};
    const Reply claimed = call(control_, "POST", u"/control/v1/jobs/claim"_s, json("{'worker':'ready-maker','leaseSeconds':30}"));
    if (claimed.status != 200) return {};
    const Reply done = call(control_, "POST", u"/control/v1/jobs/%1/complete"_s.arg(claimed.json().value(u"id"_s).toString()),
                            json(kCompletion));
    return done.status == 200 ? id : QString();
  }

  QJsonObject steer(const QString &query) {
    const Reply r = call(control_, "GET", u"/control/v1/steer?"_s + query);
    if (r.status != 200) qWarning() << r.describe();
    return r.json();
  }

 private Q_SLOTS:
  void initTestCase() {
    edgeA_ = std::make_unique<FakeEdge>(u"p_edgea0001"_s);
    edgeB_ = std::make_unique<FakeEdge>(u"p_edgeb0001"_s);
    p_ = std::make_unique<Platform>();
    p_->captureLog();
    QString err;
    QVERIFY2(p_->start({u"--role=control,origin,api"_s, u"--control-listen=127.0.0.1:0"_s, u"--origin-listen=127.0.0.1:0"_s,
                        u"--api-listen=127.0.0.1:0"_s, u"--steer-regions=127.0.0.0/8=a,10.2.0.0/16=b,2001:db8::/32=b"_s,
                        u"--fill-interval=0"_s, u"--fill-top-n=5"_s},
                       &err),
             qPrintable(err));
    control_ = p_->url(u"control"_s);
    api_ = p_->url(u"api"_s);
    origin_ = p_->url(u"origin"_s);
    p_->authorizeAll();
    beats_ = std::make_unique<Heartbeater>(control_, rs::test::clusterKeyFile(p_->dataDir()));
    beats_->beat(u"edge-a"_s, edgeA_->url(), loadA());
    beats_->beat(u"edge-b"_s, edgeB_->url(), loadB());
    QVERIFY(beats_->waitForBeat(u"edge-a"_s));
    QVERIFY(beats_->waitForBeat(u"edge-b"_s));
    readyA_ = readyTitle("Popular in a");
    readyB_ = readyTitle("Pinned for b");
    QVERIFY(!readyA_.isEmpty() && !readyB_.isEmpty());
  }
  void cleanupTestCase() {
    beats_.reset();
    p_.reset();
    edgeA_.reset();
    edgeB_.reset();
  }

  void badSteerRegionsStopControl() {
    Platform bad;
    bad.captureLog();
    QVERIFY(bad.start({u"--role=control"_s, u"--control-listen=127.0.0.1:0"_s, u"--steer-regions=10.0.0.0/8=a,10.1.0.0/40=b"_s}) ==
            false);
    QVERIFY(bad.exitCode() != 0);
    QVERIFY2(bad.log().contains(u"steer-regions: entry '10.1.0.0/40=b'"_s), qPrintable(bad.log()));
  }

  void edgesView() {
    const Reply r = call(control_, "GET", u"/control/v1/edges"_s);
    QCOMPARE(r.status, 200);
    const QJsonObject j = r.json();
    QCOMPARE(j.value(u"heartbeatIntervalMs"_s).toInt(), 2000);  // control's own (--heartbeat-interval default)
    const QJsonArray edges = j.value(u"edges"_s).toArray();
    QCOMPARE(edges.size(), 2);  // the platform's own roles are not edges
    const QJsonObject a = findById(edges, u"instanceId"_s, u"edge-a"_s);
    QCOMPARE(a.value(u"url"_s).toString(), edgeA_->url());
    QCOMPARE(a.value(u"region"_s).toString(), u"a"_s);
    QCOMPARE(a.value(u"capacityMbps"_s).toDouble(), 1000.0);
    QCOMPARE(a.value(u"coordinates"_s).toObject().value(u"lat"_s).toDouble(), 52.5);
    QCOMPARE(a.value(u"healthy"_s).toBool(), true);
    QCOMPARE(a.value(u"live"_s).toBool(), true);
    QVERIFY(QDateTime::currentMSecsSinceEpoch() - a.value(u"lastSeenMs"_s).toInteger() < 2000);
    QCOMPARE(a.value(u"load"_s).toObject().value(u"connections"_s).toInt(), 3);
    const QJsonObject b = findById(edges, u"instanceId"_s, u"edge-b"_s);
    QCOMPARE(b.value(u"region"_s).toString(), u"b"_s);
    QCOMPARE(b.value(u"capacityMbps"_s).toDouble(), 3000.0);
    QVERIFY(b.value(u"coordinates"_s).isNull());
  }

  void steeringByRegion() {
    // No region, no address: the caller's address (127.0.0.1) is in region a.
    QJsonObject s = steer(u"title=t_anything"_s);
    QCOMPARE(s.value(u"title"_s).toString(), u"t_anything"_s);
    QCOMPARE(s.value(u"region"_s).toString(), u"a"_s);
    QCOMPARE(s.value(u"regionSource"_s).toString(), u"address"_s);
    QCOMPARE(s.value(u"address"_s).toString(), u"127.0.0.1"_s);
    QCOMPARE(edgeIds(s), (QStringList{u"edge-a"_s, u"edge-b"_s}));
    const QJsonObject first = s.value(u"edges"_s).toArray().at(0).toObject();
    QCOMPARE(first.value(u"rank"_s).toInt(), 1);
    QCOMPARE(first.value(u"url"_s).toString(), edgeA_->url());
    QVERIFY2(first.value(u"reason"_s).toString().startsWith(u"region a (client's); rendezvous rank 1 of 1 in region"_s),
             qPrintable(first.value(u"reason"_s).toString()));
    QVERIFY(first.value(u"score"_s).toDouble() > 0);
    QCOMPARE(first.value(u"overloaded"_s).toBool(), false);

    s = steer(u"title=t_anything&address=10.2.9.9"_s);
    QCOMPARE(s.value(u"region"_s).toString(), u"b"_s);
    QCOMPARE(edgeIds(s), (QStringList{u"edge-b"_s, u"edge-a"_s}));
    s = steer(u"title=t_anything&address=2001:db8::7"_s);
    QCOMPARE(s.value(u"region"_s).toString(), u"b"_s);
    s = steer(u"title=t_anything&region=b&address=127.0.0.1"_s);
    QCOMPARE(s.value(u"regionSource"_s).toString(), u"query"_s);
    QCOMPARE(edgeIds(s).first(), u"edge-b"_s);
    s = steer(u"title=t_anything&address=192.0.2.1"_s);
    QCOMPARE(s.value(u"region"_s).toString(), u"default"_s);
    QCOMPARE(s.value(u"regionSource"_s).toString(), u"default"_s);
    QCOMPARE(edgeIds(s).size(), 2);
    const QJsonArray both = s.value(u"edges"_s).toArray();
    QVERIFY(both[0][u"score"_s].toDouble() >= both[1][u"score"_s].toDouble());

    Reply r = call(control_, "GET", u"/control/v1/steer"_s);
    QCOMPARE(r.status, 400);
    QCOMPARE(r.errorCode(), u"bad_request"_s);
    r = call(control_, "GET", u"/control/v1/steer?title=t_x&address=not-an-ip"_s);
    QCOMPARE(r.status, 400);

    // Playback: the same answer, one view counted for (title, region).
    r = call(control_, "POST", u"/control/v1/playback"_s, json("{'title':'t_unlisted','address':'10.2.0.1'}"));
    QCOMPARE(r.status, 200);
    QCOMPARE(r.json().value(u"region"_s).toString(), u"b"_s);
    QCOMPARE(edgeIds(r.json()), (QStringList{u"edge-b"_s, u"edge-a"_s}));
    QCOMPARE(call(control_, "POST", u"/control/v1/playback"_s, json("{'address':'10.2.0.1'}")).status, 400);
    QCOMPARE(call(control_, "POST", u"/control/v1/playback"_s, json("{'title':'t_x','adress':'10.2.0.1'}")).status, 400);
  }

  void playbackThroughApi() {
    Reply r = call(api_, "POST", u"/api/v1/titles/%1/playback"_s.arg(readyA_));
    QCOMPARE(r.status, 200);
    QJsonObject j = r.json();
    QCOMPARE(j.value(u"title"_s).toString(), readyA_);
    QCOMPARE(j.value(u"region"_s).toString(), u"a"_s);
    QJsonArray edges = j.value(u"edges"_s).toArray();
    QCOMPARE(edges.size(), 2);
    QCOMPARE(edges[0][u"url"_s].toString(), edgeA_->url());
    QVERIFY(!edges[0][u"reason"_s].toString().isEmpty());
    QJsonArray sources = j.value(u"sources"_s).toArray();
    QCOMPARE(sources.size(), 3);
    // Every source carries the playback token the answer hands the player.
    const QJsonObject token = j.value(u"playbackToken"_s).toObject();
    QVERIFY2(token.value(u"value"_s).toString().startsWith(u"p1."_s), qPrintable(r.describe()));
    QCOMPARE(token.value(u"renewUrl"_s).toString(), u"/api/v1/titles/%1/playback/renew"_s.arg(readyA_));
    QCOMPARE(token.value(u"renewAfterSeconds"_s).toInt(), 150);
    const QString media = u"/m/"_s + token.value(u"value"_s).toString() + u'/' + readyA_;
    QCOMPARE(sources[0][u"base"_s].toString(), edgeA_->url());
    QCOMPARE(sources[0][u"dash"_s].toString(), edgeA_->url() + media + u"/manifest.mpd"_s);
    QCOMPARE(sources[0][u"hls"_s].toString(), edgeA_->url() + media + u"/master.m3u8"_s);
    QCOMPARE(sources[0][u"reason"_s].toString(), edges[0][u"reason"_s].toString());
    QCOMPARE(sources[1][u"base"_s].toString(), edgeB_->url());
    const QString origin = origin_.toString(QUrl::StripTrailingSlash);
    QCOMPARE(sources[2][u"base"_s].toString(), origin);
    QCOMPARE(sources[2][u"dash"_s].toString(), origin + media + u"/manifest.mpd"_s);
    QCOMPARE(sources[2][u"reason"_s].toString(), u"origin (no edge left)"_s);

    // A viewer asking for region b; twice, so b counts two views of this title.
    for (int i = 0; i < 2; ++i) {
      r = call(api_, "POST", u"/api/v1/titles/%1/playback"_s.arg(readyA_), json("{'region':'b'}"));
      QCOMPARE(r.status, 200);
      QCOMPARE(r.json().value(u"sources"_s).toArray().at(0)[u"base"_s].toString(), edgeB_->url());
    }

    QCOMPARE(call(api_, "POST", u"/api/v1/titles/t_doesnotexist/playback"_s).status, 404);
    const Reply uploading = call(control_, "POST", u"/control/v1/titles"_s, json("{'name':'Uploading'}"));
    const QString notReady = uploading.json().value(u"id"_s).toString();
    r = call(api_, "POST", u"/api/v1/titles/%1/playback"_s.arg(notReady));
    QCOMPARE(r.status, 409);
    QCOMPARE(r.errorCode(), u"conflict"_s);
    QCOMPARE(call(api_, "POST", u"/api/v1/titles/%1/playback"_s.arg(readyA_), "[1]").status, 400);

    // The views landed: region a has one, region b two.
    const QJsonObject plan = call(control_, "GET", u"/control/v1/fill"_s).json().value(u"plan"_s).toObject();
    QCOMPARE(findById(plan.value(u"a"_s).toArray(), u"title"_s, readyA_).value(u"views"_s).toInt(), 1);
    QCOMPARE(findById(plan.value(u"b"_s).toArray(), u"title"_s, readyA_).value(u"views"_s).toInt(), 2);
  }

  void deliveryRelays() {
    Reply r = call(api_, "GET", u"/api/v1/delivery/edges"_s);
    QCOMPARE(r.status, 200);
    QCOMPARE(r.json().value(u"edges"_s).toArray().size(), 2);

    // The viewer's address goes along; a region may be asked for.
    r = call(api_, "GET", u"/api/v1/delivery/steer?title=t_relay"_s);
    QCOMPARE(r.status, 200);
    QCOMPARE(r.json().value(u"address"_s).toString(), u"127.0.0.1"_s);
    QCOMPARE(r.json().value(u"regionSource"_s).toString(), u"address"_s);
    QCOMPARE(edgeIds(r.json()).first(), u"edge-a"_s);
    r = call(api_, "GET", u"/api/v1/delivery/steer?title=t_relay&region=b"_s);
    QCOMPARE(r.json().value(u"region"_s).toString(), u"b"_s);
    QCOMPARE(edgeIds(r.json()).first(), u"edge-b"_s);
    r = call(api_, "GET", u"/api/v1/delivery/steer"_s);
    QCOMPARE(r.status, 400);  // control's answer passed through
    QCOMPARE(r.errorCode(), u"bad_request"_s);

    r = call(api_, "PUT", u"/api/v1/delivery/fill/pins/%1"_s.arg(readyB_), json("{'regions':['b']}"));
    QCOMPARE(r.status, 200);
    QCOMPARE(r.json().value(u"title"_s).toString(), readyB_);
    QCOMPARE(r.json().value(u"regions"_s).toArray(), QJsonArray{u"b"_s});
    QCOMPARE(call(api_, "PUT", u"/api/v1/delivery/fill/pins/t_doesnotexist"_s, "{}").status, 404);
    QCOMPARE(call(api_, "PUT", u"/api/v1/delivery/fill/pins/%1"_s.arg(readyB_), json("{'regions':'b'}")).status, 400);

    r = call(api_, "GET", u"/api/v1/delivery/fill"_s);
    QCOMPARE(r.status, 200);
    const QJsonObject fill = r.json();
    QCOMPARE(fill.value(u"intervalSeconds"_s).toInt(), 0);
    QCOMPARE(fill.value(u"topN"_s).toInt(), 5);
    QCOMPARE(fill.value(u"pins"_s).toArray().size(), 1);
    QVERIFY(fill.value(u"lastRun"_s).isNull());
    const QJsonArray planB = fill.value(u"plan"_s).toObject().value(u"b"_s).toArray();
    QCOMPARE(planB.size(), 2);
    QCOMPARE(planB[0][u"title"_s].toString(), readyA_);
    QCOMPARE(planB[1][u"title"_s].toString(), readyB_);
    QCOMPARE(planB[1][u"pinned"_s].toBool(), true);
    QVERIFY(findById(fill.value(u"plan"_s).toObject().value(u"a"_s).toArray(), u"title"_s, readyB_).isEmpty());
  }

  void fillRunSendsPrefetchJobs() {
    Reply r = call(control_, "POST", u"/control/v1/fill/run"_s);
    QCOMPARE(r.status, 200);
    QJsonObject run = r.json();
    QCOMPARE(run.value(u"trigger"_s).toString(), u"manual"_s);
    const QJsonArray sends = run.value(u"sends"_s).toArray();
    QCOMPARE(sends.size(), 2);
    const QJsonObject a = findById(sends, u"instanceId"_s, u"edge-a"_s);
    QCOMPARE(a.value(u"status"_s).toString(), u"sent"_s);
    QCOMPARE(a.value(u"jobId"_s).toString(), u"p_edgea0001"_s);
    QCOMPARE(a.value(u"url"_s).toString(), edgeA_->url());
    QCOMPARE(a.value(u"region"_s).toString(), u"a"_s);
    QCOMPARE(a.value(u"titles"_s).toArray(), QJsonArray{readyA_});
    const QJsonObject b = findById(sends, u"instanceId"_s, u"edge-b"_s);
    QCOMPARE(b.value(u"jobId"_s).toString(), u"p_edgeb0001"_s);
    QCOMPARE(b.value(u"titles"_s).toArray(), (QJsonArray{readyA_, readyB_}));

    // What the edges were sent.
    QCOMPARE(edgeA_->bodies().size(), 1);
    QCOMPARE(edgeA_->bodies().at(0), (QJsonObject{{u"titles"_s, QJsonArray{readyA_}}}));
    QCOMPARE(edgeB_->bodies().at(0), (QJsonObject{{u"titles"_s, QJsonArray{readyA_, readyB_}}}));

    // Edge a reports the job's progress in its heartbeat; the fill view shows it.
    const QJsonObject job{{u"id"_s, u"p_edgea0001"_s}, {u"state"_s, u"running"_s}, {u"total"_s, 40},
                          {u"done"_s, 12},             {u"failed"_s, 0},           {u"bytes"_s, 123}};
    beats_->beat(u"edge-a"_s, edgeA_->url(), loadA(QJsonArray{job}));
    QVERIFY(beats_->waitForBeat(u"edge-a"_s));
    QVERIFY(beats_->waitForBeat(u"edge-a"_s));  // the one after the change surely carries it
    const QJsonObject last = call(api_, "GET", u"/api/v1/delivery/fill"_s).json().value(u"lastRun"_s).toObject();
    QCOMPARE(last.value(u"startedMs"_s), run.value(u"startedMs"_s));
    QCOMPARE(findById(last.value(u"sends"_s).toArray(), u"instanceId"_s, u"edge-a"_s).value(u"progress"_s).toObject(), job);
    QVERIFY(findById(last.value(u"sends"_s).toArray(), u"instanceId"_s, u"edge-b"_s).value(u"progress"_s).isNull());

    // Through the api as well; then unpin.
    r = call(api_, "POST", u"/api/v1/delivery/fill/run"_s);
    QCOMPARE(r.status, 200);
    QCOMPARE(r.json().value(u"sends"_s).toArray().size(), 2);
    QCOMPARE(edgeA_->bodies().size(), 2);
    QCOMPARE(call(api_, "DELETE", u"/api/v1/delivery/fill/pins/%1"_s.arg(readyB_)).status, 204);
    QCOMPARE(call(api_, "DELETE", u"/api/v1/delivery/fill/pins/%1"_s.arg(readyB_)).status, 404);
  }

  void silentEdgeLeavesSteeringWithinTwoIntervals() {
    QVERIFY(beats_->waitForBeat(u"edge-b"_s));
    const qint64 lastBeat = beats_->silence(u"edge-b"_s);
    QVERIFY(lastBeat > 0);
    // Control saw the last beat at or after lastBeat. The first answer without edge-b:
    // asked at `askedAt`, answered at `answeredAt`.
    qint64 askedAt = 0, answeredAt = 0;
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < 5000) {
      const qint64 asked = QDateTime::currentMSecsSinceEpoch();
      const QJsonObject s = steer(u"title=t_anything&address=10.2.0.1"_s);
      if (!edgeIds(s).contains(u"edge-b"_s)) {
        askedAt = asked;
        answeredAt = QDateTime::currentMSecsSinceEpoch();
        QCOMPARE(edgeIds(s), QStringList{u"edge-a"_s});  // the live one still steers region b's viewers
        break;
      }
      QThread::msleep(20);
    }
    QVERIFY2(askedAt > 0, "edge-b still steered 5 s after its last heartbeat");
    // Live means heard from within 2 × 500 ms: never gone earlier; gone soon after
    // (the slack covers the poll period and a busy machine).
    QVERIFY2(answeredAt - lastBeat > 1000, qPrintable(u"gone after only %1 ms"_s.arg(answeredAt - lastBeat)));
    QVERIFY2(askedAt - lastBeat <= 1000 + 300, qPrintable(u"gone %1 ms after the last heartbeat"_s.arg(askedAt - lastBeat)));

    // Still listed (it expires after 10 intervals), as not live.
    const QJsonArray edges = call(control_, "GET", u"/control/v1/edges"_s).json().value(u"edges"_s).toArray();
    QCOMPARE(findById(edges, u"instanceId"_s, u"edge-b"_s).value(u"live"_s).toBool(true), false);
    QCOMPARE(findById(edges, u"instanceId"_s, u"edge-a"_s).value(u"live"_s).toBool(), true);
    // And no fill goes to it.
    const QJsonObject run = call(control_, "POST", u"/control/v1/fill/run"_s).json();
    QCOMPARE(run.value(u"sends"_s).toArray().size(), 1);

    // An unhealthy edge is left out as well, though live.
    QJsonObject sick = loadA();
    sick.insert(u"healthy"_s, false);
    beats_->beat(u"edge-a"_s, edgeA_->url(), sick);
    QVERIFY(beats_->waitForBeat(u"edge-a"_s));
    QVERIFY(beats_->waitForBeat(u"edge-a"_s));
    QCOMPARE(steer(u"title=t_anything"_s).value(u"edges"_s).toArray().size(), 0);
    beats_->beat(u"edge-a"_s, edgeA_->url(), loadA());
  }

  void scheduledFill() {
    Platform p;
    p.captureLog();
    QString err;
    QVERIFY2(p.start({u"--role=control"_s, u"--control-listen=127.0.0.1:0"_s, u"--fill-interval=1"_s}, &err), qPrintable(err));
    p.authorizeAll();
    QCOMPARE(call(p.url(u"control"_s), "GET", u"/control/v1/fill"_s).json().value(u"intervalSeconds"_s).toInt(), 1);
    QJsonValue last;
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < 4000 && last.isNull()) {
      QThread::msleep(100);
      last = call(p.url(u"control"_s), "GET", u"/control/v1/fill"_s).json().value(u"lastRun"_s);
    }
    QVERIFY2(last.isObject(), "no scheduled fill within 4 s at --fill-interval=1");
    QCOMPARE(last[u"trigger"_s].toString(), u"schedule"_s);
  }

  void controlDownMeansOriginOnlyAnd502() {
    const quint16 dead = deadPort();
    QVERIFY(dead > 0);
    // Its own copy of a cluster key, as a split-off api and origin would have.
    const rs::test::TestKeyRing keys;
    Platform p;
    p.captureLog();
    QString err;
    QVERIFY2(p.start({u"--role=origin,api"_s, u"--origin-listen=127.0.0.1:0"_s, u"--api-listen=127.0.0.1:0"_s,
                      u"--control=http://127.0.0.1:%1"_s.arg(dead), u"--cluster-key-file="_s + keys.file()},
                     &err),
             qPrintable(err));
    p.authorizeAll();
    const QUrl api = p.url(u"api"_s);
    for (const QString &path : {u"/api/v1/delivery/edges"_s, u"/api/v1/delivery/steer?title=t_x"_s, u"/api/v1/delivery/fill"_s}) {
      const Reply r = call(api, "GET", path);
      QCOMPARE(r.status, 502);
      QCOMPARE(r.errorCode(), u"bad_gateway"_s);
    }
    QCOMPARE(call(api, "POST", u"/api/v1/delivery/fill/run"_s).status, 502);
    QCOMPARE(call(api, "PUT", u"/api/v1/delivery/fill/pins/t_x"_s, "{}").status, 502);
    QCOMPARE(call(api, "DELETE", u"/api/v1/delivery/fill/pins/t_x"_s).status, 502);

    // Playback still starts: from the origin, saying why there is no steering.
    const Reply r = call(api, "POST", u"/api/v1/titles/t_somewhere/playback"_s);
    QCOMPARE(r.status, 200);
    const QJsonArray sources = r.json().value(u"sources"_s).toArray();
    QCOMPARE(sources.size(), 1);
    const QString origin = p.url(u"origin"_s).toString(QUrl::StripTrailingSlash);
    const QString token = r.json().value(u"playbackToken"_s)[u"value"_s].toString();
    QVERIFY(!token.isEmpty());
    QCOMPARE(sources[0][u"dash"_s].toString(), origin + u"/m/"_s + token + u"/t_somewhere/manifest.mpd"_s);
    QVERIFY2(sources[0][u"reason"_s].toString().startsWith(u"origin (no steering: control at"_s),
             qPrintable(sources[0][u"reason"_s].toString()));
    QCOMPARE(r.json().value(u"edges"_s).toArray().size(), 0);
  }
};

QTEST_GUILESS_MAIN(TestSteerApi)
#include "tst_steer_api.moc"
