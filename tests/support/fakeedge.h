#pragma once
// Stands in for an edge's listener in control tests: answers prefetch jobs with its
// own job id (or 503 when told to refuse) and remembers what it was asked to prefetch.

#include "core/http/server.h"
#include "support/rawhttp.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QMutex>
#include <memory>

namespace rs::test {

class FakeEdge {
 public:
  explicit FakeEdge(QString jobId, int status = 202) : jobId_(std::move(jobId)) {
    auto router = std::make_shared<http::Router>();
    router->post(QStringLiteral("/edge/v1/prefetch"), http::Access::Public, [this, status](http::Request &req) {
      QMutexLocker lock(&mutex_);
      bodies_ << QJsonDocument::fromJson(req.body).object();
      if (status != 202) return http::Response::error(ErrorCode::Unavailable, QStringLiteral("prefetch is off"));
      return http::Response::json(
          QJsonObject{{QStringLiteral("job"), QJsonObject{{QStringLiteral("id"), jobId_}, {QStringLiteral("state"), QStringLiteral("queued")}}}},
          202);
    });
    http::ServerOptions o;
    o.workers = 1;
    host_ = std::make_unique<ServerHost>(o, router);
  }
  QString url() const { return QStringLiteral("http://127.0.0.1:%1").arg(host_->port()); }
  QList<QJsonObject> bodies() {
    QMutexLocker lock(&mutex_);
    return bodies_;
  }

 private:
  QString jobId_;
  QMutex mutex_;
  QList<QJsonObject> bodies_;
  std::unique_ptr<ServerHost> host_;
};

}  // namespace rs::test
