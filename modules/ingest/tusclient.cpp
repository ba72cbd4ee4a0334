#include "ingest/tusclient.h"

#include <QEventLoop>
#include <QFile>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QThread>

namespace rs::ingest {

namespace {
const QByteArray kTusVersion = QByteArrayLiteral("1.0.0");

Status httpError(const HttpResult &r, const QString &what) {
  if (r.status == 0) return Status(ErrorCode::Unavailable, QStringLiteral("%1: %2").arg(what, r.error));
  return Status(errorCodeForHttpStatus(r.status), QStringLiteral("%1: HTTP %2: %3").arg(what).arg(r.status).arg(r.message()));
}

qint64 parseCount(const QByteArray &text) {
  bool ok = false;
  const qint64 v = text.trimmed().toLongLong(&ok);
  return ok && v >= 0 ? v : -1;
}
}  // namespace

QJsonObject HttpResult::json() const { return QJsonDocument::fromJson(body).object(); }

QString HttpResult::message() const {
  const QString m = json().value(QStringLiteral("error")).toObject().value(QStringLiteral("message")).toString();
  if (!m.isEmpty()) return m;
  if (!body.isEmpty()) return QString::fromUtf8(body.left(300)).trimmed();
  return error;
}

QByteArray encodeUploadMetadata(const QList<QPair<QString, QString>> &metadata) {
  QByteArrayList pairs;
  for (const auto &[key, value] : metadata) pairs << key.toLatin1() + ' ' + value.toUtf8().toBase64();
  return pairs.join(',');
}

TusClient::TusClient(QNetworkAccessManager &nam, TusClientOptions options) : nam_(nam), options_(options) {}

HttpResult TusClient::send(const QByteArray &method, const QUrl &url, const QHash<QByteArray, QByteArray> &headers,
                           const QByteArray &body, const std::function<void(qint64)> &progress) {
  QNetworkRequest req(url);
  req.setTransferTimeout(options_.timeoutMs);
  req.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
  req.setRawHeader("User-Agent", "ReelStack-ingest/" REELSTACK_VERSION);
  if (!options_.authorization.isEmpty()) req.setRawHeader("Authorization", options_.authorization);
  for (auto it = headers.cbegin(); it != headers.cend(); ++it) req.setRawHeader(it.key(), it.value());
  QNetworkReply *reply = method == "HEAD" ? nam_.head(req) : nam_.sendCustomRequest(req, method, body);
  QEventLoop loop;
  QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
  if (progress) QObject::connect(reply, &QNetworkReply::uploadProgress, &loop, [&progress](qint64 sent, qint64) { progress(sent); });
  if (!reply->isFinished()) loop.exec();
  HttpResult r;
  r.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
  for (const auto &[name, value] : reply->rawHeaderPairs()) r.headers.insert(name.toLower(), value);
  r.body = reply->readAll();
  if (r.status == 0) r.error = reply->errorString();
  reply->deleteLater();
  return r;
}

Result<TusClient::Created> TusClient::create(const QUrl &endpoint, qint64 length, const QList<QPair<QString, QString>> &metadata) {
  const HttpResult r = send("POST", endpoint,
                            {{"Tus-Resumable", kTusVersion},
                             {"Upload-Length", QByteArray::number(length)},
                             {"Upload-Metadata", encodeUploadMetadata(metadata)}});
  if (r.status != 201) return httpError(r, QStringLiteral("creating the upload at %1").arg(endpoint.toString()));
  const QByteArray location = r.headers.value("location");
  if (location.isEmpty())
    return Status(ErrorCode::BadGateway, QStringLiteral("%1 created an upload without a Location").arg(endpoint.toString()));
  return Created{endpoint.resolved(QUrl(QString::fromUtf8(location))), QString::fromUtf8(r.headers.value("x-title-id"))};
}

Result<qint64> TusClient::offset(const QUrl &uploadUrl) {
  const HttpResult r = send("HEAD", uploadUrl, {{"Tus-Resumable", kTusVersion}});
  if (r.status != 200) return httpError(r, QStringLiteral("asking %1 for its offset").arg(uploadUrl.toString()));
  const qint64 offset = parseCount(r.headers.value("upload-offset"));
  if (offset < 0) return Status(ErrorCode::BadGateway, QStringLiteral("%1 answered without an Upload-Offset").arg(uploadUrl.toString()));
  return offset;
}

Status TusClient::upload(const QUrl &uploadUrl, QFile &file, const std::function<void(qint64, qint64)> &progress) {
  const qint64 total = file.size();
  auto start = offset(uploadUrl);
  if (!start) return start.status();
  qint64 done = *start;
  int failures = 0;
  while (done < total) {
    const qint64 n = qMin(options_.chunkBytes, total - done);
    QByteArray chunk;
    if (!file.seek(done) || (chunk = file.read(n)).size() != n)
      return Status(ErrorCode::IoError, QStringLiteral("cannot read %1: %2").arg(file.fileName(), file.errorString()));
    const qint64 at = done;
    const HttpResult r = send("PATCH", uploadUrl,
                              {{"Tus-Resumable", kTusVersion},
                               {"Upload-Offset", QByteArray::number(at)},
                               {"Content-Type", "application/offset+octet-stream"}},
                              chunk, [&](qint64 sent) {
                                if (progress) progress(at + sent, total);
                              });
    if (r.status == 204) {
      const qint64 next = parseCount(r.headers.value("upload-offset"));
      if (next <= done) return Status(ErrorCode::BadGateway, QStringLiteral("%1 did not advance the offset").arg(uploadUrl.toString()));
      done = next;
      failures = 0;
      if (progress) progress(done, total);
      continue;
    }
    // A 409 means our idea of the offset is stale (an earlier PATCH did land): ask.
    const bool retryable = r.status == 0 || r.status == 409 || r.status == 423 || r.status >= 500;
    if (!retryable || ++failures > options_.retries) return httpError(r, QStringLiteral("uploading to %1").arg(uploadUrl.toString()));
    QThread::msleep(ulong(options_.backoffMs) << (failures - 1));
    if (auto server = offset(uploadUrl)) done = *server;
    if (options_.onRetry) options_.onRetry(r.status == 0 ? r.error : QStringLiteral("HTTP %1: %2").arg(r.status).arg(r.message()), done);
  }
  return Status::ok();
}

}  // namespace rs::ingest
