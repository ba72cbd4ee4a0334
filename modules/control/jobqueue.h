#pragma once
// The encode job queue: workers claim the oldest job under a lease they renew with
// progress reports; a lease that runs out means the worker died and the job goes to
// the next claimer, until --job-max-attempts claims have been spent.

#include "control/catalogue.h"

#include <optional>

namespace rs::control {

struct QueueOptions {
  int maxAttempts = 3;            // --job-max-attempts
  qint64 defaultLeaseMs = 30'000; // for claims that do not say (--job-lease)
};

class JobQueue {
 public:
  JobQueue(store::Database &db, Catalogue &catalogue, QueueOptions options, Clock clock = systemClock())
      : db_(db), catalogue_(catalogue), options_(options), clock_(std::move(clock)) {}

  // Bodies are the control API's JSON (see docs/media-pipeline.md). A report from a
  // worker that no longer holds the job's lease is Conflict "lease_lost: …".

  // {"titleId","spec"} → a queued job; the title (uploading, probing, failed) → queued.
  Result<QJsonObject> create(const QJsonObject &body);
  Result<QJsonObject> get(const QString &jobId);
  // {"worker","leaseSeconds"} → the claimed job with "title" and "spec", or nullopt
  // when nothing is claimable. One transaction: two claimers never get the same job.
  Result<std::optional<QJsonObject>> claim(const QJsonObject &body);
  Result<std::optional<QJsonObject>> claim(const QString &worker, qint64 leaseMs);
  // {"worker","stage","percent","fps","etaSeconds"}: renews the lease; the title's
  // state follows the stage.
  Result<QJsonObject> progress(const QString &jobId, const QJsonObject &body);
  // {"worker","renditions","durationSeconds","segmentSeconds","assets"}: title → ready.
  Result<QJsonObject> complete(const QString &jobId, const QJsonObject &body);
  // {"worker","reason","retryable"}: back to the queue, or the title fails.
  Result<QJsonObject> fail(const QString &jobId, const QJsonObject &body);
  // Requeues running jobs whose lease ran out (their title back to queued), or fails
  // them when their attempts are spent, so titles never sit in "encoding" for a
  // worker that is gone. Returns how many jobs it touched.
  Result<int> reapExpired();

  // Jobs in one state (queued, running, done, failed), for metrics.
  Result<int> count(QLatin1StringView state);

  const QueueOptions &options() const { return options_; }

 private:
  Result<QVariantMap> heldBy(const QString &jobId, const QString &worker);
  Status exhaust(const QVariantMap &job, const QString &lastReason);
  Status requeue(const QVariantMap &job, const QString &reason);

  store::Database &db_;
  Catalogue &catalogue_;
  QueueOptions options_;
  Clock clock_;
};

}  // namespace rs::control
