#pragma once
// The HTTP client roles use to call each other (cross-role calls are HTTP even inside
// one process): per-request timeout, bounded retries with backoff for idempotent
// requests, and traceparent propagation.

#include "core/http/request.h"

#include <QByteArray>
#include <QJsonDocument>
#include <QObject>
#include <QUrl>
#include <functional>

class QNetworkAccessManager;

namespace rs::net {

struct ClientReply {
  int status = 0;         // 0 when no HTTP response arrived
  QByteArray body;
  QString error;          // transport error or timeout, empty on any HTTP response
  bool ok() const { return error.isEmpty() && status >= 200 && status < 300; }
  // For logs and failure reasons: the transport error, or "HTTP 409: <the JSON error's
  // message>" when the peer answered with our error model.
  QString describe() const;
  QJsonDocument json() const { return QJsonDocument::fromJson(body); }
};

struct ClientOptions {
  int timeoutMs = 3000;
  int retries = 0;        // extra attempts after a transport error or 502/503/504
  int backoffMs = 100;    // doubled each retry
  http::TraceContext trace;  // parent context; a child span is sent
  QByteArray contentType = "application/json";
  QByteArray authorization;  // this call's Authorization; empty: the client's own, if any
};

class HttpClient : public QObject {
  Q_OBJECT
 public:
  explicit HttpClient(QObject *parent = nullptr);
  ~HttpClient() override;

  // The Authorization every request carries unless its options name another: a
  // RoleHost's client sends its service credential. Such a client calls only the
  // stack's own roles; anything else (a webhook) gets a client of its own.
  void setAuthorization(std::function<QByteArray()> source) { authorization_ = std::move(source); }

  // Safe to call from any thread; `done` runs on this client's thread.
  void request(const QByteArray &method, const QUrl &url, const QByteArray &body, const ClientOptions &options,
               std::function<void(ClientReply)> done);
  void get(const QUrl &url, const ClientOptions &options, std::function<void(ClientReply)> done) {
    request("GET", url, {}, options, std::move(done));
  }
  void post(const QUrl &url, const QByteArray &body, const ClientOptions &options, std::function<void(ClientReply)> done) {
    request("POST", url, body, options, std::move(done));
  }

 private:
  void attempt(const QByteArray &method, const QUrl &url, const QByteArray &body, const ClientOptions &options,
               int attemptNo, std::function<void(ClientReply)> done);
  QNetworkAccessManager *nam_;
  std::function<QByteArray()> authorization_;
};

}  // namespace rs::net
