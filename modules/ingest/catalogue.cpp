#include "ingest/catalogue.h"

#include "core/net/httpclient.h"

#include <QJsonDocument>
#include <chrono>
#include <future>

namespace rs::ingest {

namespace {

Result<QJsonObject> toResult(const net::ClientReply &reply, const QUrl &control) {
  if (!reply.error.isEmpty() || reply.status == 502 || reply.status == 503 || reply.status == 504) {
    const QString why = reply.error.isEmpty() ? QStringLiteral("HTTP %1").arg(reply.status) : reply.error;
    return Status(ErrorCode::Unavailable, QStringLiteral("control at %1 is unreachable: %2").arg(control.toString(), why));
  }
  const QJsonObject body = reply.json().object();
  if (reply.ok()) return body;
  QString message = body.value(QStringLiteral("error")).toObject().value(QStringLiteral("message")).toString();
  if (message.isEmpty()) message = QString::fromUtf8(reply.body.left(200));
  message = QStringLiteral("control answered HTTP %1: %2").arg(reply.status).arg(message);
  switch (reply.status) {
    case 400: return Status(ErrorCode::BadRequest, message);
    case 404: return Status(ErrorCode::NotFound, message);
    case 409: return Status(ErrorCode::Conflict, message);
    default: return Status(ErrorCode::BadGateway, message);
  }
}

}  // namespace

Catalogue::Catalogue(net::HttpClient *client, QUrl controlUrl, const std::atomic<bool> *stopping)
    : client_(client), control_(std::move(controlUrl)), stopping_(stopping) {}

void Catalogue::send(const Call &call, JsonDone done) {
  net::ClientOptions o;
  o.timeoutMs = 10'000;
  o.trace = call.trace;
  // A lost answer to a POST must not create a second title or job.
  o.retries = call.idempotent ? 3 : 0;
  o.backoffMs = 200;
  const QByteArray body = call.method == "GET" || call.method == "DELETE"
                              ? QByteArray()
                              : QJsonDocument(call.body).toJson(QJsonDocument::Compact);
  const QUrl control = control_;
  client_->request(call.method, control_.resolved(QUrl(call.path)), body, o,
                   [control, done = std::move(done)](net::ClientReply reply) { done(toResult(reply, control)); });
}

Result<QJsonObject> Catalogue::sendAndWait(const Call &call) {
  auto promise = std::make_shared<std::promise<Result<QJsonObject>>>();
  std::future<Result<QJsonObject>> future = promise->get_future();
  send(call, [promise](Result<QJsonObject> r) { promise->set_value(std::move(r)); });
  while (future.wait_for(std::chrono::milliseconds(100)) != std::future_status::ready) {
    if (stopping_ && stopping_->load())
      return Status(ErrorCode::Unavailable, QStringLiteral("ingest is shutting down"));
  }
  return future.get();
}

void Catalogue::createTitle(const QString &name, const QString &fileName, const http::TraceContext &trace, JsonDone done) {
  send(Call{"POST", QStringLiteral("/control/v1/titles"),
            QJsonObject{{QStringLiteral("name"), name}, {QStringLiteral("fileName"), fileName}}, false, trace},
       std::move(done));
}

void Catalogue::deleteTitle(const QString &titleId, const http::TraceContext &trace, std::function<void(Status)> done) {
  send(Call{"DELETE", QStringLiteral("/control/v1/titles/") + titleId, {}, true, trace},
       [done = std::move(done)](Result<QJsonObject> r) { done(r.status()); });
}

Result<QJsonObject> Catalogue::createTitle(const QString &name, const QString &fileName) {
  return sendAndWait(Call{"POST", QStringLiteral("/control/v1/titles"),
                          QJsonObject{{QStringLiteral("name"), name}, {QStringLiteral("fileName"), fileName}}, false, {}});
}

Result<QJsonObject> Catalogue::title(const QString &titleId) {
  return sendAndWait(Call{"GET", QStringLiteral("/control/v1/titles/") + titleId, {}, true, {}});
}

Result<QJsonObject> Catalogue::patchTitle(const QString &titleId, const QJsonObject &fields) {
  return sendAndWait(Call{"PATCH", QStringLiteral("/control/v1/titles/") + titleId, fields, true, {}});
}

Status Catalogue::deleteTitle(const QString &titleId) {
  return sendAndWait(Call{"DELETE", QStringLiteral("/control/v1/titles/") + titleId, {}, true, {}}).status();
}

Result<QJsonArray> Catalogue::titlesWithSha256(const QString &sha256) {
  auto r = sendAndWait(Call{"GET", QStringLiteral("/control/v1/titles?sha256=") + sha256, {}, true, {}});
  if (!r) return r.status();
  return r->value(QStringLiteral("titles")).toArray();
}

Result<QJsonObject> Catalogue::createJob(const QString &titleId, const QJsonObject &spec) {
  return sendAndWait(Call{"POST", QStringLiteral("/control/v1/jobs"),
                          QJsonObject{{QStringLiteral("titleId"), titleId}, {QStringLiteral("spec"), spec}}, false, {}});
}

}  // namespace rs::ingest
