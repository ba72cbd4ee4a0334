#pragma once
// A tus 1.0 client for one file (what `platform ingest` uses): creation, PATCHes in
// chunks, and after a network error a HEAD for the server's offset and a resumption
// from there, with a few retries and back-off. Requests run in a local event loop, so
// a QCoreApplication must exist but need not be running.

#include "core/status.h"

#include <QHash>
#include <QJsonObject>
#include <QUrl>
#include <functional>

class QFile;
class QNetworkAccessManager;

namespace rs::ingest {

struct TusClientOptions {
  qint64 chunkBytes = 8 * 1024 * 1024;
  int retries = 5;          // per chunk, after a network error, a 5xx or a 409
  int backoffMs = 500;      // doubled each retry
  int timeoutMs = 60'000;   // with no bytes moving
  QByteArray authorization; // sent with every request ("Bearer rst_…"); empty: none
  // Told about each retry: what went wrong and the offset the upload resumes from.
  std::function<void(const QString &why, qint64 resumeAt)> onRetry;
};

struct HttpResult {
  int status = 0;           // 0: no HTTP answer (error says why)
  QString error;
  QHash<QByteArray, QByteArray> headers;  // lower-case names
  QByteArray body;
  QJsonObject json() const;
  // The server's {"error":{"message"}} if any, else the raw body, else the error.
  QString message() const;
};

class TusClient {
 public:
  TusClient(QNetworkAccessManager &nam, TusClientOptions options = {});

  // One request, waited for in a local event loop. `progress` sees bytes sent.
  HttpResult send(const QByteArray &method, const QUrl &url, const QHash<QByteArray, QByteArray> &headers = {},
                  const QByteArray &body = {}, const std::function<void(qint64)> &progress = {});

  struct Created {
    QUrl uploadUrl;
    QString titleId;
  };
  // POST to the endpoint. Unavailable when no HTTP answer came back; otherwise the
  // server's error message with a matching code.
  Result<Created> create(const QUrl &endpoint, qint64 length, const QList<QPair<QString, QString>> &metadata);
  // HEAD: the server's offset.
  Result<qint64> offset(const QUrl &uploadUrl);
  // Sends `file` from the server's current offset to the end. `progress(done, total)`.
  Status upload(const QUrl &uploadUrl, QFile &file, const std::function<void(qint64, qint64)> &progress = {});

 private:
  QNetworkAccessManager &nam_;
  TusClientOptions options_;
};

// Upload-Metadata: "key base64,key base64".
QByteArray encodeUploadMetadata(const QList<QPair<QString, QString>> &metadata);

}  // namespace rs::ingest
