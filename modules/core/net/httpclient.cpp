#include "core/net/httpclient.h"

#include "core/http/trace.h"

#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkCookie>
#include <QNetworkCookieJar>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QSslError>
#include <QThread>
#include <QTimer>

namespace rs::net {

namespace {
class NoCookies : public QNetworkCookieJar {
 public:
  using QNetworkCookieJar::QNetworkCookieJar;
  bool setCookiesFromUrl(const QList<QNetworkCookie> &, const QUrl &) override { return false; }
  QList<QNetworkCookie> cookiesForUrl(const QUrl &) const override { return {}; }
};
}  // namespace

QString ClientReply::describe() const {
  if (!error.isEmpty()) return error;
  const QString message = json().object().value(QStringLiteral("error")).toObject().value(QStringLiteral("message")).toString();
  return QStringLiteral("HTTP %1%2").arg(status).arg(message.isEmpty() ? QString() : QStringLiteral(": ") + message);
}

HttpClient::HttpClient(QObject *parent) : QObject(parent), nam_(new QNetworkAccessManager(this)) {
  // Cross-role calls must not pick up a desktop proxy meant for the web.
  nam_->setProxy(QNetworkProxy::NoProxy);
  // Credentials are explicit (Authorization); nothing a peer sets is replayed.
  nam_->setCookieJar(new NoCookies(nam_));
}

HttpClient::~HttpClient() = default;

void HttpClient::request(const QByteArray &method, const QUrl &url, const QByteArray &body, const ClientOptions &options,
                         std::function<void(ClientReply)> done) {
  if (QThread::currentThread() != thread()) {
    QMetaObject::invokeMethod(this, [=, this] { attempt(method, url, body, options, 0, done); }, Qt::QueuedConnection);
    return;
  }
  attempt(method, url, body, options, 0, std::move(done));
}

void HttpClient::attempt(const QByteArray &method, const QUrl &url, const QByteArray &body, const ClientOptions &options,
                         int attemptNo, std::function<void(ClientReply)> done) {
  QNetworkRequest req(url);
  req.setTransferTimeout(options.timeoutMs);
  req.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
  const http::TraceContext child = http::childContext(options.trace);
  req.setRawHeader("traceparent", child.traceparent());
  req.setRawHeader("User-Agent", "ReelStack/" REELSTACK_VERSION);
  const QByteArray authorization = !options.authorization.isEmpty() ? options.authorization
                                   : authorization_                 ? authorization_()
                                                                    : QByteArray();
  if (!authorization.isEmpty()) req.setRawHeader("Authorization", authorization);
  if (!body.isEmpty()) req.setHeader(QNetworkRequest::ContentTypeHeader, QString::fromLatin1(options.contentType));
  QNetworkReply *reply = nam_->sendCustomRequest(req, method, body);
  // Why a peer's certificate was refused, in Qt's words ("The certificate has expired");
  // the reply's own error may only say that the handshake failed.
  auto tlsReasons = std::make_shared<QStringList>();
  connect(reply, &QNetworkReply::sslErrors, this, [tlsReasons](const QList<QSslError> &errors) {
    for (const QSslError &e : errors) *tlsReasons << e.errorString();
  });
  connect(reply, &QNetworkReply::finished, this, [=, this] {
    reply->deleteLater();
    ClientReply r;
    r.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    r.body = reply->readAll();
    if (r.status == 0) {
      r.error = reply->error() == QNetworkReply::OperationCanceledError || reply->error() == QNetworkReply::TimeoutError
                    ? QStringLiteral("timed out after %1 ms").arg(options.timeoutMs)
                    : reply->errorString();
      if (!tlsReasons->isEmpty())
        r.error = QStringLiteral("TLS certificate of %1 refused: %2").arg(url.authority(), tlsReasons->join(QStringLiteral("; ")));
    }
    const bool retryable = r.status == 0 || r.status == 502 || r.status == 503 || r.status == 504;
    if (retryable && attemptNo < options.retries) {
      const int delay = options.backoffMs << attemptNo;
      QTimer::singleShot(delay, this, [=, this] { attempt(method, url, body, options, attemptNo + 1, done); });
      return;
    }
    done(std::move(r));
  });
}

}  // namespace rs::net
