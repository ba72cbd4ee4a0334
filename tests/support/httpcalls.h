#pragma once
// Blocking HTTP calls for tests of the JSON APIs: http() through QNetworkAccessManager,
// call() as one raw request on a fresh connection (no pooling, no retries), both
// answering a Reply. Both carry the port's default Authorization (credentials.h)
// unless told otherwise.

#include "support/credentials.h"
#include "support/rawhttp.h"

#include <QEventLoop>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QUrl>

namespace rs::test {

struct Reply {
  int status = 0;
  QByteArray body;
  QMap<QByteArray, QByteArray> headers;  // lower-case names
  QString error;
  QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
  QString errorCode() const { return json().value(QStringLiteral("error")).toObject().value(QStringLiteral("code")).toString(); }
  QString errorMessage() const {
    return json().value(QStringLiteral("error")).toObject().value(QStringLiteral("message")).toString();
  }
  QString describe() const {
    return error.isEmpty() ? QStringLiteral("HTTP %1 %2").arg(status).arg(QString::fromUtf8(body.left(400))) : error;
  }
};

inline Reply http(const QByteArray &method, const QUrl &url, const QByteArray &body = {}, int timeoutMs = 10000,
                  const QList<QPair<QByteArray, QByteArray>> &headers = {}) {
  QNetworkAccessManager nam;
  nam.setProxy(QNetworkProxy::NoProxy);
  QNetworkRequest req(url);
  req.setTransferTimeout(timeoutMs);
  if (!body.isEmpty()) req.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
  if (const QByteArray a = defaultAuthorization(url.port()); !a.isEmpty()) req.setRawHeader("Authorization", a);
  for (const auto &h : headers) req.setRawHeader(h.first, h.second);
  QNetworkReply *r = nam.sendCustomRequest(req, method, body);
  QEventLoop loop;
  QObject::connect(r, &QNetworkReply::finished, &loop, &QEventLoop::quit);
  loop.exec();
  Reply out;
  out.status = r->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
  out.body = r->readAll();
  for (const auto &h : r->rawHeaderPairs()) out.headers.insert(h.first.toLower(), h.second);
  if (out.status == 0) out.error = r->errorString();
  delete r;
  return out;
}

// A JSON API call to `base`'s port as `authorization` ("" = anonymous): Content-Type
// application/json whenever there is a body or the method is POST, PUT or PATCH.
inline Reply callAs(const QByteArray &authorization, const QUrl &base, const QByteArray &method, const QString &path,
                    const QByteArray &body = {}, int timeoutMs = 15000, const HeaderList &extra = {}) {
  Reply out;
  HeaderList headers = extra;
  headers.emplaceBack("Authorization", authorization);  // empty: anonymous (rawhttp.h)
  if (!body.isEmpty() || method == "POST" || method == "PUT" || method == "PATCH")
    headers.emplaceBack("Content-Type", "application/json");
  const HttpResponse r =
      request(quint16(base.port()), method, path.toUtf8(), headers, body, {.timeoutMs = timeoutMs, .error = &out.error});
  out.status = r.status;
  out.body = r.body;
  for (const auto &[n, v] : r.headers) out.headers.insert(n.toLower(), v);
  return out;
}

// The same as whoever authorize() made the default for base's port.
inline Reply call(const QUrl &base, const QByteArray &method, const QString &path, const QByteArray &body = {},
                  int timeoutMs = 15000) {
  return callAs(defaultAuthorization(base.port()), base, method, path, body, timeoutMs);
}

}  // namespace rs::test
