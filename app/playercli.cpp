#include "playercli.h"

#include "player/net/urlrewriter.h"

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
  const ErrorCode code = a.status == 404   ? ErrorCode::NotFound
                         : a.status == 401 ? ErrorCode::Unauthorized
                         : a.status == 403 ? ErrorCode::Forbidden
                                           : ErrorCode::BadGateway;
  return Status(code,
                QStringLiteral("%1: HTTP %2%3").arg(what).arg(a.status).arg(message.isEmpty() ? QString() : QStringLiteral(": ") + message));
}

}  // namespace

QByteArray bearerFrom(const QString &tokenOption) {
  const QString token = tokenOption.isEmpty() ? qEnvironmentVariable("REELSTACK_TOKEN") : tokenOption;
  return token.isEmpty() ? QByteArray() : "Bearer " + token.toUtf8();
}

QByteArray mediaAuthorization(const QUrl &url, const QString &tokenOption) {
  return player::playbackTokenOf(url).isEmpty() ? bearerFrom(tokenOption) : QByteArray();
}

QString credentialHint(ErrorCode code, bool api, const char *command) {
  const QString c = QLatin1String(command);
  if (api && code == ErrorCode::Unauthorized)
    return QStringLiteral("the api wants a viewer's credential: pass --token T (an API token, e.g. from `platform token create "
                          "--role viewer --data-dir D`), set REELSTACK_TOKEN, or give --data-dir D of the stack on this machine");
  if (api && code == ErrorCode::Forbidden) return QStringLiteral("the api refused this credential for playback (see its message)");
  if (code == ErrorCode::Unauthorized)
    return QStringLiteral("the media server wants a playback token in the URL: use `platform %1 --title ID` (through the api's playback "
                          "endpoint), or pass a service token with --token (`platform service-token`)")
        .arg(c);
  if (code == ErrorCode::Forbidden)
    return QStringLiteral("the playback token in the URL is expired, for another title, or signed with a key this server does not "
                          "know: use `platform %1 --title ID` for a fresh one")
        .arg(c);
  return {};
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

Result<Playback> playbackSources(const QUrl &api, const QString &titleId, const QByteArray &authorization, bool hls) {
  const QUrl url = api.resolved(
      QUrl(QStringLiteral("/api/v1/titles/%1/playback").arg(QString::fromLatin1(QUrl::toPercentEncoding(titleId)))));
  const Answer a = call("POST", url, authorization, "{}");
  if (a.status != 200) return failure(QStringLiteral("POST %1").arg(url.toString()), a);
  Playback out;
  const QJsonObject answer = QJsonDocument::fromJson(a.body).object();
  for (const QJsonValue &v : answer.value(QStringLiteral("sources")).toArray()) {
    const QString u = v.toObject().value(hls ? QStringLiteral("hls") : QStringLiteral("dash")).toString();
    if (!u.isEmpty()) out.sources.emplace_back(u);
  }
  if (out.sources.empty()) return Status(ErrorCode::BadGateway, QStringLiteral("POST %1 named no source").arg(url.toString()));
  out.token = player::PlaybackToken::fromJson(answer.value(QStringLiteral("playbackToken")).toObject(), api);
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
