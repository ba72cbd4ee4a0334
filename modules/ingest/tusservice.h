#pragma once
// The tus 1.0 resumable upload protocol (https://tus.io/protocols/resumable-upload)
// at /api/v1/uploads: core protocol plus creation, creation-with-upload and
// termination, with CORS so browsers (tus-js-client) can use it. A created upload is
// also a title in control (state uploading); when its last byte is on disk the
// `completed` callback hands it to the post-upload steps.

#include "core/http/router.h"
#include "core/status.h"

#include <QHash>
#include <QString>
#include <functional>

class QThreadPool;

namespace rs::metrics { class Counter; class Registry; }

namespace rs::ingest {

class Catalogue;
class UploadStore;

// "key base64,key base64" → key → decoded UTF-8 value (a key alone has an empty value).
Result<QHash<QString, QString>> parseUploadMetadata(QByteArrayView header);

struct TusOptions {
  QString basePath = QStringLiteral("/api/v1/uploads");
  qint64 maxSize = 0;                       // Tus-Max-Size, from --upload-max-size
  qint64 maxChunkBytes = 64 * 1024 * 1024;  // the server buffers each request body whole
};

class TusService {
 public:
  // `io` runs the disk writes (a chunk may be 64 MiB followed by an fsync), so HTTP
  // workers never wait on the disk. `completed` may be called from any thread.
  TusService(UploadStore &store, Catalogue &catalogue, QThreadPool &io, TusOptions options,
             std::function<void(const QString &uploadId)> completed, metrics::Registry *metrics);

  void mount(http::Router &router);

 private:
  void create(http::Request &req, http::Responder responder);
  void patch(http::Request &req, http::Responder responder);
  void terminate(http::Request &req, http::Responder responder);
  http::Response head(http::Request &req);
  http::Response status(http::Request &req);
  http::Response options(http::Request &req);
  QString uploadPath(const QString &id) const { return options_.basePath + QLatin1Char('/') + id; }

  UploadStore &store_;
  Catalogue &catalogue_;
  QThreadPool &io_;
  TusOptions options_;
  std::function<void(const QString &)> completed_;
  metrics::Counter *createdTotal_ = nullptr;
  metrics::Counter *bytesTotal_ = nullptr;
};

}  // namespace rs::ingest
