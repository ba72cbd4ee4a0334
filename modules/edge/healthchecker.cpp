#include "edge/healthchecker.h"

#include "edge/upstreampool.h"

#include <QDateTime>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>

namespace rs::edge {

HealthChecker::HealthChecker(UpstreamPool &pool, int intervalMs, int timeoutMs)
    : pool_(pool), intervalMs_(intervalMs), timeoutMs_(timeoutMs) {}

void HealthChecker::start() {
  nam_ = new QNetworkAccessManager(this);
  nam_->setProxy(QNetworkProxy::NoProxy);
  nam_->setAutoDeleteReplies(false);
  timer_ = new QTimer(this);
  connect(timer_, &QTimer::timeout, this, &HealthChecker::tick);
  timer_->start(intervalMs_);
  tick();
}

void HealthChecker::stop() {
  if (timer_) timer_->stop();
  for (QNetworkReply *r : findChildren<QNetworkReply *>()) {
    r->disconnect(this);
    r->abort();
  }
  delete nam_;
  nam_ = nullptr;
}

void HealthChecker::tick() {
  if (!nam_) return;
  for (const QUrl &base : pool_.urls()) {
    const QString id = base.toString();
    if (checking_.contains(id)) continue;  // a slow check is not stacked on
    checking_.insert(id);
    QNetworkRequest req(objectUrl(base, QStringLiteral("/healthz")));
    req.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
    req.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    req.setTransferTimeout(timeoutMs_);
    QNetworkReply *reply = nam_->get(req);
    connect(reply, &QNetworkReply::finished, this, [this, reply, base, id] {
      const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
      QString error;
      if (reply->error() != QNetworkReply::NoError && status == 0) error = reply->errorString();
      else if (status != 200) error = QStringLiteral("/healthz answered HTTP %1").arg(status);
      pool_.reportCheck(base, error.isEmpty(), error, QDateTime::currentMSecsSinceEpoch());
      checking_.remove(id);
      reply->deleteLater();
    });
  }
}

}  // namespace rs::edge
