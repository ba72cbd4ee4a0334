#pragma once
// Control's catalogue and job API as ingest uses it (docs/media-pipeline.md), over
// HTTP like every cross-role call. Two flavours: callbacks for HTTP handlers (which
// must not block their worker), blocking calls for ingest's own worker threads.

#include "core/http/request.h"
#include "core/status.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QUrl>
#include <atomic>
#include <functional>

namespace rs::net { class HttpClient; }

namespace rs::ingest {

class Catalogue {
 public:
  // `stopping` turns blocking calls into prompt failures during shutdown, when the
  // client's thread no longer delivers replies.
  Catalogue(net::HttpClient *client, QUrl controlUrl, const std::atomic<bool> *stopping);

  const QUrl &controlUrl() const { return control_; }

  // Errors: Unavailable when control cannot be reached (the caller may retry later),
  // NotFound / Conflict / BadRequest as control answered, BadGateway otherwise.
  using JsonDone = std::function<void(Result<QJsonObject>)>;
  // `done` runs on the client's thread.
  void createTitle(const QString &name, const QString &fileName, const http::TraceContext &trace, JsonDone done);
  void deleteTitle(const QString &titleId, const http::TraceContext &trace, std::function<void(Status)> done);

  // Blocking; never call these on the client's own thread.
  Result<QJsonObject> createTitle(const QString &name, const QString &fileName);
  Result<QJsonObject> title(const QString &titleId);
  Result<QJsonObject> patchTitle(const QString &titleId, const QJsonObject &fields);
  Status deleteTitle(const QString &titleId);
  Result<QJsonArray> titlesWithSha256(const QString &sha256);
  Result<QJsonObject> createJob(const QString &titleId, const QJsonObject &spec);

 private:
  struct Call {
    QByteArray method;
    QString path;
    QJsonObject body;
    bool idempotent = false;
    http::TraceContext trace;
  };
  void send(const Call &call, JsonDone done);
  Result<QJsonObject> sendAndWait(const Call &call);

  net::HttpClient *client_;
  QUrl control_;
  const std::atomic<bool> *stopping_;
};

}  // namespace rs::ingest
