#include "playercli.h"

#include <QEventLoop>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <cstdio>

namespace rs::app {

namespace {

struct Answer {
  int status = 0;
  QByteArray body;
  QString error;
};

Answer call(const QByteArray &method, const QUrl &url, const QByteArray &authorization, const QByteArray &body = {}) {
  QNetworkAccessManager nam;
  nam.setProxy(QNetworkProxy::NoProxy);
  QNetworkRequest req(url);
  req.setTransferTimeout(15000);
  if (!authorization.isEmpty()) req.setRawHeader("Authorization", authorization);
  if (!body.isEmpty()) req.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
  QNetworkReply *reply = nam.sendCustomRequest(req, method, body);
  QEventLoop loop;
  QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
  loop.exec();
  Answer a;
  a.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
  a.body = reply->readAll();
  if (a.status == 0) a.error = reply->errorString();
  delete reply;
  return a;
}

Status failure(const QString &what, const Answer &a) {
  if (a.status == 0) return Status(ErrorCode::Unavailable, QStringLiteral("%1: %2").arg(what, a.error));
  const QString message =
      QJsonDocument::fromJson(a.body).object().value(QStringLiteral("error")).toObject().value(QStringLiteral("message")).toString();
  return Status(a.status == 404 ? ErrorCode::NotFound : ErrorCode::BadGateway,
                QStringLiteral("%1: HTTP %2%3").arg(what).arg(a.status).arg(message.isEmpty() ? QString() : QStringLiteral(": ") + message));
}

}  // namespace

QByteArray bearerFrom(const QString &tokenOption) {
  const QString token = tokenOption.isEmpty() ? qEnvironmentVariable("REELSTACK_TOKEN") : tokenOption;
  return token.isEmpty() ? QByteArray() : "Bearer " + token.toUtf8();
}

Result<QUrl> titleManifest(const QUrl &api, const QString &titleId, const QByteArray &authorization) {
  const QUrl url = api.resolved(QUrl(QStringLiteral("/api/v1/titles/") + QString::fromLatin1(QUrl::toPercentEncoding(titleId))));
  const Answer a = call("GET", url, authorization);
  if (a.status != 200) return failure(QStringLiteral("GET %1").arg(url.toString()), a);
  const QJsonObject title = QJsonDocument::fromJson(a.body).object();
  const QString dash = title.value(QStringLiteral("manifests")).toObject().value(QStringLiteral("dash")).toString();
  if (dash.isEmpty())
    return Status(ErrorCode::Conflict, QStringLiteral("title %1 is %2: it has no manifest yet")
                                           .arg(titleId, title.value(QStringLiteral("state")).toString()));
  return QUrl(dash);
}

Result<std::vector<QUrl>> playbackSources(const QUrl &api, const QString &titleId, const QByteArray &authorization, bool hls) {
  const QUrl url = api.resolved(
      QUrl(QStringLiteral("/api/v1/titles/%1/playback").arg(QString::fromLatin1(QUrl::toPercentEncoding(titleId)))));
  const Answer a = call("POST", url, authorization, "{}");
  if (a.status != 200) return failure(QStringLiteral("POST %1").arg(url.toString()), a);
  std::vector<QUrl> out;
  for (const QJsonValue &v : QJsonDocument::fromJson(a.body).object().value(QStringLiteral("sources")).toArray()) {
    const QString u = v.toObject().value(hls ? QStringLiteral("hls") : QStringLiteral("dash")).toString();
    if (!u.isEmpty()) out.emplace_back(u);
  }
  if (out.empty()) return Status(ErrorCode::BadGateway, QStringLiteral("POST %1 named no source").arg(url.toString()));
  return out;
}

Status writeJson(const QString &file, const QJsonObject &json) {
  const QByteArray text = QJsonDocument(json).toJson(QJsonDocument::Indented);
  if (file == QLatin1String("-")) {
    std::fwrite(text.constData(), 1, size_t(text.size()), stdout);
    std::fflush(stdout);
    return Status::ok();
  }
  QFile f(file);
  if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || f.write(text) != text.size())
    return Status(ErrorCode::IoError, QStringLiteral("cannot write %1: %2").arg(file, f.errorString()));
  return Status::ok();
}

Result<QUrl> httpUrlOption(const QString &value, const char *option) {
  const QUrl url(value, QUrl::StrictMode);
  if (!url.isValid() || url.host().isEmpty() || (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https")))
    return Status(ErrorCode::BadRequest, QStringLiteral("%1 '%2' is not an http(s) URL").arg(QLatin1String(option), value));
  return url;
}

}  // namespace rs::app
