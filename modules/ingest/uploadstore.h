#pragma once
// Where uploads live between their first byte and their acceptance:
// <dir>/<id>.bin holds the bytes, <id>.json everything else. The JSON is replaced
// atomically after the bytes are on disk, so after a crash or restart an upload
// resumes exactly at its last acknowledged offset.

#include "core/status.h"

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QMutex>
#include <QString>
#include <memory>

namespace rs::ingest {

// Upload states follow the title as far as ingest drives it:
// uploading → probing → queued | failed.
namespace upload_state {
inline const QString kUploading = QStringLiteral("uploading");
inline const QString kProbing = QStringLiteral("probing");
inline const QString kQueued = QStringLiteral("queued");
inline const QString kFailed = QStringLiteral("failed");
}  // namespace upload_state

struct UploadState {
  QString id;
  qint64 length = 0;
  qint64 offset = 0;
  QString titleId;
  QString name;          // the title's name
  QString fileName;      // what the client called the file
  QString metadata;      // the raw Upload-Metadata header, echoed on HEAD
  QString state = upload_state::kUploading;
  QString reason;        // why it failed
  QString duplicateOf;   // the title it is identical to
  QString watchFile;     // for watch-folder files: the original, moved away when done
  QString createdAt, updatedAt;

  bool complete() const { return offset == length; }
  bool terminal() const { return state == upload_state::kQueued || state == upload_state::kFailed; }
  QJsonObject toJson() const;
  static UploadState fromJson(const QJsonObject &o);
};

// One upload, shared by every request that touches it. Hold `mutex` to read or change
// `state` or the data file: two PATCHes can then never interleave their bytes.
struct Upload {
  QMutex mutex;
  UploadState state;
  bool removed = false;  // terminated while a request held a reference
};

class UploadStore {
 public:
  explicit UploadStore(QString directory);

  // Creates the directory and loads every upload in it. A data file longer than the
  // recorded offset (bytes written, not acknowledged, before a crash) is cut back.
  Status open();

  // 16 random bytes as hex: unguessable, and the only shape find() accepts.
  static QString newId();
  static bool isValidId(QStringView id);

  std::shared_ptr<Upload> find(const QString &id) const;
  QList<std::shared_ptr<Upload>> all() const;

  // Writes <id>.json and an empty <id>.bin.
  Result<std::shared_ptr<Upload>> create(UploadState state);
  // Appends at the upload's offset, fsyncs, then records the new offset. The caller
  // holds upload.mutex and has checked that the bytes fit.
  Status append(Upload &upload, const QByteArray &bytes);
  // Fills the data file with a copy of `path` (the watch folder's way in), syncs it
  // and records the upload as complete (state probing). The caller holds upload.mutex.
  Status importFile(Upload &upload, const QString &path);
  // Records upload.state (after the caller changed it under upload.mutex); stamps
  // updatedAt.
  Status save(UploadState &state);
  // Forgets the upload and deletes both files.
  void remove(Upload &upload);
  // Deletes the data file only (the record stays, e.g. with the failure reason).
  void removeData(const QString &id);

  QString dataPath(const QString &id) const;
  QString statePath(const QString &id) const;
  const QString &directory() const { return dir_; }

 private:
  QString dir_;
  mutable QMutex mutex_;
  QHash<QString, std::shared_ptr<Upload>> uploads_;
};

}  // namespace rs::ingest
