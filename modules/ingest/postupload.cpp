#include "ingest/postupload.h"

#include "ingest/catalogue.h"
#include "ingest/ingestlog.h"
#include "ingest/sourcestore.h"
#include "ingest/uploadstore.h"
#include "media/probe.h"

#include <QCryptographicHash>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QMutexLocker>

namespace rs::ingest {

namespace {
const QString kTitleUploading = QStringLiteral("uploading");
const QString kTitleProbing = QStringLiteral("probing");
const QString kTitleFailed = QStringLiteral("failed");
}  // namespace

QString sourceExtension(const QString &fileName, const QString &container) {
  const QString suffix = QFileInfo(fileName).suffix().toLower();
  bool sane = !suffix.isEmpty() && suffix.size() <= 8;
  for (QChar c : suffix) sane = sane && ((c >= u'a' && c <= u'z') || (c >= u'0' && c <= u'9'));
  if (sane) return suffix;
  static const QHash<QString, QString> byDemuxer{
      {QStringLiteral("mov"), QStringLiteral("mp4")},   {QStringLiteral("matroska"), QStringLiteral("mkv")},
      {QStringLiteral("webm"), QStringLiteral("webm")}, {QStringLiteral("avi"), QStringLiteral("avi")},
      {QStringLiteral("mpegts"), QStringLiteral("ts")}, {QStringLiteral("mpeg"), QStringLiteral("mpg")},
      {QStringLiteral("flv"), QStringLiteral("flv")},   {QStringLiteral("ogg"), QStringLiteral("ogv")},
      {QStringLiteral("mxf"), QStringLiteral("mxf")},   {QStringLiteral("asf"), QStringLiteral("wmv")}};
  return byDemuxer.value(container.section(QLatin1Char(','), 0, 0), QStringLiteral("bin"));
}

Result<QString> sha256OfFile(const QString &path, const std::atomic<bool> &stopping) {
  QFile f(path);
  if (!f.open(QIODevice::ReadOnly))
    return Status(ErrorCode::IoError, QStringLiteral("cannot read %1: %2").arg(path, f.errorString()));
  QCryptographicHash hash(QCryptographicHash::Sha256);
  QByteArray block(1 << 20, Qt::Uninitialized);
  for (;;) {
    if (stopping.load()) return Status(ErrorCode::Unavailable, QStringLiteral("ingest is shutting down"));
    const qint64 n = f.read(block.data(), block.size());
    if (n < 0) return Status(ErrorCode::IoError, QStringLiteral("cannot read %1: %2").arg(path, f.errorString()));
    if (n == 0) break;
    hash.addData(QByteArrayView(block.constData(), n));
  }
  return QString::fromLatin1(hash.result().toHex());
}

PostUpload::PostUpload(UploadStore &uploads, SourceStore &sources, Catalogue &catalogue, QUrl sourceBaseUrl,
                       const std::atomic<bool> &stopping)
    : uploads_(uploads), sources_(sources), catalogue_(catalogue), sourceBaseUrl_(std::move(sourceBaseUrl)), stopping_(stopping) {}

Outcome PostUpload::run(Upload &upload) {
  UploadState s;
  {
    QMutexLocker lock(&upload.mutex);
    if (upload.removed) return {Outcome::Gone, {}};
    s = upload.state;
  }
  if (s.terminal()) return {s.state == upload_state::kQueued ? Outcome::Accepted : Outcome::Rejected, s.reason};

  // 1. Where the title stands: after a crash, some steps may be done already.
  auto title = catalogue_.title(s.titleId);
  if (!title) return title.status().code() == ErrorCode::NotFound ? forget(upload) : deferred(s.id, title.status());
  const QString titleState = title->value(QStringLiteral("state")).toString();
  if (titleState != kTitleUploading && titleState != kTitleProbing) {
    const bool failed = titleState == kTitleFailed;
    const QString reason = title->value(QStringLiteral("reason")).toString();
    uploads_.removeData(s.id);
    settle(upload, failed ? upload_state::kFailed : upload_state::kQueued, reason,
           title->value(QStringLiteral("duplicateOf")).toString());
    return {failed ? Outcome::Rejected : Outcome::Accepted, reason};
  }
  if (titleState == kTitleUploading) {
    auto patched = catalogue_.patchTitle(s.titleId, QJsonObject{{QStringLiteral("state"), kTitleProbing}});
    if (!patched) return patched.status().code() == ErrorCode::NotFound ? forget(upload) : deferred(s.id, patched.status());
  }

  // 2. The bytes: still in the upload area, or already moved by an interrupted run.
  QString path = uploads_.dataPath(s.id);
  if (!QFileInfo::exists(path)) path = sources_.find(s.titleId);
  if (path.isEmpty()) return reject(upload, QStringLiteral("ingest lost the uploaded bytes; upload the file again"));
  const qint64 size = QFileInfo(path).size();
  if (size == 0) return reject(upload, QStringLiteral("not a media file: empty file"));
  auto sha = sha256OfFile(path, stopping_);
  if (!sha) return stopping_.load() ? deferred(s.id, sha.status()) : reject(upload, sha.status().message());

  // 3. Duplicates, then the media itself.
  QMutexLocker registering(&registering_);
  auto same = catalogue_.titlesWithSha256(*sha);
  if (!same) return deferred(s.id, same.status());
  for (const QJsonValue &v : *same) {
    const QJsonObject other = v.toObject();
    const QString otherId = other.value(QStringLiteral("id")).toString();
    if (otherId != s.titleId && other.value(QStringLiteral("state")).toString() != kTitleFailed)
      return reject(upload, QStringLiteral("identical to title %1 (same SHA-256)").arg(otherId), otherId);
  }
  auto info = media::probe(path);
  if (!info) return reject(upload, info.status().message());
  if (Status valid = media::validateForIngest(*info); !valid.isOk()) return reject(upload, valid.message());

  // 4. Accepted: into the source store, then registered with the catalogue.
  auto stored = sources_.adopt(s.titleId, path, sourceExtension(s.fileName, info->container));
  if (!stored) return reject(upload, QStringLiteral("ingest could not store the source: %1").arg(stored.status().message()));
  QUrl url = sourceBaseUrl_;
  url.setPath(QStringLiteral("/api/v1/sources/") + s.titleId);
  const QJsonObject source{{QStringLiteral("sha256"), *sha},
                           {QStringLiteral("sizeBytes"), size},
                           {QStringLiteral("url"), url.toString()},
                           {QStringLiteral("fileName"), s.fileName}};
  auto registered = catalogue_.patchTitle(
      s.titleId, QJsonObject{{QStringLiteral("source"), source}, {QStringLiteral("probe"), media::toJson(*info)}});
  if (!registered)
    return registered.status().code() == ErrorCode::NotFound ? forget(upload) : deferred(s.id, registered.status());
  registering.unlock();

  // The encoder reads its own ladder configuration: the job needs no spec.
  auto job = catalogue_.createJob(s.titleId, QJsonObject{});
  if (!job) {
    if (job.status().code() == ErrorCode::NotFound) return forget(upload);
    // A run interrupted after the job was created finds it there already.
    if (job.status().code() != ErrorCode::Conflict) return deferred(s.id, job.status());
  }
  settle(upload, upload_state::kQueued, {}, {});
  qCInfo(lcIngest).noquote() << "title" << s.titleId << "accepted:" << s.fileName << size << "bytes, sha256" << *sha;
  return {Outcome::Accepted, {}};
}

Outcome PostUpload::reject(Upload &upload, const QString &reason, const QString &duplicateOf) {
  QString id, titleId;
  {
    QMutexLocker lock(&upload.mutex);
    id = upload.state.id;
    titleId = upload.state.titleId;
  }
  QJsonObject fields{{QStringLiteral("state"), kTitleFailed}, {QStringLiteral("reason"), reason}};
  if (!duplicateOf.isEmpty()) fields.insert(QStringLiteral("duplicateOf"), duplicateOf);
  auto patched = catalogue_.patchTitle(titleId, fields);
  if (!patched) {
    if (patched.status().code() == ErrorCode::NotFound) return forget(upload);
    // Conflict: the title is final already (failed by someone else); nothing to record there.
    if (patched.status().code() != ErrorCode::Conflict) return deferred(id, patched.status());
  }
  uploads_.removeData(id);
  sources_.remove(titleId);
  settle(upload, upload_state::kFailed, reason, duplicateOf);
  qCInfo(lcIngest).noquote() << "title" << titleId << "rejected:" << reason;
  return {Outcome::Rejected, reason};
}

Outcome PostUpload::deferred(const QString &uploadId, const Status &why) {
  if (!stopping_.load())
    qCWarning(lcIngest).noquote() << "upload" << uploadId << "post-upload steps postponed:" << why.message();
  return {Outcome::Deferred, why.message()};
}

Outcome PostUpload::forget(Upload &upload) {
  QMutexLocker lock(&upload.mutex);
  qCInfo(lcIngest).noquote() << "title" << upload.state.titleId << "was deleted; dropping upload" << upload.state.id;
  sources_.remove(upload.state.titleId);
  uploads_.remove(upload);
  return {Outcome::Gone, QStringLiteral("the title was deleted during ingest")};
}

void PostUpload::settle(Upload &upload, const QString &state, const QString &reason, const QString &duplicateOf) {
  QMutexLocker lock(&upload.mutex);
  if (upload.removed) return;
  upload.state.state = state;
  upload.state.reason = reason;
  upload.state.duplicateOf = duplicateOf;
  if (Status st = uploads_.save(upload.state); !st.isOk()) qCWarning(lcIngest).noquote() << st.message();
}

}  // namespace rs::ingest
