// Tests for the control catalogue over a real SQLite file: title ids, the state
// machine as clients see it through PATCH, body validation, the sha256 duplicate
// lookup, ordering, deletion, and persistence across closing and reopening the file
// (including upgrading a database that only has the instance registry).

#include "control/catalogue.h"
#include "control/controlschema.h"
#include "control/instanceregistry.h"
#include "control/titlestate.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace rs::control;
using rs::ErrorCode;
using rs::store::Database;

namespace {

// JSON written with single quotes (moc's preprocessor does not read raw strings).
QJsonObject obj(const char *json) { return QJsonDocument::fromJson(QByteArray(json).replace('\'', '"')).object(); }

const QString kShaA = u"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1"_s;
const QString kShaB = u"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb2"_s;

}  // namespace

class TestCatalogue : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir dir_;
  std::unique_ptr<Database> db_;
  std::unique_ptr<Catalogue> cat_;
  qint64 now_ = 1'700'000'000'000;

  QString path() const { return dir_.filePath(u"control/control.db"_s); }
  void open() {
    auto db = Database::open(path(), controlMigrations());
    QVERIFY2(db.isOk(), qPrintable(db.status().message()));
    db_ = std::move(*db);
    cat_ = std::make_unique<Catalogue>(*db_, [this] { return now_; });
  }
  QJsonObject create(const char *body = "{'name':'Clip','fileName':'clip.mkv'}") {
    auto t = cat_->create(obj(body));
    if (!t) qWarning() << t.status().message();
    return t ? *t : QJsonObject();
  }
  ErrorCode patchCode(const QString &id, const char *body) {
    auto r = cat_->patch(id, obj(body));
    return r ? ErrorCode::Ok : r.status().code();
  }
  QString stateOf(const QString &id) { return cat_->get(id)->value(u"state"_s).toString(); }

 private Q_SLOTS:
  void init() {
    QVERIFY(dir_.isValid());
    QFile::remove(path());
    QFile::remove(path() + u"-wal"_s);
    QFile::remove(path() + u"-shm"_s);
    open();
  }
  void cleanup() {
    cat_.reset();
    db_.reset();
  }

  void createsUploadingTitleWithFreshIds() {
    const QJsonObject t = create();
    QCOMPARE(t.value(u"state"_s).toString(), u"uploading"_s);
    QCOMPARE(t.value(u"name"_s).toString(), u"Clip"_s);
    QCOMPARE(t.value(u"source"_s).toObject().value(u"fileName"_s).toString(), u"clip.mkv"_s);
    QCOMPARE(t.value(u"reason"_s).toString(), QString());
    QVERIFY(t.value(u"job"_s).isNull());
    QCOMPARE(t.value(u"createdAt"_s).toString(), u"2023-11-14T22:13:20.000Z"_s);
    QCOMPARE(t.value(u"updatedAt"_s).toString(), t.value(u"createdAt"_s).toString());

    static const QRegularExpression idRe(u"^t_[a-z2-7]{12}$"_s);
    QSet<QString> ids;
    for (int i = 0; i < 300; ++i) {
      const QString id = create("{'fileName':'x.mp4'}").value(u"id"_s).toString();
      QVERIFY2(idRe.match(id).hasMatch(), qPrintable(id));
      ids.insert(id);
    }
    QCOMPARE(ids.size(), 300);
  }

  void nameDefaultsToFileName() {
    QCOMPARE(create("{'fileName':'holiday.mov'}").value(u"name"_s).toString(), u"holiday.mov"_s);
  }

  void createRejectsBadBodies_data() {
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("messagePart");
    QTest::newRow("empty") << QByteArray("{}") << u"name or fileName is required"_s;
    QTest::newRow("name not a string") << QByteArray("{'name':5}") << u"'name' must be a string"_s;
    QTest::newRow("unknown field") << QByteArray("{'name':'a','colour':'red'}") << u"unknown field 'colour'"_s;
    QTest::newRow("fileName an array") << QByteArray("{'fileName':[]}") << u"'fileName' must be a string"_s;
  }
  void createRejectsBadBodies() {
    QFETCH(QByteArray, body);
    QFETCH(QString, messagePart);
    auto r = cat_->create(obj(body.constData()));
    QVERIFY(!r.isOk());
    QCOMPARE(r.status().code(), ErrorCode::BadRequest);
    QVERIFY2(r.status().message().contains(messagePart), qPrintable(r.status().message()));
    QCOMPARE(cat_->list()->size(), 0);
  }

  void clientMovesForwardOnly() {
    const QString id = create().value(u"id"_s).toString();
    QCOMPARE(patchCode(id, "{'state':'probing'}"), ErrorCode::Ok);
    QCOMPARE(stateOf(id), u"probing"_s);
    QCOMPARE(patchCode(id, "{'state':'probing'}"), ErrorCode::Ok);  // staying put is fine
    QCOMPARE(patchCode(id, "{'state':'uploading'}"), ErrorCode::Conflict);
    QCOMPARE(patchCode(id, "{'state':'ready'}"), ErrorCode::Conflict);  // only a job completes a title
    QCOMPARE(patchCode(id, "{'state':'cooking'}"), ErrorCode::BadRequest);
    QCOMPARE(patchCode(id, "{'state':3}"), ErrorCode::BadRequest);
    QCOMPARE(stateOf(id), u"probing"_s);
  }

  void failedNeedsReasonAndIsFinal() {
    const QString id = create().value(u"id"_s).toString();
    QCOMPARE(patchCode(id, "{'state':'failed'}"), ErrorCode::BadRequest);
    QCOMPARE(patchCode(id, "{'state':'failed','reason':'   '}"), ErrorCode::BadRequest);
    QCOMPARE(patchCode(id, "{'reason':'no state'}"), ErrorCode::BadRequest);
    QCOMPARE(stateOf(id), u"uploading"_s);

    now_ += 5000;
    auto failed = cat_->patch(id, obj("{'state':'failed','reason':'not a media file: text'}"));
    QVERIFY(failed.isOk());
    QCOMPARE(failed->value(u"state"_s).toString(), u"failed"_s);
    QCOMPARE(failed->value(u"reason"_s).toString(), u"not a media file: text"_s);
    QCOMPARE(failed->value(u"updatedAt"_s).toString(), u"2023-11-14T22:13:25.000Z"_s);

    QCOMPARE(patchCode(id, "{'state':'queued'}"), ErrorCode::Conflict);
    QCOMPARE(patchCode(id, "{'state':'failed','reason':'again'}"), ErrorCode::Conflict);
    QCOMPARE(patchCode(id, "{'probe':{}}"), ErrorCode::Conflict);
    QCOMPARE(patchCode(id, "{'name':'Renamed'}"), ErrorCode::Ok);  // only the name may change
    QCOMPARE(cat_->get(id)->value(u"name"_s).toString(), u"Renamed"_s);
    QCOMPARE(cat_->get(id)->value(u"reason"_s).toString(), u"not a media file: text"_s);
    // The queue (a new job) is the one way back.
    QVERIFY(cat_->move(id, TitleState::Queued, Mover::Queue).isOk());
    QCOMPARE(stateOf(id), u"queued"_s);
    QCOMPARE(cat_->get(id)->value(u"reason"_s).toString(), QString());
  }

  void readyIsFinal() {
    const QString id = create().value(u"id"_s).toString();
    QVERIFY(cat_->move(id, TitleState::Queued, Mover::Queue).isOk());
    QCOMPARE(cat_->markReady(id, {}, {}, 1, 1).code(), ErrorCode::Conflict);  // not from queued
    QVERIFY(cat_->move(id, TitleState::Encoding, Mover::Queue).isOk());
    QVERIFY(cat_->markReady(id, QJsonArray{obj("{'id':'240p'}")}, obj("{'dash':'manifest.mpd'}"), 10, 4).isOk());
    QCOMPARE(stateOf(id), u"ready"_s);
    QCOMPARE(patchCode(id, "{'state':'failed','reason':'x'}"), ErrorCode::Conflict);
    QCOMPARE(cat_->patch(id, QJsonObject{{u"source"_s, QJsonObject{{u"sha256"_s, kShaA}}}}).status().code(),
             ErrorCode::Conflict);
    QCOMPARE(cat_->move(id, TitleState::Queued, Mover::Queue).code(), ErrorCode::Conflict);
    QCOMPARE(cat_->move(id, TitleState::Failed, Mover::Queue, u"x"_s).code(), ErrorCode::Conflict);
    QCOMPARE(stateOf(id), u"ready"_s);
    const QJsonObject t = *cat_->get(id);
    QCOMPARE(t.value(u"renditions"_s).toArray().at(0).toObject().value(u"id"_s).toString(), u"240p"_s);
    QCOMPARE(t.value(u"assets"_s).toObject().value(u"dash"_s).toString(), u"manifest.mpd"_s);
    QCOMPARE(t.value(u"durationSeconds"_s).toDouble(), 10.0);
    QCOMPARE(t.value(u"segmentSeconds"_s).toDouble(), 4.0);
  }

  void transitionTable() {
    // Every pair, against the rules written out longhand.
    const QList<TitleState> all = {TitleState::Uploading, TitleState::Probing,   TitleState::Queued, TitleState::Encoding,
                                   TitleState::Packaging, TitleState::Ready, TitleState::Failed};
    for (TitleState from : all) {
      for (TitleState to : all) {
        const bool same = from == to;
        bool client = same, queue = same;
        if (!same && !isTerminal(from)) {
          client = to == TitleState::Failed || (to != TitleState::Ready && int(to) > int(from));
          queue = to != TitleState::Ready || from == TitleState::Encoding || from == TitleState::Packaging;
        }
        if (from == TitleState::Failed && to == TitleState::Queued) queue = true;
        const QByteArray what = (stateName(from) + u" -> "_s + stateName(to)).toUtf8();
        QVERIFY2(checkMove(from, to, Mover::Client).isOk() == client, what.constData());
        QVERIFY2(checkMove(from, to, Mover::Queue).isOk() == queue, what.constData());
        if (!checkMove(from, to, Mover::Client).isOk())
          QCOMPARE(checkMove(from, to, Mover::Client).code(), ErrorCode::Conflict);
      }
    }
  }

  void sha256LookupFindsDuplicates() {
    const QString a1 = create().value(u"id"_s).toString();
    now_ += 10;
    const QString b = create().value(u"id"_s).toString();
    now_ += 10;
    const QString a2 = create().value(u"id"_s).toString();
    create();  // no source hash yet
    // Upper case on the way in; stored and matched lower case.
    QVERIFY(cat_->patch(a1, QJsonObject{{u"source"_s, QJsonObject{{u"sha256"_s, kShaA.toUpper()}, {u"sizeBytes"_s, 1234}}}}).isOk());
    QVERIFY(cat_->patch(b, QJsonObject{{u"source"_s, QJsonObject{{u"sha256"_s, kShaB}}}}).isOk());
    QVERIFY(cat_->patch(a2, QJsonObject{{u"source"_s, QJsonObject{{u"sha256"_s, kShaA}, {u"url"_s, u"http://h/api/v1/sources/x"_s}}}}).isOk());

    auto found = cat_->list(kShaA);
    QVERIFY(found.isOk());
    QCOMPARE(found->size(), 2);
    QCOMPARE(found->at(0).toObject().value(u"id"_s).toString(), a2);  // newest first
    QCOMPARE(found->at(1).toObject().value(u"id"_s).toString(), a1);
    const QJsonObject src = found->at(1).toObject().value(u"source"_s).toObject();
    QCOMPARE(src.value(u"sha256"_s).toString(), kShaA);
    QCOMPARE(src.value(u"sizeBytes"_s).toInteger(), 1234);
    QCOMPARE(src.value(u"fileName"_s).toString(), u"clip.mkv"_s);  // merged, not replaced
    QCOMPARE(cat_->list(kShaB)->size(), 1);
    QCOMPARE(cat_->list(QString(64, u'c'))->size(), 0);
    QCOMPARE(cat_->list(u"xyz"_s).status().code(), ErrorCode::BadRequest);
    QCOMPARE(cat_->list()->size(), 4);

    QCOMPARE(patchCode(a1, "{'source':{'sha256':'short'}}"), ErrorCode::BadRequest);
    QCOMPARE(patchCode(a1, "{'source':{'sizeBytes':'12'}}"), ErrorCode::BadRequest);
    QCOMPARE(patchCode(a1, "{'source':'x'}"), ErrorCode::BadRequest);
    QCOMPARE(patchCode(a2, qPrintable(u"{\"duplicateOf\":\"%1\"}"_s.arg(a1))), ErrorCode::Ok);
    QCOMPARE(cat_->get(a2)->value(u"duplicateOf"_s).toString(), a1);
    QCOMPARE(patchCode(a2, "{'duplicateOf':'t_nosuchtitle0'}"), ErrorCode::BadRequest);
  }

  void listIsNewestFirst() {
    QStringList ids;
    for (int i = 0; i < 5; ++i) {
      ids.prepend(create().value(u"id"_s).toString());
      now_ += (i == 2 ? 0 : 1000);  // two share a millisecond: insertion order decides
    }
    auto list = cat_->list();
    QStringList got;
    for (const QJsonValue &v : *list) got << v.toObject().value(u"id"_s).toString();
    QCOMPARE(got, ids);
  }

  void removeDeletesTitleAndJobs() {
    const QString id = create().value(u"id"_s).toString();
    QVERIFY(db_->exec("INSERT INTO jobs(id, title_id, state, created_ms, updated_ms) VALUES ('j_x', ?, 'queued', 1, 1)", {id}).isOk());
    QVERIFY(cat_->remove(id).isOk());
    QCOMPARE(cat_->get(id).status().code(), ErrorCode::NotFound);
    QCOMPARE(db_->queryValue("SELECT COUNT(*) FROM jobs")->toInt(), 0);
    QCOMPARE(cat_->remove(id).code(), ErrorCode::NotFound);
    QCOMPARE(cat_->patch(id, obj("{'name':'x'}")).status().code(), ErrorCode::NotFound);
  }

  void persistsAcrossReopen() {
    const QString id = create().value(u"id"_s).toString();
    QVERIFY(cat_->patch(id, QJsonObject{{u"state"_s, u"probing"_s},
                                        {u"source"_s, QJsonObject{{u"sha256"_s, kShaA}}},
                                        {u"probe"_s, obj("{'container':'matroska,webm','durationSeconds':3.5}")}}).isOk());
    const QJsonObject before = *cat_->get(id);
    cleanup();
    open();
    const QJsonObject after = *cat_->get(id);
    QCOMPARE(after, before);
    QCOMPARE(after.value(u"probe"_s).toObject().value(u"durationSeconds"_s).toDouble(), 3.5);
    QCOMPARE(cat_->list(kShaA)->size(), 1);
    QCOMPARE(db_->userVersion(), int(controlMigrations().size()));
  }

  void upgradesRegistryOnlyDatabase() {
    // A control.db written before the catalogue existed keeps its instances.
    cleanup();
    QFile::remove(path());
    {
      const std::vector<rs::store::Migration> v1 = {controlMigrations().front()};
      auto db = Database::open(path(), v1);
      QVERIFY(db.isOk());
      // As the version-1 registry wrote it: today's registry writes columns v1 lacks.
      QVERIFY((*db)->exec("INSERT INTO instances(instance_id, role, url, first_seen_ms, last_seen_ms, expiry_ms)"
                          " VALUES ('h-origin-1', 'origin', 'http://127.0.0.1:1', ?, ?, 10000)",
                          {now_, now_}));
      QCOMPARE((*db)->userVersion(), 1);
    }
    open();
    InstanceRegistry reg(*db_, 10'000);
    auto list = reg.list(now_);
    QVERIFY(list.isOk());
    QCOMPARE(list->size(), 1);
    QCOMPARE(list->at(0).toObject().value(u"instanceId"_s).toString(), u"h-origin-1"_s);
    QCOMPARE(create().value(u"state"_s).toString(), u"uploading"_s);
  }
};

QTEST_GUILESS_MAIN(TestCatalogue)
#include "tst_catalogue.moc"
