#include "player/net/qnamtransport.h"

#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>

namespace rs::player {

QnamTransport::QnamTransport(Clock &clock, QObject *parent)
    : QObject(parent), clock_(clock), nam_(new QNetworkAccessManager(this)) {
  nam_->setProxy(QNetworkProxy::NoProxy);
}

QnamTransport::~QnamTransport() {
  for (auto &[id, f] : inFlight_) {
    f.reply->disconnect(this);
    f.reply->abort();
    f.reply->deleteLater();
  }
}

Transport::FetchId QnamTransport::fetch(const FetchRequest &request, std::function<void(FetchResult)> done) {
  const FetchId id = next_++;
  QUrl url = request.resolvedUrl();
  if (rewrite_) url = rewrite_(url);
  QNetworkRequest req(url);
  req.setTransferTimeout(request.timeoutMs);
  req.setRawHeader("User-Agent", "ReelStack-player/" REELSTACK_VERSION);
  if (!request.authorization.isEmpty()) req.setRawHeader("Authorization", request.authorization);
  for (const auto &[name, value] : request.headers) req.setRawHeader(name, value);
  InFlight &f = inFlight_[id];
  f.wantBody = request.wantBody;
  f.done = std::move(done);
  f.result.requestedAt = clock_.now();
  if (!request.contentType.isEmpty()) req.setHeader(QNetworkRequest::ContentTypeHeader, QString::fromLatin1(request.contentType));
  f.reply = nam_->sendCustomRequest(req, request.method, request.body);
  QNetworkReply *reply = f.reply;
  connect(reply, &QNetworkReply::metaDataChanged, this, [this, id, reply] {
    const auto it = inFlight_.find(id);
    if (it == inFlight_.end()) return;
    const QVariant length = reply->header(QNetworkRequest::ContentLengthHeader);
    if (length.isValid()) it->second.total = length.toLongLong();
  });
  connect(reply, &QNetworkReply::readyRead, this, [this, id, reply] {
    const auto it = inFlight_.find(id);
    if (it == inFlight_.end()) return;
    InFlight &f = it->second;
    const QByteArray data = reply->readAll();
    if (data.isEmpty()) return;
    if (f.result.bytes == 0) {
      f.result.firstByteAt = clock_.now();
      f.result.firstChunkBytes = data.size();
    }
    f.result.bytes += data.size();
    if (f.wantBody) f.result.body += data;
  });
  connect(reply, &QNetworkReply::finished, this, [this, id, reply] {
    reply->deleteLater();
    const auto it = inFlight_.find(id);
    if (it == inFlight_.end()) return;
    InFlight f = std::move(it->second);
    inFlight_.erase(it);
    const QByteArray rest = reply->readAll();
    if (!rest.isEmpty()) {
      if (f.result.bytes == 0) {
        f.result.firstByteAt = clock_.now();
        f.result.firstChunkBytes = rest.size();
      }
      f.result.bytes += rest.size();
      if (f.wantBody) f.result.body += rest;
    }
    f.result.finishedAt = clock_.now();
    if (f.result.firstByteAt <= 0) f.result.firstByteAt = f.result.finishedAt;
    f.result.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    f.result.xCache = reply->rawHeader("X-Cache");
    for (const auto &[name, value] : reply->rawHeaderPairs())
      if (name.compare("Set-Cookie", Qt::CaseInsensitive) == 0)
        for (const QByteArray &one : value.split('\n')) f.result.setCookies.push_back(one);
    if (reply->error() != QNetworkReply::NoError && f.result.status == 0) {
      f.result.error = reply->error() == QNetworkReply::OperationCanceledError ? QStringLiteral("timed out") : reply->errorString();
    } else if (reply->error() != QNetworkReply::NoError && f.result.status >= 200 && f.result.status < 300) {
      // An answer that broke off: what arrived is not the segment.
      f.result.error = QStringLiteral("download broke off after %1 bytes: %2").arg(f.result.bytes).arg(reply->errorString());
    }
    f.done(std::move(f.result));
  });
  return id;
}

FetchProgress QnamTransport::progress(FetchId id) {
  FetchProgress p;
  const auto it = inFlight_.find(id);
  if (it == inFlight_.end()) return p;
  p.bytes = it->second.result.bytes;
  p.total = it->second.total;
  p.firstByteAt = it->second.result.bytes > 0 ? it->second.result.firstByteAt : -1;
  p.firstChunkBytes = it->second.result.firstChunkBytes;
  return p;
}

void QnamTransport::abort(FetchId id) {
  const auto it = inFlight_.find(id);
  if (it == inFlight_.end()) return;
  QNetworkReply *reply = it->second.reply;
  inFlight_.erase(it);
  reply->disconnect(this);
  reply->abort();
  reply->deleteLater();
}

}  // namespace rs::player
