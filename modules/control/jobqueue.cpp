#include "control/jobqueue.h"

#include "control/jsonfields.h"

#include <QJsonDocument>
#include <algorithm>

namespace rs::control {

namespace {

const QByteArray kJobSelect = QByteArray("SELECT ") + QByteArray(kJobColumns) + ", spec_json, lease_ms FROM jobs";
const QByteArray kJobById = kJobSelect + " WHERE id = ?";
// Oldest first; a running job whose lease ran out belongs to a worker that died.
const QByteArray kClaimable =
    kJobSelect + " WHERE state = 'queued' OR (state = 'running' AND lease_expires_ms < ?) ORDER BY created_ms, rowid LIMIT 1";
const QByteArray kExpired = kJobSelect + " WHERE state = 'running' AND lease_expires_ms < ? ORDER BY created_ms, rowid";

const QString kWorkerLost = QStringLiteral("worker lost");

QString str(const QVariantMap &row, const char *column) { return row.value(QLatin1String(column)).toString(); }
qint64 int64(const QVariantMap &row, const char *column) { return row.value(QLatin1String(column)).toLongLong(); }

QJsonObject withSpec(const QVariantMap &row) {
  QJsonObject job = jobFromRow(row);
  job.insert(QStringLiteral("spec"), QJsonDocument::fromJson(str(row, "spec_json").toUtf8()).object());
  return job;
}

Status leaseLost(const QString &message) { return Status(ErrorCode::Conflict, QStringLiteral("lease_lost: ") + message); }

QString readWorker(FieldReader &f) {
  const QString worker = f.string(u"worker", true, 200).trimmed();
  if (f.status().isOk() && worker.isEmpty()) f.fail(QStringLiteral("field 'worker' must not be empty"));
  return worker;
}

// Asset paths become URLs under /media/<titleId>/, so they must stay inside it.
bool isSafeRelativePath(const QString &p) {
  if (p.isEmpty() || p.startsWith(QLatin1Char('/')) || p.contains(QLatin1Char('\\')) || p.contains(QLatin1Char('?')) ||
      p.contains(QLatin1Char('#')) || p.contains(QLatin1Char(':')))
    return false;
  for (const QString &seg : p.split(QLatin1Char('/'))) {
    if (seg.isEmpty() || seg == QLatin1String(".") || seg == QLatin1String("..")) return false;
  }
  return true;
}

}  // namespace

Result<QJsonObject> JobQueue::get(const QString &jobId) {
  auto rows = db_.query(kJobById, {jobId});
  RS_RETURN_IF_ERROR(rows.status());
  if (rows->empty()) return Status(ErrorCode::NotFound, QStringLiteral("no job '%1'").arg(jobId));
  return withSpec(rows->front());
}

Result<QJsonObject> JobQueue::create(const QJsonObject &body) {
  FieldReader f(body);
  f.allowOnly({QStringLiteral("titleId"), QStringLiteral("spec")});
  const QString titleId = f.string(u"titleId", true, 64);
  const QJsonObject spec = f.object(u"spec");
  RS_RETURN_IF_ERROR(f.status());
  const QString jobId = newId(u"j_");
  Status s = db_.transaction([&]() -> Status {
    RS_RETURN_IF_ERROR(catalogue_.state(titleId).status());
    auto active = db_.queryValue("SELECT id FROM jobs WHERE title_id = ? AND state IN ('queued', 'running')", {titleId});
    RS_RETURN_IF_ERROR(active.status());
    if (!active->isNull())
      return Status(ErrorCode::Conflict,
                    QStringLiteral("title '%1' already has an active job '%2'").arg(titleId, active->toString()));
    RS_RETURN_IF_ERROR(catalogue_.move(titleId, TitleState::Queued, Mover::Queue));
    const qint64 now = clock_();
    return db_.exec("INSERT INTO jobs(id, title_id, state, spec_json, eta_seconds, created_ms, updated_ms)"
                    " VALUES (?, ?, 'queued', ?, -1, ?, ?)",
                    {jobId, titleId, QString::fromUtf8(QJsonDocument(spec).toJson(QJsonDocument::Compact)), now, now});
  });
  RS_RETURN_IF_ERROR(s);
  return get(jobId);
}

Result<std::optional<QJsonObject>> JobQueue::claim(const QJsonObject &body) {
  FieldReader f(body);
  f.allowOnly({QStringLiteral("worker"), QStringLiteral("leaseSeconds")});
  const QString worker = readWorker(f);
  const double lease = f.number(u"leaseSeconds", false, 0.05, 86400, double(options_.defaultLeaseMs) / 1000);
  RS_RETURN_IF_ERROR(f.status());
  return claim(worker, qint64(lease * 1000));
}

Result<std::optional<QJsonObject>> JobQueue::claim(const QString &worker, qint64 leaseMs) {
  std::optional<QJsonObject> out;
  Status s = db_.transaction([&]() -> Status {
    for (;;) {
      const qint64 now = clock_();
      auto rows = db_.query(kClaimable, {now});
      RS_RETURN_IF_ERROR(rows.status());
      if (rows->empty()) return Status::ok();
      const QVariantMap job = rows->front();
      const QString jobId = str(job, "id"), titleId = str(job, "title_id");
      const bool lost = str(job, "state") == QLatin1String("running");
      const QString lastReason = lost ? kWorkerLost : str(job, "last_error");
      if (int64(job, "attempts") >= options_.maxAttempts) {
        RS_RETURN_IF_ERROR(exhaust(job, lastReason));
        continue;
      }
      RS_RETURN_IF_ERROR(db_.exec(
          "UPDATE jobs SET state = 'running', worker = ?, attempts = attempts + 1, lease_ms = ?, lease_expires_ms = ?,"
          " stage = 'encoding', percent = 0, fps = 0, eta_seconds = -1, last_error = ?, updated_ms = ? WHERE id = ?",
          {worker, leaseMs, now + leaseMs, lastReason, now, jobId}));
      Status moved = catalogue_.move(titleId, TitleState::Encoding, Mover::Queue);
      if (moved.code() == ErrorCode::Conflict) {
        // The title can no longer be encoded (it became ready meanwhile): the job is void.
        RS_RETURN_IF_ERROR(db_.exec("UPDATE jobs SET state = 'failed', last_error = ? WHERE id = ?", {moved.message(), jobId}));
        continue;
      }
      RS_RETURN_IF_ERROR(moved);
      auto claimed = get(jobId);
      RS_RETURN_IF_ERROR(claimed.status());
      auto title = catalogue_.get(titleId);
      RS_RETURN_IF_ERROR(title.status());
      claimed->insert(QStringLiteral("title"), *title);
      out = *claimed;
      return Status::ok();
    }
  });
  RS_RETURN_IF_ERROR(s);
  return out;
}

Result<QVariantMap> JobQueue::heldBy(const QString &jobId, const QString &worker) {
  auto rows = db_.query(kJobById, {jobId});
  RS_RETURN_IF_ERROR(rows.status());
  if (rows->empty()) return Status(ErrorCode::NotFound, QStringLiteral("no job '%1'").arg(jobId));
  const QVariantMap job = rows->front();
  const QString state = str(job, "state");
  if (state != QLatin1String("running")) return leaseLost(QStringLiteral("job '%1' is %2").arg(jobId, state));
  // An expired lease still held by the same worker is honoured until someone else
  // claims the job (or the reaper requeues it): a late report is not a dead worker.
  if (str(job, "worker") != worker)
    return leaseLost(QStringLiteral("job '%1' is held by worker '%2'").arg(jobId, str(job, "worker")));
  return job;
}

Result<QJsonObject> JobQueue::progress(const QString &jobId, const QJsonObject &body) {
  FieldReader f(body);
  f.allowOnly({QStringLiteral("worker"), QStringLiteral("stage"), QStringLiteral("percent"), QStringLiteral("fps"),
               QStringLiteral("etaSeconds"), QStringLiteral("leaseSeconds")});
  const QString worker = readWorker(f);
  const QString stageText = f.string(u"stage", false, 32);
  // Out-of-range numbers are clamped, not refused: a rejected report would not renew
  // the lease, and a rounding slip (100.0001 %) must not cost a worker its job.
  const double percent = std::clamp(f.number(u"percent", false, -1e9, 1e9), 0.0, 100.0);
  const double fps = std::max(0.0, f.number(u"fps", false, -1e9, 1e9));
  // Workers that cannot estimate yet send a negative ETA (or null): "unknown".
  const bool etaUnknown = body.value(QStringLiteral("etaSeconds")).isNull();
  const double eta = etaUnknown ? -1 : std::max(-1.0, f.number(u"etaSeconds", false, -1e9, 1e9));
  const double leaseSeconds = f.number(u"leaseSeconds", false, 0.05, 86400);
  RS_RETURN_IF_ERROR(f.status());
  if (f.has(u"stage") && stageText != QLatin1String("encoding") && stageText != QLatin1String("packaging"))
    return Status(ErrorCode::BadRequest, QStringLiteral("stage must be 'encoding' or 'packaging'"));

  Status s = db_.transaction([&]() -> Status {
    auto job = heldBy(jobId, worker);
    RS_RETURN_IF_ERROR(job.status());
    const QString current = str(*job, "stage");
    const QString stage = f.has(u"stage") ? stageText : current;
    if (current == QLatin1String("packaging") && stage == QLatin1String("encoding"))
      return Status(ErrorCode::BadRequest, QStringLiteral("stage cannot go back from packaging to encoding"));
    const qint64 leaseMs = f.has(u"leaseSeconds") ? qint64(leaseSeconds * 1000) : int64(*job, "lease_ms");
    const qint64 now = clock_();
    auto keep = [&](QStringView key, double given, const char *column) {
      return f.has(key) ? given : job->value(QLatin1String(column)).toDouble();
    };
    RS_RETURN_IF_ERROR(db_.exec(
        "UPDATE jobs SET stage = ?, percent = ?, fps = ?, eta_seconds = ?, lease_ms = ?, lease_expires_ms = ?,"
        " updated_ms = ? WHERE id = ?",
        {stage, keep(u"percent", percent, "percent"), keep(u"fps", fps, "fps"), keep(u"etaSeconds", eta, "eta_seconds"),
         leaseMs, now + leaseMs, now, jobId}));
    return catalogue_.move(str(*job, "title_id"), *parseTitleState(stage), Mover::Queue);
  });
  RS_RETURN_IF_ERROR(s);
  return get(jobId);
}

Result<QJsonObject> JobQueue::complete(const QString &jobId, const QJsonObject &body) {
  FieldReader f(body);
  f.allowOnly({QStringLiteral("worker"), QStringLiteral("renditions"), QStringLiteral("durationSeconds"),
               QStringLiteral("segmentSeconds"), QStringLiteral("assets")});
  const QString worker = readWorker(f);
  const QJsonArray renditions = f.array(u"renditions", true);
  const double duration = f.number(u"durationSeconds", true, 0, 1e7);
  const double segment = f.number(u"segmentSeconds", true, 0.001, 3600);
  const QJsonObject assets = f.object(u"assets", true);
  RS_RETURN_IF_ERROR(f.status());
  if (renditions.isEmpty()) return Status(ErrorCode::BadRequest, QStringLiteral("renditions must not be empty"));
  for (const QJsonValue &r : renditions) {
    if (!r.isObject() || !r.toObject().value(QStringLiteral("id")).isString() ||
        r.toObject().value(QStringLiteral("id")).toString().isEmpty())
      return Status(ErrorCode::BadRequest, QStringLiteral("every rendition must be an object with a string 'id'"));
  }
  for (auto it = assets.constBegin(); it != assets.constEnd(); ++it) {
    if (!it.value().isString() || !isSafeRelativePath(it.value().toString()))
      return Status(ErrorCode::BadRequest,
                    QStringLiteral("assets.%1 must be a relative path inside the title's directory").arg(it.key()));
  }

  Status s = db_.transaction([&]() -> Status {
    auto job = heldBy(jobId, worker);
    RS_RETURN_IF_ERROR(job.status());
    RS_RETURN_IF_ERROR(db_.exec("UPDATE jobs SET state = 'done', percent = 100, eta_seconds = 0, lease_expires_ms = 0,"
                                " last_error = '', updated_ms = ? WHERE id = ?",
                                {clock_(), jobId}));
    return catalogue_.markReady(str(*job, "title_id"), renditions, assets, duration, segment);
  });
  RS_RETURN_IF_ERROR(s);
  return get(jobId);
}

Result<QJsonObject> JobQueue::fail(const QString &jobId, const QJsonObject &body) {
  FieldReader f(body);
  f.allowOnly({QStringLiteral("worker"), QStringLiteral("reason"), QStringLiteral("retryable")});
  const QString worker = readWorker(f);
  const QString reason = f.string(u"reason", true, 2000).trimmed();
  const bool retryable = f.boolean(u"retryable", false);
  RS_RETURN_IF_ERROR(f.status());
  if (reason.isEmpty()) return Status(ErrorCode::BadRequest, QStringLiteral("field 'reason' must not be empty"));

  Status s = db_.transaction([&]() -> Status {
    auto job = heldBy(jobId, worker);
    RS_RETURN_IF_ERROR(job.status());
    if (retryable && int64(*job, "attempts") < options_.maxAttempts) return requeue(*job, reason);
    if (retryable) return exhaust(*job, reason);
    RS_RETURN_IF_ERROR(db_.exec("UPDATE jobs SET state = 'failed', last_error = ?, lease_expires_ms = 0, updated_ms = ?"
                                " WHERE id = ?",
                                {reason, clock_(), jobId}));
    return catalogue_.move(str(*job, "title_id"), TitleState::Failed, Mover::Queue, reason);
  });
  RS_RETURN_IF_ERROR(s);
  return get(jobId);
}

Result<int> JobQueue::reapExpired() {
  // Most calls find nothing: look before taking the write lock.
  auto any = db_.queryValue("SELECT 1 FROM jobs WHERE state = 'running' AND lease_expires_ms < ? LIMIT 1", {clock_()});
  RS_RETURN_IF_ERROR(any.status());
  if (any->isNull()) return 0;
  int touched = 0;
  Status s = db_.transaction([&]() -> Status {
    auto rows = db_.query(kExpired, {clock_()});
    RS_RETURN_IF_ERROR(rows.status());
    for (const QVariantMap &job : *rows) {
      if (int64(job, "attempts") >= options_.maxAttempts) RS_RETURN_IF_ERROR(exhaust(job, kWorkerLost));
      else RS_RETURN_IF_ERROR(requeue(job, kWorkerLost));
      ++touched;
    }
    return Status::ok();
  });
  RS_RETURN_IF_ERROR(s);
  return touched;
}

Result<int> JobQueue::count(QLatin1StringView state) {
  auto n = db_.queryValue("SELECT COUNT(*) FROM jobs WHERE state = ?", {QString(state)});
  RS_RETURN_IF_ERROR(n.status());
  return n->toInt();
}

Status JobQueue::exhaust(const QVariantMap &job, const QString &lastReason) {
  const QString reason = QStringLiteral("encoding failed after %1 attempts: %2").arg(int64(job, "attempts")).arg(lastReason);
  RS_RETURN_IF_ERROR(db_.exec("UPDATE jobs SET state = 'failed', last_error = ?, lease_expires_ms = 0, updated_ms = ?"
                              " WHERE id = ?",
                              {reason, clock_(), str(job, "id")}));
  Status moved = catalogue_.move(str(job, "title_id"), TitleState::Failed, Mover::Queue, reason);
  return moved.code() == ErrorCode::Conflict ? Status::ok() : moved;  // already final
}

Status JobQueue::requeue(const QVariantMap &job, const QString &reason) {
  RS_RETURN_IF_ERROR(db_.exec("UPDATE jobs SET state = 'queued', worker = '', lease_expires_ms = 0, stage = '',"
                              " percent = 0, fps = 0, eta_seconds = -1, last_error = ?, updated_ms = ? WHERE id = ?",
                              {reason, clock_(), str(job, "id")}));
  return catalogue_.move(str(job, "title_id"), TitleState::Queued, Mover::Queue);
}

}  // namespace rs::control
