#pragma once
// What happens once an upload's last byte is on disk: the title goes to probing; the
// file is hashed (SHA-256), checked against the catalogue for an identical title,
// probed and validated; an accepted file moves into the source store and the title
// gets its source, probe and an encode job (queued). A rejected one fails the title
// with a reason and its bytes are deleted. Every step can be re-run after a crash.

#include "core/status.h"

#include <QMutex>
#include <QString>
#include <QUrl>
#include <atomic>

namespace rs::ingest {

class Catalogue;
class SourceStore;
class UploadStore;
struct Upload;

struct Outcome {
  enum Kind {
    Accepted,  // title queued
    Rejected,  // title failed; `reason` says why
    Deferred,  // control unreachable or shutting down: nothing decided, run again later
    Gone,      // the title was deleted meanwhile; the upload is forgotten
  } kind = Deferred;
  QString reason;
};

// The file extension a source is stored under: the uploaded name's if it has a sane
// one, else one for the container libavformat found.
QString sourceExtension(const QString &fileName, const QString &container);

// Streams the file through SHA-256 in 1 MiB blocks; gives up when `stopping` is set.
Result<QString> sha256OfFile(const QString &path, const std::atomic<bool> &stopping);

class PostUpload {
 public:
  // `sourceBaseUrl` is where this api listener is reachable by encoders.
  PostUpload(UploadStore &uploads, SourceStore &sources, Catalogue &catalogue, QUrl sourceBaseUrl,
             const std::atomic<bool> &stopping);

  // Blocking (hashing, probing, calls to control): run it on a worker thread.
  Outcome run(Upload &upload);

 private:
  Outcome reject(Upload &upload, const QString &reason, const QString &duplicateOf = {});
  Outcome deferred(const QString &uploadId, const Status &why);
  Outcome forget(Upload &upload);
  void settle(Upload &upload, const QString &state, const QString &reason, const QString &duplicateOf);

  UploadStore &uploads_;
  SourceStore &sources_;
  Catalogue &catalogue_;
  QUrl sourceBaseUrl_;
  const std::atomic<bool> &stopping_;
  // From the duplicate check to the title having its source hash: two identical
  // uploads finishing at once cannot both pass.
  QMutex registering_;
};

}  // namespace rs::ingest
