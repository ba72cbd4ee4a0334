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
    case 100: return "Continue";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 412: return "Precondition Failed";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 416: return "Range Not Satisfiable";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    default: return "Unknown";
  }
}

QString Request::queryValue(QStringView name) const {
  const QUrlQuery q(QString::fromUtf8(query));
  return q.queryItemValue(name.toString(), QUrl::FullyDecoded);
}

}  // namespace rs::http
