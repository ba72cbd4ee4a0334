#include "ingest/ingestrole.h"

#include "core/config/config.h"
#include "core/roles/rolehost.h"
#include "ingest/catalogue.h"
#include "ingest/ingestlog.h"
#include "ingest/postupload.h"
#include "ingest/sourcestore.h"
#include "ingest/tusservice.h"
#include "ingest/uploadstore.h"
#include "ingest/watchfolder.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QMutex>
#include <QMutexLocker>
#include <QSet>
#include <QThreadPool>
#include <QTimer>

namespace rs {
Q_LOGGING_CATEGORY(lcIngest, "rs.ingest")
}

namespace rs::ingest {

namespace {

constexpr int kWatchPollMs = 2000;
// Uploads whose post-upload steps were postponed (control unreachable) are retried
// from this often up to every kRetryMaxMs.
constexpr int kRecoveryMs = 30'000;
constexpr qint64 kRetryMaxMs = 15 * 60 * 1000;
// An incomplete upload untouched this long is dropped with its title.
constexpr qint64 kAbandonedMs = 7LL * 24 * 3600 * 1000;
// Titles deleted through the api leave their source here; swept this often.
constexpr int kSweepMs = 10 * 60 * 1000;

class IngestRole final : public roles::Role {
 public:
  Status start(roles::RoleContext &ctx) override {
    auto maxSize = ctx.config.number(u"upload-max-size", 0, 9e15);
    RS_RETURN_IF_ERROR(maxSize.status());
    const QString base = ctx.dataDir + QStringLiteral("/ingest");
    uploads_ = std::make_unique<UploadStore>(base + QStringLiteral("/uploads"));
    RS_RETURN_IF_ERROR(uploads_->open());
    sources_ = std::make_unique<SourceStore>(base + QStringLiteral("/sources"));
    RS_RETURN_IF_ERROR(sources_->open());
    catalogue_ = std::make_unique<Catalogue>(ctx.host->client(), ctx.controlUrl, &stopping_);
    post_ = std::make_unique<PostUpload>(*uploads_, *sources_, *catalogue_, ctx.host->publicUrl(QStringLiteral("api")), stopping_);

    // Disk writes of upload chunks; hashing and probing (CPU and long waits) on their own pool.
    io_.setMaxThreadCount(4);
    work_.setMaxThreadCount(2);
    TusOptions tus;
    tus.maxSize = qint64(*maxSize);
    tus_ = std::make_unique<TusService>(*uploads_, *catalogue_, io_, tus,
                                        [this](const QString &id) { process(id, false); }, ctx.metrics);
    tus_->mount(*ctx.router);
    sources_->mount(*ctx.router, QStringLiteral("/api/v1/sources/{titleId}"));

    const QString watchDir = ctx.config.value(u"watch-folder");
    if (!watchDir.isEmpty()) {
      const QString dir = roles::resolveDataDir(watchDir);
      if (!QDir().mkpath(dir)) return Status(ErrorCode::IoError, QStringLiteral("cannot create watch folder %1").arg(dir));
      WatchFolder::Hooks hooks;
      hooks.claimed = [this] { return claimedWatchFiles(); };
      hooks.ingest = [this](const QString &path, std::function<void()> done) {
        if (stopping_.load()) return done();
        work_.start([this, path, done] {
          ingestWatchFile(path);
          done();
        });
      };
      watch_ = std::make_unique<WatchFolder>(dir, kWatchPollMs, std::move(hooks));
      watch_->start();
      qCInfo(lcIngest).noquote() << "watching" << dir;
    }

    // After a restart: finish what a crash interrupted, once control is reachable.
    recoveryTimer_.setInterval(kRecoveryMs);
    QObject::connect(&recoveryTimer_, &QTimer::timeout, [this] { recover(); });
    recoveryTimer_.start();
    QTimer::singleShot(0, &recoveryTimer_, [this] { recover(); });
    sweepTimer_.setInterval(kSweepMs);
    QObject::connect(&sweepTimer_, &QTimer::timeout, [this] { work_.start([this] { sweepSources(); }); });
    sweepTimer_.start();
    qCInfo(lcIngest).noquote() << "tus uploads at /api/v1/uploads (max" << tus.maxSize << "bytes), data in" << base;
    return Status::ok();
  }

  void stop() override {
    stopping_ = true;
    recoveryTimer_.stop();
    sweepTimer_.stop();
    if (watch_) watch_->stop();
    work_.clear();
    io_.waitForDone();
    work_.waitForDone();
  }

  QJsonObject load() const override {
    int receiving = 0;
    if (uploads_)
      for (const auto &up : uploads_->all()) {
        QMutexLocker lock(&up->mutex);
        if (up->state.state == upload_state::kUploading && !up->state.complete()) ++receiving;
      }
    QMutexLocker lock(&flightMutex_);
    return QJsonObject{{QStringLiteral("uploading"), receiving}, {QStringLiteral("processing"), int(inFlight_.size())}};
  }

 private:
  struct Retry {
    int attempts = 0;
    qint64 notBeforeMs = 0;
  };

  // Runs the post-upload steps once at a time per upload. `periodic` runs respect the
  // back-off of uploads whose last run was postponed.
  void process(const QString &id, bool periodic) {
    if (stopping_.load()) return;
    {
      QMutexLocker lock(&flightMutex_);
      if (periodic && retries_.value(id).notBeforeMs > QDateTime::currentMSecsSinceEpoch()) return;
    }
    if (!claim(id)) return;
    work_.start([this, id] { runPostUpload(id); });
  }

  // On a work_ thread; `id` is in inFlight_.
  void runPostUpload(const QString &id) {
    Outcome outcome;
    if (auto up = uploads_->find(id)) {
      QString watchFile;
      {
        QMutexLocker lock(&up->mutex);
        watchFile = up->state.watchFile;
      }
      outcome = post_->run(*up);
      if (!watchFile.isEmpty() && outcome.kind != Outcome::Deferred) finishWatchFile(*up, watchFile, outcome);
    }
    QMutexLocker lock(&flightMutex_);
    inFlight_.remove(id);  // release(), under the same lock as the retry bookkeeping
    if (outcome.kind == Outcome::Deferred) {
      Retry &r = retries_[id];
      const qint64 wait = qMin<qint64>(kRetryMaxMs, qint64(kRecoveryMs) << qMin(r.attempts, 10));
      r.notBeforeMs = QDateTime::currentMSecsSinceEpoch() + wait;
      ++r.attempts;
    } else {
      retries_.remove(id);
    }
  }

  void finishWatchFile(Upload &up, const QString &watchFile, const Outcome &outcome) {
    if (Status st = WatchFolder::settle(watchFile, outcome.kind == Outcome::Accepted, outcome.reason); !st.isOk()) {
      qCWarning(lcIngest).noquote() << "watch folder:" << st.message();
      return;
    }
    QMutexLocker lock(&up.mutex);
    if (up.removed) return;
    up.state.watchFile.clear();
    if (Status st = uploads_->save(up.state); !st.isOk()) qCWarning(lcIngest).noquote() << st.message();
  }

  // On a work_ thread: a stable file from the watch folder becomes a title and an
  // upload, then takes the same steps as a tus upload.
  void ingestWatchFile(const QString &path) {
    const QFileInfo fi(path);
    if (!fi.isFile()) return;
    auto title = catalogue_->createTitle(fi.completeBaseName(), fi.fileName());
    if (!title) {
      qCWarning(lcIngest).noquote() << "watch folder: will retry" << fi.fileName() << "-" << title.status().message();
      return;
    }
    UploadState s;
    s.id = UploadStore::newId();
    claim(s.id);  // recover() must not take the half-copied upload for an abandoned one
    s.length = fi.size();
    s.titleId = title->value(QStringLiteral("id")).toString();
    s.name = fi.completeBaseName();
    s.fileName = fi.fileName();
    s.watchFile = fi.absoluteFilePath();
    auto created = uploads_->create(s);
    Status st = created.status();
    if (created) {
      QMutexLocker lock(&(*created)->mutex);
      st = uploads_->importFile(**created, path);
      if (!st.isOk()) uploads_->remove(**created);
    }
    if (!st.isOk()) {
      release(s.id);
      qCWarning(lcIngest).noquote() << "watch folder:" << fi.fileName() << "-" << st.message();
      catalogue_->deleteTitle(s.titleId);
      WatchFolder::settle(path, false, st.message());
      return;
    }
    runPostUpload(s.id);
  }

  QSet<QString> claimedWatchFiles() const {
    QSet<QString> out;
    for (const auto &up : uploads_->all()) {
      QMutexLocker lock(&up->mutex);
      if (!up->state.watchFile.isEmpty()) out.insert(up->state.watchFile);
    }
    return out;
  }

  // Uploads whose bytes are all here but whose outcome is not recorded: a crash or an
  // unreachable control interrupted them. Also watch files whose outcome is known but
  // that were not moved yet, and half-copied watch files (dropped: the folder offers
  // the file again).
  void recover() {
    for (const auto &up : uploads_->all()) {
      UploadState s;
      {
        QMutexLocker lock(&up->mutex);
        s = up->state;
      }
      if (!s.terminal() && s.complete()) {
        process(s.id, true);
        continue;
      }
      if (s.watchFile.isEmpty() && !s.terminal() && abandoned(s) && claim(s.id)) {
        // A client that never came back; its title would sit in uploading for ever.
        qCInfo(lcIngest).noquote() << "dropping upload" << s.id << "untouched since" << s.updatedAt;
        {
          QMutexLocker lock(&up->mutex);
          uploads_->remove(*up);
        }
        release(s.id);
        catalogue_->deleteTitle(s.titleId, {}, [](Status) {});
        continue;
      }
      if (s.watchFile.isEmpty() || !claim(s.id)) continue;
      if (!s.terminal()) {
        {
          QMutexLocker lock(&up->mutex);
          uploads_->remove(*up);
        }
        release(s.id);
        catalogue_->deleteTitle(s.titleId, {}, [](Status) {});
        continue;
      }
      work_.start([this, up, s] {
        const Outcome outcome{s.state == upload_state::kQueued ? Outcome::Accepted : Outcome::Rejected, s.reason};
        finishWatchFile(*up, s.watchFile, outcome);
        release(s.id);
      });
    }
  }

  // On a work_ thread: sources of titles the catalogue no longer has (deleted through
  // the api). Only a definite 404 removes anything.
  void sweepSources() {
    for (const QString &id : sources_->titleIds()) {
      if (stopping_.load()) return;
      if (catalogue_->title(id).status().code() != ErrorCode::NotFound) continue;
      qCInfo(lcIngest).noquote() << "removing the source of deleted title" << id;
      sources_->remove(id);
    }
  }

  static bool abandoned(const UploadState &s) {
    const QDateTime updated = QDateTime::fromString(s.updatedAt, Qt::ISODateWithMs);
    return updated.isValid() && updated.msecsTo(QDateTime::currentDateTimeUtc()) > kAbandonedMs;
  }

  bool claim(const QString &id) {
    QMutexLocker lock(&flightMutex_);
    if (inFlight_.contains(id)) return false;
    inFlight_.insert(id);
    return true;
  }
  void release(const QString &id) {
    QMutexLocker lock(&flightMutex_);
    inFlight_.remove(id);
  }

  std::atomic<bool> stopping_{false};
  std::unique_ptr<UploadStore> uploads_;
  std::unique_ptr<SourceStore> sources_;
  std::unique_ptr<Catalogue> catalogue_;
  std::unique_ptr<PostUpload> post_;
  std::unique_ptr<TusService> tus_;
  std::unique_ptr<WatchFolder> watch_;
  QThreadPool io_, work_;
  mutable QMutex flightMutex_;
  QSet<QString> inFlight_;
  QHash<QString, Retry> retries_;
  QTimer recoveryTimer_, sweepTimer_;
};

}  // namespace

std::unique_ptr<roles::Role> createIngestRole() { return std::make_unique<IngestRole>(); }

}  // namespace rs::ingest
