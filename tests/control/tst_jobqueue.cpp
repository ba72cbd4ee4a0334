// Tests for the encode job queue over a real SQLite file, with a clock the test
// moves: claim order, leases that run out (a dead worker) and are reclaimed with one
// more attempt, the attempt limit failing the title, lease_lost for stale workers,
// progress driving the title's state, completion, failure and retries, and two
// connections claiming concurrently from two threads.

#include "control/catalogue.h"
#include "control/controlschema.h"
#include "control/jobqueue.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>
#include <atomic>
#include <chrono>
#include <thread>

using namespace Qt::StringLiterals;
using namespace rs::control;
using rs::ErrorCode;
using rs::store::Database;

namespace {

// JSON written with single quotes (moc's preprocessor does not read raw strings).
QJsonObject obj(const char *json) { return QJsonDocument::fromJson(QByteArray(json).replace('\'', '"')).object(); }

QJsonObject by(const char *worker, const char *json = "{}") {
  QJsonObject o = obj(json);
  o.insert(u"worker"_s, QString::fromLatin1(worker));
  return o;
}

QJsonObject completion(const char *worker) {
  return by(worker,
            "{'renditions':[{'id':'240p','kind':'video','codecs':'avc1.64000d','bandwidth':300000},"
            "{'id':'aac','kind':'audio','codecs':'mp4a.40.2'}],"
            "'durationSeconds':10.0,'segmentSeconds':4.0,"
            "'assets':{'dash':'manifest.mpd','hls':'master.m3u8','poster':'poster.jpg','thumbnails':'thumbs.vtt'}}");
}

}  // namespace

class TestJobQueue : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir dir_;
  std::unique_ptr<Database> db_;
  std::unique_ptr<Catalogue> cat_;
  std::unique_ptr<JobQueue> q_;
  qint64 now_ = 1'700'000'000'000;

  QString path() const { return dir_.filePath(u"control.db"_s); }
  void open(int maxAttempts = 3) {
    q_.reset();
    cat_.reset();
    db_.reset();
    QFile::remove(path());
    QFile::remove(path() + u"-wal"_s);
    QFile::remove(path() + u"-shm"_s);
    auto db = Database::open(path(), controlMigrations());
    QVERIFY2(db.isOk(), qPrintable(db.status().message()));
    db_ = std::move(*db);
    auto clock = [this] { return now_; };
    cat_ = std::make_unique<Catalogue>(*db_, clock);
    q_ = std::make_unique<JobQueue>(*db_, *cat_, QueueOptions{maxAttempts, 30'000}, clock);
  }
  QString newTitle() { return cat_->create(obj("{'name':'clip'}"))->value(u"id"_s).toString(); }
  // A title with a queued job; returns the job id.
  QString queued(QString *titleId = nullptr) {
    const QString t = newTitle();
    if (titleId) *titleId = t;
    auto job = q_->create(QJsonObject{{u"titleId"_s, t}, {u"spec"_s, obj("{'ladder':['240p']}")}});
    if (!job) qWarning() << job.status().message();
    return job ? job->value(u"id"_s).toString() : QString();
  }
  QJsonObject claim(const char *worker, double leaseSeconds = 10) {
    auto c = q_->claim(QJsonObject{{u"worker"_s, QString::fromLatin1(worker)}, {u"leaseSeconds"_s, leaseSeconds}});
    if (!c) qWarning() << c.status().message();
    return c && *c ? **c : QJsonObject();
  }
  QString titleState(const QString &id) { return cat_->get(id)->value(u"state"_s).toString(); }
  QJsonObject title(const QString &id) { return *cat_->get(id); }

 private Q_SLOTS:
  void init() { open(); }
  void cleanup() {
    q_.reset();
    cat_.reset();
    db_.reset();
  }

  void createQueuesTitle() {
    QString t;
    const QString jobId = queued(&t);
    QVERIFY(jobId.startsWith(u"j_"_s));
    QCOMPARE(jobId.size(), 14);
    QCOMPARE(titleState(t), u"queued"_s);
    const QJsonObject job = title(t).value(u"job"_s).toObject();
    QCOMPARE(job.value(u"id"_s).toString(), jobId);
    QCOMPARE(job.value(u"state"_s).toString(), u"queued"_s);
    QCOMPARE(job.value(u"attempts"_s).toInt(), 0);
    QCOMPARE(q_->get(jobId)->value(u"spec"_s).toObject().value(u"ladder"_s).toArray().size(), 1);

    // One active job per title; unknown titles; bad bodies.
    QCOMPARE(q_->create(QJsonObject{{u"titleId"_s, t}}).status().code(), ErrorCode::Conflict);
    QCOMPARE(q_->create(obj("{'titleId':'t_nosuchtitle0'}")).status().code(), ErrorCode::NotFound);
    QCOMPARE(q_->create(obj("{}")).status().code(), ErrorCode::BadRequest);
    QCOMPARE(q_->create(obj("{'titleId':7}")).status().code(), ErrorCode::BadRequest);
    QCOMPARE(q_->create(QJsonObject{{u"titleId"_s, newTitle()}, {u"spec"_s, u"x"_s}}).status().code(), ErrorCode::BadRequest);
  }

  void claimsOldestFirst() {
    QStringList ids;
    for (int i = 0; i < 3; ++i) {
      ids << queued();
      now_ += 1000;
    }
    QString t;
    const QString jobId = queued(&t);
    ids << jobId;
    for (int i = 0; i < 4; ++i) {
      const QJsonObject c = claim("w1");
      QCOMPARE(c.value(u"id"_s).toString(), ids[i]);
      QCOMPARE(c.value(u"attempts"_s).toInt(), 1);
      QCOMPARE(c.value(u"state"_s).toString(), u"running"_s);
      QCOMPARE(c.value(u"worker"_s).toString(), u"w1"_s);
      QCOMPARE(c.value(u"title"_s).toObject().value(u"state"_s).toString(), u"encoding"_s);
      QVERIFY(c.value(u"spec"_s).toObject().contains(u"ladder"_s));
    }
    QVERIFY(claim("w1").isEmpty());  // nothing left
    const QJsonObject job = title(t).value(u"job"_s).toObject();
    QCOMPARE(job.value(u"leaseExpiresAt"_s).toString(), isoTime(now_ + 10'000));
    QCOMPARE(titleState(t), u"encoding"_s);

    QCOMPARE(q_->claim(obj("{}")).status().code(), ErrorCode::BadRequest);
    QCOMPARE(q_->claim(obj("{'worker':''}")).status().code(), ErrorCode::BadRequest);
    QCOMPARE(q_->claim(obj("{'worker':'w','leaseSeconds':'10'}")).status().code(), ErrorCode::BadRequest);
    QCOMPARE(q_->claim(obj("{'worker':'w','leaseSeconds':0}")).status().code(), ErrorCode::BadRequest);
  }

  void expiredLeaseIsReclaimedByAnotherWorker() {
    QString t;
    const QString jobId = queued(&t);
    QCOMPARE(claim("w1", 10).value(u"id"_s).toString(), jobId);
    now_ += 9'000;
    QVERIFY(claim("w2").isEmpty());  // w1 still holds it
    now_ += 2'000;                   // w1 went silent past its lease: it died
    const QJsonObject c = claim("w2");
    QCOMPARE(c.value(u"id"_s).toString(), jobId);
    QCOMPARE(c.value(u"attempts"_s).toInt(), 2);
    QCOMPARE(c.value(u"worker"_s).toString(), u"w2"_s);
    QCOMPARE(c.value(u"reason"_s).toString(), u"worker lost"_s);

    // The old worker comes back: every report is refused with lease_lost.
    for (auto r : {q_->progress(jobId, by("w1", "{'percent':50}")), q_->complete(jobId, completion("w1")),
                   q_->fail(jobId, by("w1", "{'reason':'x'}"))}) {
      QCOMPARE(r.status().code(), ErrorCode::Conflict);
      QVERIFY2(r.status().message().startsWith(u"lease_lost: "_s), qPrintable(r.status().message()));
    }
    QVERIFY(q_->progress(jobId, by("w2", "{'percent':5}")).isOk());
    QCOMPARE(q_->progress(u"j_nosuchjob000"_s, by("w2")).status().code(), ErrorCode::NotFound);
  }

  void lateReportFromSameWorkerIsHonoured() {
    const QString jobId = queued();
    claim("w1", 10);
    now_ += 12'000;  // expired, but nobody took the job
    auto p = q_->progress(jobId, by("w1", "{'percent':70}"));
    QVERIFY2(p.isOk(), qPrintable(p.status().message()));
    QCOMPARE(p->value(u"leaseExpiresAt"_s).toString(), isoTime(now_ + 10'000));
    QVERIFY(claim("w2").isEmpty());
  }

  void attemptsRunOut() {
    QString t;
    const QString jobId = queued(&t);
    for (int i = 1; i <= 3; ++i) {
      const QJsonObject c = claim(QByteArray("w" + QByteArray::number(i)).constData(), 5);
      QCOMPARE(c.value(u"id"_s).toString(), jobId);
      QCOMPARE(c.value(u"attempts"_s).toInt(), i);
      now_ += 6'000;
    }
    QVERIFY(claim("w4").isEmpty());
    QCOMPARE(titleState(t), u"failed"_s);
    QCOMPARE(title(t).value(u"reason"_s).toString(), u"encoding failed after 3 attempts: worker lost"_s);
    QCOMPARE(q_->get(jobId)->value(u"state"_s).toString(), u"failed"_s);
    QCOMPARE(q_->progress(jobId, by("w3")).status().code(), ErrorCode::Conflict);

    // A retry is a new job: failed → queued, reason cleared, attempts start over.
    auto retry = q_->create(QJsonObject{{u"titleId"_s, t}});
    QVERIFY(retry.isOk());
    QCOMPARE(titleState(t), u"queued"_s);
    QCOMPARE(title(t).value(u"reason"_s).toString(), QString());
    QCOMPARE(claim("w5").value(u"attempts"_s).toInt(), 1);
  }

  void reaperRequeuesThenFails() {
    open(2);
    QString t;
    const QString jobId = queued(&t);
    claim("w1", 5);
    QCOMPARE(*q_->reapExpired(), 0);
    now_ += 6'000;
    QCOMPARE(*q_->reapExpired(), 1);
    QCOMPARE(titleState(t), u"queued"_s);
    QCOMPARE(q_->get(jobId)->value(u"state"_s).toString(), u"queued"_s);
    QCOMPARE(q_->get(jobId)->value(u"reason"_s).toString(), u"worker lost"_s);
    QCOMPARE(q_->progress(jobId, by("w1")).status().code(), ErrorCode::Conflict);

    QCOMPARE(claim("w2", 5).value(u"attempts"_s).toInt(), 2);
    now_ += 6'000;
    QCOMPARE(*q_->reapExpired(), 1);
    QCOMPARE(titleState(t), u"failed"_s);
    QCOMPARE(title(t).value(u"reason"_s).toString(), u"encoding failed after 2 attempts: worker lost"_s);
  }

  void progressDrivesTitleAndRenewsLease() {
    QString t;
    const QString jobId = queued(&t);
    claim("w1", 10);
    now_ += 8'000;
    auto p = q_->progress(jobId, by("w1", "{'stage':'encoding','percent':42.5,'fps':61.2,'etaSeconds':12}"));
    QVERIFY2(p.isOk(), qPrintable(p.status().message()));
    const QJsonObject job = title(t).value(u"job"_s).toObject();
    QCOMPARE(job.value(u"percent"_s).toDouble(), 42.5);
    QCOMPARE(job.value(u"fps"_s).toDouble(), 61.2);
    QCOMPARE(job.value(u"etaSeconds"_s).toDouble(), 12.0);
    QCOMPARE(job.value(u"stage"_s).toString(), u"encoding"_s);
    now_ += 8'000;  // 16 s after the claim, 8 s after the renewal
    QVERIFY(claim("w2").isEmpty());

    QVERIFY(q_->progress(jobId, by("w1", "{'etaSeconds':-1}")).isOk());  // unknown
    QVERIFY(title(t).value(u"job"_s).toObject().value(u"etaSeconds"_s).isNull());
    QVERIFY(q_->progress(jobId, by("w1", "{'stage':'packaging','percent':90}")).isOk());
    QCOMPARE(titleState(t), u"packaging"_s);
    QCOMPARE(title(t).value(u"job"_s).toObject().value(u"fps"_s).toDouble(), 61.2);  // kept when not sent
    QCOMPARE(q_->progress(jobId, by("w1", "{'stage':'encoding'}")).status().code(), ErrorCode::BadRequest);
    QCOMPARE(q_->progress(jobId, by("w1", "{'stage':'cooking'}")).status().code(), ErrorCode::BadRequest);
    QVERIFY(q_->progress(jobId, by("w1", "{'percent':100.0004}")).isOk());  // clamped, lease renewed
    QCOMPARE(title(t).value(u"job"_s).toObject().value(u"percent"_s).toDouble(), 100.0);
    QVERIFY(q_->progress(jobId, by("w1", "{'percent':-3,'fps':-1}")).isOk());
    QCOMPARE(title(t).value(u"job"_s).toObject().value(u"percent"_s).toDouble(), 0.0);
    QCOMPARE(title(t).value(u"job"_s).toObject().value(u"fps"_s).toDouble(), 0.0);
    QCOMPARE(q_->progress(jobId, by("w1", "{'percent':'50'}")).status().code(), ErrorCode::BadRequest);
    QCOMPARE(q_->progress(jobId, obj("{'percent':5}")).status().code(), ErrorCode::BadRequest);  // no worker
    QCOMPARE(titleState(t), u"packaging"_s);
    QVERIFY(q_->progress(jobId, by("w1", "{'fps':61.2}")).isOk());

    // A longer lease can be asked for with a report.
    QVERIFY(q_->progress(jobId, by("w1", "{'leaseSeconds':60}")).isOk());
    now_ += 50'000;
    QVERIFY(claim("w2").isEmpty());
  }

  void completeMakesTitleReady() {
    QString t;
    const QString jobId = queued(&t);
    claim("w1");
    QCOMPARE(q_->complete(jobId, by("w1", "{'durationSeconds':1,'segmentSeconds':4,'assets':{}}")).status().code(),
             ErrorCode::BadRequest);  // no renditions
    QJsonObject bad = completion("w1");
    bad.insert(u"assets"_s, obj("{'dash':'../../etc/passwd'}"));
    QCOMPARE(q_->complete(jobId, bad).status().code(), ErrorCode::BadRequest);
    bad.insert(u"assets"_s, obj("{'dash':'/abs/manifest.mpd'}"));
    QCOMPARE(q_->complete(jobId, bad).status().code(), ErrorCode::BadRequest);
    QCOMPARE(titleState(t), u"encoding"_s);

    auto done = q_->complete(jobId, completion("w1"));
    QVERIFY2(done.isOk(), qPrintable(done.status().message()));
    QCOMPARE(done->value(u"state"_s).toString(), u"done"_s);
    const QJsonObject ti = title(t);
    QCOMPARE(ti.value(u"state"_s).toString(), u"ready"_s);
    QCOMPARE(ti.value(u"renditions"_s).toArray().size(), 2);
    QCOMPARE(ti.value(u"renditions"_s).toArray().at(1).toObject().value(u"codecs"_s).toString(), u"mp4a.40.2"_s);
    QCOMPARE(ti.value(u"assets"_s).toObject().value(u"hls"_s).toString(), u"master.m3u8"_s);
    QCOMPARE(ti.value(u"durationSeconds"_s).toDouble(), 10.0);
    QCOMPARE(ti.value(u"segmentSeconds"_s).toDouble(), 4.0);
    QCOMPARE(ti.value(u"job"_s).toObject().value(u"percent"_s).toDouble(), 100.0);

    auto again = q_->complete(jobId, completion("w1"));
    QCOMPARE(again.status().code(), ErrorCode::Conflict);
    QVERIFY(again.status().message().startsWith(u"lease_lost: "_s));
    QCOMPARE(q_->create(QJsonObject{{u"titleId"_s, t}}).status().code(), ErrorCode::Conflict);  // ready is final
  }

  void failRetryableAndNot() {
    QString t;
    const QString jobId = queued(&t);
    claim("w1");
    QCOMPARE(q_->fail(jobId, by("w1")).status().code(), ErrorCode::BadRequest);  // reason required
    QCOMPARE(q_->fail(jobId, by("w1", "{'reason':'x','retryable':'yes'}")).status().code(), ErrorCode::BadRequest);
    auto f = q_->fail(jobId, by("w1", "{'reason':'disk full','retryable':true}"));
    QVERIFY(f.isOk());
    QCOMPARE(f->value(u"state"_s).toString(), u"queued"_s);
    QCOMPARE(titleState(t), u"queued"_s);
    QCOMPARE(claim("w2").value(u"attempts"_s).toInt(), 2);
    QVERIFY(q_->fail(jobId, by("w2", "{'reason':'disk full','retryable':true}")).isOk());
    QCOMPARE(claim("w3").value(u"attempts"_s).toInt(), 3);
    QVERIFY(q_->fail(jobId, by("w3", "{'reason':'disk still full','retryable':true}")).isOk());
    QCOMPARE(titleState(t), u"failed"_s);
    QCOMPARE(title(t).value(u"reason"_s).toString(), u"encoding failed after 3 attempts: disk still full"_s);

    QString t2;
    const QString job2 = queued(&t2);
    claim("w1");
    QVERIFY(q_->fail(job2, by("w1", "{'reason':'unsupported: 12-bit 4:4:4'}")).isOk());
    QCOMPARE(titleState(t2), u"failed"_s);
    QCOMPARE(title(t2).value(u"reason"_s).toString(), u"unsupported: 12-bit 4:4:4"_s);
    QCOMPARE(q_->get(job2)->value(u"state"_s).toString(), u"failed"_s);
    QVERIFY(claim("w2").isEmpty());
  }

  void titleFailedOrDeletedUnderTheWorker() {
    QString t;
    const QString jobId = queued(&t);
    claim("w1");
    QVERIFY(cat_->patch(t, obj("{'state':'failed','reason':'cancelled by operator'}")).isOk());
    auto p = q_->progress(jobId, by("w1"));
    QCOMPARE(p.status().code(), ErrorCode::Conflict);
    QVERIFY(p.status().message().startsWith(u"lease_lost: "_s));

    QString t2;
    const QString job2 = queued(&t2);
    claim("w1");
    QVERIFY(cat_->remove(t2).isOk());
    QCOMPARE(q_->progress(job2, by("w1")).status().code(), ErrorCode::NotFound);
  }

  void concurrentClaimsNeverShareAJob() {
    constexpr int kJobs = 120;
    QStringList all;
    for (int i = 0; i < kJobs; ++i) all << queued();
    // Two connections, as two control processes on one file would have.
    struct Side {
      std::unique_ptr<Database> db;
      std::unique_ptr<Catalogue> cat;
      std::unique_ptr<JobQueue> q;
      QStringList got;
      QString error;
    } sides[2];
    for (Side &s : sides) {
      auto db = Database::open(path(), controlMigrations());
      QVERIFY(db.isOk());
      s.db = std::move(*db);
      s.cat = std::make_unique<Catalogue>(*s.db);
      s.q = std::make_unique<JobQueue>(*s.db, *s.cat, QueueOptions{3, 60'000});
    }
    std::atomic<bool> go{false};
    auto run = [&go](Side *s, QString worker) {
      while (!go.load()) std::this_thread::yield();
      for (;;) {
        auto c = s->q->claim(worker, 60'000);
        if (!c) {
          s->error = c.status().message();
          return;
        }
        if (!*c) return;
        s->got << (*c)->value(u"id"_s).toString();
        // A worker works between claims; without a pause SQLite's busy handler lets
        // one connection win every time and nothing would race.
        std::this_thread::sleep_for(std::chrono::microseconds(1000 + (s->got.size() % 5) * 500));
      }
    };
    std::thread a(run, &sides[0], u"wa"_s), b(run, &sides[1], u"wb"_s);
    go = true;
    a.join();
    b.join();
    QVERIFY2(sides[0].error.isEmpty(), qPrintable(sides[0].error));
    QVERIFY2(sides[1].error.isEmpty(), qPrintable(sides[1].error));
    const QSet<QString> ga(sides[0].got.cbegin(), sides[0].got.cend()), gb(sides[1].got.cbegin(), sides[1].got.cend());
    QCOMPARE(ga.size(), sides[0].got.size());
    QCOMPARE(gb.size(), sides[1].got.size());
    QVERIFY(!ga.intersects(gb));
    QCOMPARE(ga.size() + gb.size(), kJobs);
    QCOMPARE(ga | gb, QSet<QString>(all.cbegin(), all.cend()));
    // Both must have taken a real share, or the test did not exercise a race.
    QVERIFY2(ga.size() >= kJobs / 10 && gb.size() >= kJobs / 10,
             qPrintable(u"claims: a %1, b %2"_s.arg(ga.size()).arg(gb.size())));
    QCOMPARE(db_->queryValue("SELECT COUNT(*) FROM jobs WHERE attempts <> 1 OR state <> 'running'")->toInt(), 0);
  }
};

QTEST_GUILESS_MAIN(TestJobQueue)
#include "tst_jobqueue.moc"
