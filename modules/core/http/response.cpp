#include "core/http/response.h"

#include "core/http/request.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QUrlQuery>
#include <unistd.h>

namespace rs::http {

FileHandle::~FileHandle() {
  if (fd_ >= 0) ::close(fd_);
}

Response Response::text(int status, QByteArray body, QByteArray contentType) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  r.headers.add("Content-Type", std::move(contentType));
  return r;
}

Response Response::json(const QJsonDocument &doc, int status) {
  return text(status, doc.toJson(QJsonDocument::Compact), "application/json");
}
Response Response::json(const QJsonObject &obj, int status) { return json(QJsonDocument(obj), status); }
Response Response::json(const QJsonArray &arr, int status) { return json(QJsonDocument(arr), status); }

Response Response::error(const Status &status) {
  const ErrorCode code = status.isOk() ? ErrorCode::Internal : status.code();
  const QJsonObject body{{QStringLiteral("error"),
                          QJsonObject{{QStringLiteral("code"), QString::fromLatin1(codeName(code))},
                                      {QStringLiteral("message"), status.message()}}}};
  Response r = json(body, httpStatusFor(code));
  return r;
}

QByteArray reasonPhrase(int status) {
  switch (status) {
    case 100: return QByteArrayLiteral("Continue");
    case 200: return QByteArrayLiteral("OK");
    case 201: return QByteArrayLiteral("Created");
    case 202: return QByteArrayLiteral("Accepted");
    case 204: return QByteArrayLiteral("No Content");
    case 206: return QByteArrayLiteral("Partial Content");
    case 301: return QByteArrayLiteral("Moved Permanently");
    case 302: return QByteArrayLiteral("Found");
    case 304: return QByteArrayLiteral("Not Modified");
    case 307: return QByteArrayLiteral("Temporary Redirect");
    case 400: return QByteArrayLiteral("Bad Request");
    case 401: return QByteArrayLiteral("Unauthorized");
    case 403: return QByteArrayLiteral("Forbidden");
    case 404: return QByteArrayLiteral("Not Found");
    case 405: return QByteArrayLiteral("Method Not Allowed");
    case 408: return QByteArrayLiteral("Request Timeout");
    case 409: return QByteArrayLiteral("Conflict");
    case 410: return QByteArrayLiteral("Gone");
    case 412: return QByteArrayLiteral("Precondition Failed");
    case 413: return QByteArrayLiteral("Content Too Large");
    case 414: return QByteArrayLiteral("URI Too Long");
    case 415: return QByteArrayLiteral("Unsupported Media Type");
    case 416: return QByteArrayLiteral("Range Not Satisfiable");
    case 429: return QByteArrayLiteral("Too Many Requests");
    case 431: return QByteArrayLiteral("Request Header Fields Too Large");
    case 500: return QByteArrayLiteral("Internal Server Error");
    case 501: return QByteArrayLiteral("Not Implemented");
    case 502: return QByteArrayLiteral("Bad Gateway");
    case 503: return QByteArrayLiteral("Service Unavailable");
    case 504: return QByteArrayLiteral("Gateway Timeout");
    case 505: return QByteArrayLiteral("HTTP Version Not Supported");
    default: return QByteArrayLiteral("Unknown");
  }
}

QString Request::queryValue(QStringView name) const {
  const QUrlQuery q(QString::fromUtf8(query));
  return q.queryItemValue(name.toString(), QUrl::FullyDecoded);
}

}  // namespace rs::http
