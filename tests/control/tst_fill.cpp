// Fill planning over a real SQLite file: views counted per (title, region), each
// region's top N ready titles, pins for every region or some, titles that are not
// ready left out, pins going with their title, the delivery migration on a database
// made before it; and a fill run against real HTTP servers standing in for edges
// (the job id each answered, a refused send, progress read from the edge's next
// heartbeat).

#include "control/catalogue.h"
#include "control/controlschema.h"
#include "control/fillplanner.h"
#include "control/fillrunner.h"
#include "control/instanceregistry.h"
#include "control/pins.h"
#include "control/views.h"
#include "core/net/httpclient.h"
#include "support/fakeedge.h"
#include "support/rawhttp.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QMutex>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include <optional>

using namespace Qt::StringLiterals;
using namespace rs::control;
using rs::ErrorCode;
using rs::store::Database;

namespace {

QStringList titlesOf(const std::vector<PlanEntry> &entries) { return planTitles(entries); }

const PlanEntry *find(const std::vector<PlanEntry> &entries, const QString &id) {
  for (const PlanEntry &e : entries)
    if (e.titleId == id) return &e;
  return nullptr;
}

using rs::test::FakeEdge;

}  // namespace

class TestFill : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir dir_;
  std::unique_ptr<Database> db_;
  std::unique_ptr<Catalogue> cat_;
  std::unique_ptr<Views> views_;
  std::unique_ptr<Pins> pins_;
  std::unique_ptr<FillPlanner> planner_;
  qint64 now_ = 1'700'000'000'000;

  QString path() const { return dir_.filePath(u"control/control.db"_s); }
  void open() {
    auto db = Database::open(path(), controlMigrations());
    QVERIFY2(db.isOk(), qPrintable(db.status().message()));
    db_ = std::move(*db);
    auto clock = [this] { return now_; };
    cat_ = std::make_unique<Catalogue>(*db_, clock);
    views_ = std::make_unique<Views>(*db_, clock);
    pins_ = std::make_unique<Pins>(*db_, clock);
    planner_ = std::make_unique<FillPlanner>(*db_, *pins_);
  }
  void close() {
    planner_.reset();
    pins_.reset();
    views_.reset();
    cat_.reset();
    db_.reset();
  }
  QString title(const char *name, bool ready = true) {
    auto t = cat_->create(QJsonObject{{u"name"_s, QLatin1String(name)}});
    if (!t) return {};
    const QString id = t->value(u"id"_s).toString();
    if (ready) {
      if (!cat_->move(id, TitleState::Encoding, Mover::Queue)) return {};
      const QJsonObject assets{{u"dash"_s, u"manifest.mpd"_s}, {u"hls"_s, u"master.m3u8"_s}};
      if (!cat_->markReady(id, QJsonArray{}, assets, 6, 2)) return {};
    }
    return id;
  }
  void view(const QString &id, const QString &region, int times = 1) {
    for (int i = 0; i < times; ++i) {
      ++now_;
      QVERIFY(views_->count(id, region));
    }
  }
  FillPlan plan(const QStringList &regions, int topN) {
    auto p = planner_->plan(regions, topN);
    if (!p) qWarning() << p.status().message();
    return p ? *p : FillPlan{};
  }

 private Q_SLOTS:
  void init() {
    QVERIFY(dir_.isValid());
    QFile::remove(path());
    QFile::remove(path() + u"-wal"_s);
    QFile::remove(path() + u"-shm"_s);
    open();
  }
  void cleanup() { close(); }

  void viewsAreCountedPerRegion() {
    const QString a = title("A"), b = title("B");
    view(a, u"eu"_s, 3);
    view(a, u"us"_s, 1);
    view(b, u"us"_s, 2);
    QCOMPARE(*views_->views(a, u"eu"_s), qint64(3));
    QCOMPARE(*views_->views(a, u"us"_s), qint64(1));
    QCOMPARE(*views_->views(b, u"eu"_s), qint64(0));
    QCOMPARE(*views_->views(b, u"us"_s), qint64(2));

    const FillPlan p = plan({u"eu"_s, u"us"_s}, 10);
    QCOMPARE(titlesOf(p.at(u"eu"_s)), QStringList{a});
    QCOMPARE(p.at(u"eu"_s)[0].views, qint64(3));
    QCOMPARE(titlesOf(p.at(u"us"_s)), (QStringList{b, a}));
    QCOMPARE(p.at(u"us"_s)[0].views, qint64(2));
    QCOMPARE(p.at(u"us"_s)[1].views, qint64(1));
    QVERIFY(!p.at(u"us"_s)[0].pinned);

    // Counts survive closing the database.
    close();
    open();
    QCOMPARE(*views_->views(a, u"eu"_s), qint64(3));
  }

  void topNByViewsThenRecency() {
    QStringList ids;
    for (int i = 0; i < 6; ++i) ids << title("T");
    // Views 5,4,3,3,1,0 — the two 3s tie: the one viewed last ranks first.
    view(ids[0], u"eu"_s, 5);
    view(ids[1], u"eu"_s, 4);
    view(ids[3], u"eu"_s, 3);
    view(ids[2], u"eu"_s, 3);
    view(ids[4], u"eu"_s, 1);
    QCOMPARE(titlesOf(plan({u"eu"_s}, 3).at(u"eu"_s)), (QStringList{ids[0], ids[1], ids[2]}));
    QCOMPARE(titlesOf(plan({u"eu"_s}, 10).at(u"eu"_s)), (QStringList{ids[0], ids[1], ids[2], ids[3], ids[4]}));
    QVERIFY(plan({u"eu"_s}, 0).at(u"eu"_s).empty());
    // A region nobody watched in is planned, empty.
    const FillPlan p = plan({u"eu"_s, u"ap"_s}, 3);
    QCOMPARE(int(p.size()), 2);
    QVERIFY(p.at(u"ap"_s).empty());
  }

  void pinsForEveryRegionOrSome() {
    const QString popular = title("Popular"), everywhere = title("Everywhere"), usOnly = title("US only"),
                  both = title("EU and AP");
    view(popular, u"eu"_s, 9);
    view(popular, u"us"_s, 9);
    view(usOnly, u"us"_s, 1);

    auto p1 = pins_->put(everywhere, {});
    QVERIFY2(p1.isOk(), qPrintable(p1.status().message()));
    QVERIFY(p1->regions.isEmpty());
    QCOMPARE(p1->createdMs, now_);
    ++now_;
    QVERIFY(pins_->put(usOnly, {u"us"_s}));
    ++now_;
    QVERIFY(pins_->put(both, {u"eu"_s, u"ap"_s, u"eu"_s}));
    ++now_;
    QVERIFY(pins_->put(popular, {u"eu"_s}));  // pinned and popular: listed once, marked pinned

    // topN = 1: only the most viewed title of each region, then the pins on top.
    const FillPlan p = plan({u"eu"_s, u"us"_s, u"ap"_s}, 1);
    QCOMPARE(titlesOf(p.at(u"eu"_s)), (QStringList{popular, everywhere, both}));
    QVERIFY(p.at(u"eu"_s)[0].pinned);
    QCOMPARE(p.at(u"eu"_s)[0].views, qint64(9));
    QVERIFY(p.at(u"eu"_s)[1].pinned && p.at(u"eu"_s)[2].pinned);
    QCOMPARE(titlesOf(p.at(u"us"_s)), (QStringList{popular, everywhere, usOnly}));
    QVERIFY(!p.at(u"us"_s)[0].pinned);  // pinned for eu only
    QCOMPARE(find(p.at(u"us"_s), usOnly)->views, qint64(1));
    QCOMPARE(titlesOf(p.at(u"ap"_s)), (QStringList{everywhere, both}));

    // The JSON of the contract.
    const QJsonObject j = planToJson(p);
    const QJsonObject first = j.value(u"eu"_s).toArray().at(0).toObject();
    QCOMPARE(first.value(u"title"_s).toString(), popular);
    QCOMPARE(first.value(u"views"_s).toInt(), 9);
    QCOMPARE(first.value(u"pinned"_s).toBool(), true);

    // Re-pinning replaces the regions and keeps the creation time.
    const qint64 created = pins_->list()->at(0).createdMs;
    ++now_;
    auto again = pins_->put(everywhere, {u"ap"_s});
    QVERIFY(again.isOk());
    QCOMPARE(again->createdMs, created);
    QCOMPARE(again->regions, QStringList{u"ap"_s});
    QVERIFY(!find(plan({u"eu"_s}, 1).at(u"eu"_s), everywhere));
    QCOMPARE(again->toJson().value(u"title"_s).toString(), everywhere);

    // Unpinning; unknown titles and odd regions are refused.
    QVERIFY(pins_->remove(usOnly));
    QCOMPARE(pins_->remove(usOnly).code(), ErrorCode::NotFound);
    QVERIFY(!find(plan({u"us"_s}, 0).at(u"us"_s), usOnly));
    QCOMPARE(pins_->put(u"t_doesnotexist"_s, {}).status().code(), ErrorCode::NotFound);
    QCOMPARE(pins_->put(popular, {u"not a region"_s}).status().code(), ErrorCode::BadRequest);
    QCOMPARE(int(pins_->list()->size()), 3);

    // Pins persist, and go with their title.
    close();
    open();
    QCOMPARE(int(pins_->list()->size()), 3);
    QVERIFY(cat_->remove(both));
    QCOMPARE(int(pins_->list()->size()), 2);
  }

  void onlyReadyTitlesArePlanned() {
    const QString ready = title("Ready"), encoding = title("Encoding", false), pinnedEarly = title("Pinned early", false);
    QVERIFY(cat_->move(encoding, TitleState::Encoding, Mover::Queue));
    view(encoding, u"eu"_s, 50);  // watched a lot (say, by id), but nothing to prefetch
    view(ready, u"eu"_s, 1);
    view(u"t_unknown"_s, u"eu"_s, 99);  // a view of a title the catalogue never had
    QVERIFY(pins_->put(pinnedEarly, {}));
    QCOMPARE(titlesOf(plan({u"eu"_s}, 10).at(u"eu"_s)), QStringList{ready});

    // Once ready, both appear: the watched one by views, the pinned one as a pin.
    QVERIFY(cat_->markReady(encoding, QJsonArray{}, QJsonObject{}, 6, 2));
    QVERIFY(cat_->move(pinnedEarly, TitleState::Encoding, Mover::Queue));
    QVERIFY(cat_->markReady(pinnedEarly, QJsonArray{}, QJsonObject{}, 6, 2));
    QCOMPARE(titlesOf(plan({u"eu"_s}, 10).at(u"eu"_s)), (QStringList{encoding, ready, pinnedEarly}));
    // A failed title leaves the plan again.
    const QString failing = title("Failing", false);
    view(failing, u"eu"_s, 70);
    QVERIFY(cat_->move(failing, TitleState::Failed, Mover::Client, u"broken"_s));
    QVERIFY(!find(plan({u"eu"_s}, 10).at(u"eu"_s), failing));
  }

  void migratesADatabaseMadeBeforeDelivery() {
    close();
    QFile::remove(path());
    {
      std::vector<rs::store::Migration> before(controlMigrations().begin(), controlMigrations().begin() + 2);
      auto old = Database::open(path(), before);
      QVERIFY(old.isOk());
      QCOMPARE((*old)->userVersion(), 2);
      QVERIFY((*old)->exec("INSERT INTO instances(instance_id, role, url, first_seen_ms, last_seen_ms, expiry_ms)"
                           " VALUES ('edge-old', 'edge', 'http://127.0.0.1:2', ?, ?, 6000)",
                           {now_, now_}));
    }
    open();
    QCOMPARE(db_->userVersion(), int(controlMigrations().back().version));
    InstanceRegistry reg(*db_, 6000);
    // The row from before the migration: it never said how often it beats.
    const QJsonObject oldRow = reg.list(now_)->at(0).toObject();
    QCOMPARE(oldRow.value(u"instanceId"_s).toString(), u"edge-old"_s);
    QCOMPARE(oldRow.value(u"heartbeatIntervalMs"_s).toInt(), 0);
    QVERIFY(reg.heartbeat(QJsonObject{{u"instanceId"_s, u"e1"_s}, {u"role"_s, u"edge"_s}, {u"url"_s, u"http://127.0.0.1:1"_s},
                                      {u"heartbeatIntervalMs"_s, 500}, {u"expiryHeartbeats"_s, 4}},
                          now_));
    const QJsonObject inst = reg.list(now_)->at(0).toObject();  // "e1" sorts before "edge-old"
    QCOMPARE(inst.value(u"heartbeatIntervalMs"_s).toInt(), 500);
    QCOMPARE(inst.value(u"expiryMs"_s).toInt(), 2000);
    const QString t = title("After migration");
    view(t, u"eu"_s);
    QCOMPARE(*views_->views(t, u"eu"_s), qint64(1));
  }

  void runSendsEachLiveHealthyEdgeItsRegionsPlan() {
    FakeEdge eu(u"p_eu1"_s), us(u"p_us1"_s), refusing(u"p_never"_s, 503);
    QTcpServer probe;  // a port nothing listens on once closed
    QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
    const QString deadUrl = u"http://127.0.0.1:%1"_s.arg(probe.serverPort());
    probe.close();

    const QString euTitle = title("EU hit"), usTitle = title("US hit"), pinned = title("Pinned");
    view(euTitle, u"eu"_s, 3);
    view(usTitle, u"us"_s, 2);
    QVERIFY(pins_->put(pinned, {}));

    InstanceRegistry registry(*db_, 6000);
    qint64 clock = QDateTime::currentMSecsSinceEpoch();
    auto beat = [&](const QString &id, const QString &url, const QJsonObject &load, qint64 at) {
      QVERIFY(registry.heartbeat(QJsonObject{{u"instanceId"_s, id}, {u"role"_s, u"edge"_s}, {u"url"_s, url},
                                             {u"heartbeatIntervalMs"_s, 1000}, {u"expiryHeartbeats"_s, 10}, {u"load"_s, load}},
                                 at));
    };
    beat(u"edge-eu"_s, eu.url(), QJsonObject{{u"region"_s, u"eu"_s}}, clock);
    beat(u"edge-us"_s, us.url(), QJsonObject{{u"region"_s, u"us"_s}}, clock);
    beat(u"edge-us-refusing"_s, deadUrl, QJsonObject{{u"region"_s, u"us"_s}}, clock);
    beat(u"edge-us-503"_s, refusing.url(), QJsonObject{{u"region"_s, u"us"_s}}, clock);
    beat(u"edge-sick"_s, eu.url(), QJsonObject{{u"region"_s, u"eu"_s}, {u"healthy"_s, false}}, clock);
    beat(u"edge-silent"_s, eu.url(), QJsonObject{{u"region"_s, u"ap"_s}}, clock - 5000);  // not live: no "ap" plan

    rs::net::HttpClient client;
    FillRunner::Options o;
    o.topN = 5;
    o.defaultIntervalMs = 1000;
    FillRunner runner(registry, *planner_, &client, o);
    QVERIFY(runner.lastRun().isNull());

    auto plan = runner.currentPlan();
    QVERIFY(plan.isOk());
    QCOMPARE(int(plan->size()), 2);  // eu and us: the regions of live edges
    QCOMPARE(titlesOf(plan->at(u"eu"_s)), (QStringList{euTitle, pinned}));

    std::optional<rs::Result<QJsonObject>> done;
    runner.run(u"manual"_s, [&](rs::Result<QJsonObject> r) { done = std::move(r); });
    QTRY_VERIFY_WITH_TIMEOUT(done.has_value(), 10000);
    QVERIFY(done->isOk());
    const QJsonObject run = done->value();
    QCOMPARE(run.value(u"trigger"_s).toString(), u"manual"_s);
    QVERIFY(run.value(u"startedMs"_s).toInteger() > 0);
    QHash<QString, QJsonObject> sends;
    for (const QJsonValue &v : run.value(u"sends"_s).toArray()) sends.insert(v[u"instanceId"_s].toString(), v.toObject());
    QCOMPARE(QSet<QString>(sends.keyBegin(), sends.keyEnd()),
             (QSet<QString>{u"edge-eu"_s, u"edge-us"_s, u"edge-us-refusing"_s, u"edge-us-503"_s}));

    QCOMPARE(sends[u"edge-eu"_s][u"status"_s].toString(), u"sent"_s);
    QCOMPARE(sends[u"edge-eu"_s][u"jobId"_s].toString(), u"p_eu1"_s);
    QCOMPARE(sends[u"edge-eu"_s][u"region"_s].toString(), u"eu"_s);
    QCOMPARE(sends[u"edge-eu"_s][u"url"_s].toString(), eu.url());
    QCOMPARE(sends[u"edge-eu"_s][u"titles"_s].toArray(), (QJsonArray{euTitle, pinned}));
    QVERIFY(sends[u"edge-eu"_s][u"progress"_s].isNull());  // the edge has not reported the job yet
    QCOMPARE(sends[u"edge-us"_s][u"jobId"_s].toString(), u"p_us1"_s);
    QCOMPARE(sends[u"edge-us"_s][u"titles"_s].toArray(), (QJsonArray{usTitle, pinned}));
    QCOMPARE(sends[u"edge-us-refusing"_s][u"status"_s].toString(), u"failed"_s);
    QVERIFY(!sends[u"edge-us-refusing"_s][u"error"_s].toString().isEmpty());
    QVERIFY(sends[u"edge-us-refusing"_s][u"jobId"_s].isNull());
    QCOMPARE(sends[u"edge-us-503"_s][u"status"_s].toString(), u"failed"_s);
    QVERIFY2(sends[u"edge-us-503"_s][u"error"_s].toString().contains(u"503"_s),
             qPrintable(sends[u"edge-us-503"_s][u"error"_s].toString()));

    // What the edges received: exactly the titles, once (the sick edge got nothing).
    QCOMPARE(eu.bodies().size(), 1);
    QCOMPARE(eu.bodies()[0], (QJsonObject{{u"titles"_s, QJsonArray{euTitle, pinned}}}));
    QCOMPARE(us.bodies().size(), 1);

    // The edge reports the job in its next heartbeat: progress is read from there.
    const QJsonObject job{{u"id"_s, u"p_eu1"_s}, {u"state"_s, u"running"_s}, {u"total"_s, 40}, {u"done"_s, 12},
                          {u"failed"_s, 0}, {u"bytes"_s, 123}};
    beat(u"edge-eu"_s, eu.url(),
         QJsonObject{{u"region"_s, u"eu"_s}, {u"prefetch"_s, QJsonArray{QJsonObject{{u"id"_s, u"p_other"_s}}, job}}},
         QDateTime::currentMSecsSinceEpoch());
    const QJsonObject last = runner.lastRun().toObject();
    QCOMPARE(last.value(u"startedMs"_s), run.value(u"startedMs"_s));
    for (const QJsonValue &v : last.value(u"sends"_s).toArray()) {
      if (v[u"instanceId"_s].toString() == u"edge-eu"_s) QCOMPARE(v[u"progress"_s].toObject(), job);
      else QVERIFY(v[u"progress"_s].isNull());
    }
  }

  void runWithNothingToSend() {
    InstanceRegistry registry(*db_, 6000);
    rs::net::HttpClient client;
    FillRunner runner(registry, *planner_, &client, FillRunner::Options{});
    std::optional<rs::Result<QJsonObject>> done;
    runner.run(u"schedule"_s, [&](rs::Result<QJsonObject> r) { done = std::move(r); });
    QVERIFY(done.has_value());  // no edge: answered at once
    QCOMPARE(done->value().value(u"sends"_s).toArray().size(), 0);
    QCOMPARE(runner.lastRun().toObject().value(u"trigger"_s).toString(), u"schedule"_s);
  }
};

QTEST_GUILESS_MAIN(TestFill)
#include "tst_fill.moc"
