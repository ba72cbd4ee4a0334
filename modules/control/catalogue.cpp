#include "control/catalogue.h"

#include "control/jsonfields.h"

#include <QJsonDocument>
#include <QRegularExpression>

namespace rs::control {

namespace {

const QByteArray kSelectOne = QByteArray(kTitleSelect) + " WHERE t.id = ?";
const QByteArray kSelectAll = QByteArray(kTitleSelect) + " ORDER BY t.created_ms DESC, t.rowid DESC";
const QByteArray kSelectBySha =
    QByteArray(kTitleSelect) + " WHERE t.sha256 = ? ORDER BY t.created_ms DESC, t.rowid DESC";

QString compact(const QJsonObject &o) { return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact)); }
QString compact(const QJsonArray &a) { return QString::fromUtf8(QJsonDocument(a).toJson(QJsonDocument::Compact)); }

Status notFound(const QString &id) { return Status(ErrorCode::NotFound, QStringLiteral("no title '%1'").arg(id)); }

bool isSha256(const QString &s) {
  static const QRegularExpression re(QStringLiteral("^[0-9a-fA-F]{64}$"));
  return re.match(s).hasMatch();
}

// The parts of `source` control relies on must have the right type; other keys pass.
Status checkSource(const QJsonObject &source) {
  FieldReader f(source);
  const QString sha = f.string(u"sha256", false, 64);
  if (f.has(u"sha256") && f.status().isOk() && !isSha256(sha))
    f.fail(QStringLiteral("source.sha256 must be 64 hexadecimal characters"));
  f.number(u"sizeBytes", false, 0, 9e15);
  f.string(u"url", false, 8192);
  f.string(u"fileName", false, 1024);
  if (!f.status().isOk()) return Status(ErrorCode::BadRequest, QStringLiteral("source: ") + f.status().message());
  return Status::ok();
}

}  // namespace

Result<QJsonObject> Catalogue::get(const QString &id) {
  auto rows = db_.query(kSelectOne, {id});
  RS_RETURN_IF_ERROR(rows.status());
  if (rows->empty()) return notFound(id);
  return titleFromRow(rows->front());
}

Result<QJsonArray> Catalogue::list(const QString &sha256) {
  if (!sha256.isEmpty() && !isSha256(sha256))
    return Status(ErrorCode::BadRequest, QStringLiteral("sha256 must be 64 hexadecimal characters"));
  auto rows = sha256.isEmpty() ? db_.query(kSelectAll) : db_.query(kSelectBySha, {sha256.toLower()});
  RS_RETURN_IF_ERROR(rows.status());
  QJsonArray out;
  for (const QVariantMap &r : *rows) out.append(titleFromRow(r));
  return out;
}

Result<QStringList> Catalogue::publicTitles() {
  auto rows = db_.query("SELECT id FROM titles WHERE public = 1 ORDER BY id");
  RS_RETURN_IF_ERROR(rows.status());
  QStringList ids;
  for (const QVariantMap &r : *rows) ids << r.value(QStringLiteral("id")).toString();
  return ids;
}

Result<QJsonObject> Catalogue::create(const QJsonObject &body) {
  FieldReader f(body);
  f.allowOnly({QStringLiteral("name"), QStringLiteral("fileName")});
  QString name = f.string(u"name", false, 500).trimmed();
  const QString fileName = f.string(u"fileName", false, 1024);
  RS_RETURN_IF_ERROR(f.status());
  if (name.isEmpty()) name = fileName;
  if (name.isEmpty()) return Status(ErrorCode::BadRequest, QStringLiteral("name or fileName is required"));
  QJsonObject source;
  if (!fileName.isEmpty()) source.insert(QStringLiteral("fileName"), fileName);
  const QString id = newId(u"t_");
  const qint64 now = clock_();
  RS_RETURN_IF_ERROR(db_.exec("INSERT INTO titles(id, name, state, source_json, created_ms, updated_ms)"
                              " VALUES (?, ?, ?, ?, ?, ?)",
                              {id, name, stateName(TitleState::Uploading), compact(source), now, now}));
  return get(id);
}

Result<QJsonObject> Catalogue::patch(const QString &id, const QJsonObject &body) {
  FieldReader f(body);
  f.allowOnly({QStringLiteral("state"), QStringLiteral("reason"), QStringLiteral("source"), QStringLiteral("probe"),
               QStringLiteral("name"), QStringLiteral("duplicateOf"), QStringLiteral("public")});
  const bool isPublic = f.boolean(u"public");
  const QString stateText = f.string(u"state", false, 32);
  const QString reason = f.string(u"reason", false, 2000).trimmed();
  const QJsonObject source = f.object(u"source");
  const QJsonObject probe = f.object(u"probe");
  const QString name = f.string(u"name", false, 500).trimmed();
  const QString duplicateOf = f.string(u"duplicateOf", false, 64);
  RS_RETURN_IF_ERROR(f.status());
  if (f.has(u"name") && name.isEmpty()) return Status(ErrorCode::BadRequest, QStringLiteral("name must not be empty"));
  std::optional<TitleState> to;
  if (f.has(u"state")) {
    to = parseTitleState(stateText);
    if (!to)
      return Status(ErrorCode::BadRequest,
                    QStringLiteral("unknown state '%1' (uploading, probing, queued, encoding, packaging, ready, failed)")
                        .arg(stateText));
  }
  if (f.has(u"source")) RS_RETURN_IF_ERROR(checkSource(source));
  if (!reason.isEmpty() && to != TitleState::Failed)
    return Status(ErrorCode::BadRequest, QStringLiteral("a reason goes with state 'failed'"));
  if (to == TitleState::Failed && reason.isEmpty())
    return Status(ErrorCode::BadRequest, QStringLiteral("state 'failed' needs a non-empty reason"));
  if (duplicateOf == id) return Status(ErrorCode::BadRequest, QStringLiteral("a title cannot duplicate itself"));

  Status s = db_.transaction([&]() -> Status {
    auto rows = db_.query("SELECT state, source_json FROM titles WHERE id = ?", {id});
    RS_RETURN_IF_ERROR(rows.status());
    if (rows->empty()) return notFound(id);
    const TitleState from = parseTitleState(rows->front().value(QStringLiteral("state")).toString()).value_or(TitleState::Failed);
    if (isTerminal(from)) {
      const bool onlyName = (!to || *to == from) && !f.has(u"source") && !f.has(u"probe") && !f.has(u"duplicateOf") &&
                            (to != TitleState::Failed);
      if (!onlyName)
        return Status(ErrorCode::Conflict,
                      QStringLiteral("title '%1' is %2: only its name and public flag can change").arg(id, stateName(from)));
    }
    if (!duplicateOf.isEmpty()) {
      auto other = db_.queryValue("SELECT id FROM titles WHERE id = ?", {duplicateOf});
      RS_RETURN_IF_ERROR(other.status());
      if (other->isNull())
        return Status(ErrorCode::BadRequest, QStringLiteral("duplicateOf: no title '%1'").arg(duplicateOf));
    }
    const qint64 now = clock_();
    if (to) RS_RETURN_IF_ERROR(move(id, *to, Mover::Client, reason));
    if (f.has(u"name")) RS_RETURN_IF_ERROR(db_.exec("UPDATE titles SET name = ?, updated_ms = ? WHERE id = ?", {name, now, id}));
    if (f.has(u"public"))
      RS_RETURN_IF_ERROR(db_.exec("UPDATE titles SET public = ?, updated_ms = ? WHERE id = ?", {isPublic ? 1 : 0, now, id}));
    if (f.has(u"probe"))
      RS_RETURN_IF_ERROR(db_.exec("UPDATE titles SET probe_json = ?, updated_ms = ? WHERE id = ?", {compact(probe), now, id}));
    if (f.has(u"duplicateOf"))
      RS_RETURN_IF_ERROR(db_.exec("UPDATE titles SET duplicate_of = ?, updated_ms = ? WHERE id = ?", {duplicateOf, now, id}));
    if (f.has(u"source")) {
      QJsonObject merged = QJsonDocument::fromJson(rows->front().value(QStringLiteral("source_json")).toString().toUtf8()).object();
      for (auto it = source.constBegin(); it != source.constEnd(); ++it) merged.insert(it.key(), it.value());
      const QString sha = merged.value(QStringLiteral("sha256")).toString().toLower();
      if (!sha.isEmpty()) merged.insert(QStringLiteral("sha256"), sha);
      RS_RETURN_IF_ERROR(db_.exec("UPDATE titles SET source_json = ?, sha256 = ?, updated_ms = ? WHERE id = ?",
                                  {compact(merged), sha, now, id}));
    }
    return Status::ok();
  });
  RS_RETURN_IF_ERROR(s);
  return get(id);
}

Status Catalogue::remove(const QString &id) {
  return db_.transaction([&]() -> Status {
    RS_RETURN_IF_ERROR(db_.exec("DELETE FROM titles WHERE id = ?", {id}));  // jobs go by ON DELETE CASCADE
    return db_.changes() == 0 ? notFound(id) : Status::ok();
  });
}

Result<TitleState> Catalogue::state(const QString &id) {
  auto v = db_.queryValue("SELECT state FROM titles WHERE id = ?", {id});
  RS_RETURN_IF_ERROR(v.status());
  if (v->isNull()) return notFound(id);
  const auto s = parseTitleState(v->toString());
  if (!s) return Status(ErrorCode::Internal, QStringLiteral("title '%1' has an unknown state '%2'").arg(id, v->toString()));
  return *s;
}

Status Catalogue::move(const QString &id, TitleState to, Mover who, const QString &reason) {
  if (to == TitleState::Failed && reason.trimmed().isEmpty())
    return Status(ErrorCode::BadRequest, QStringLiteral("state 'failed' needs a non-empty reason"));
  return db_.transaction([&]() -> Status {
    auto from = state(id);
    RS_RETURN_IF_ERROR(from.status());
    RS_RETURN_IF_ERROR(checkMove(*from, to, who));
    if (*from == to) return Status::ok();
    const qint64 now = clock_();
    RS_RETURN_IF_ERROR(db_.exec("UPDATE titles SET state = ?, reason = ?, updated_ms = ? WHERE id = ?",
                                {stateName(to), to == TitleState::Failed ? reason : QString(), now, id}));
    if (to == TitleState::Failed) {
      // A failed title has no work in flight: its worker learns at its next report.
      RS_RETURN_IF_ERROR(db_.exec("UPDATE jobs SET state = 'failed', last_error = ?, updated_ms = ?"
                                  " WHERE title_id = ? AND state IN ('queued', 'running')",
                                  {reason, now, id}));
    }
    return Status::ok();
  });
}

Status Catalogue::markReady(const QString &id, const QJsonArray &renditions, const QJsonObject &assets,
                            double durationSeconds, double segmentSeconds) {
  return db_.transaction([&]() -> Status {
    RS_RETURN_IF_ERROR(move(id, TitleState::Ready, Mover::Queue));
    return db_.exec("UPDATE titles SET renditions_json = ?, assets_json = ?, duration_seconds = ?, segment_seconds = ?,"
                    " updated_ms = ? WHERE id = ?",
                    {compact(renditions), compact(assets), durationSeconds, segmentSeconds, clock_(), id});
  });
}

}  // namespace rs::control
