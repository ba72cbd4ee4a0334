#include "api/playback.h"

#include "api/controlcalls.h"
#include "api/titles.h"
#include "api/titlesorigin.h"
#include "core/http/server.h"
#include "core/log/log.h"
#include "core/net/httpclient.h"
#include "core/roles/rolehost.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <cstring>


namespace rs::api {

namespace {

using Deps = ControlDeps;
net::ClientOptions options(const http::TraceContext &trace) { return controlCallOptions(trace); }


struct Viewing {
  QString titleId;
  QString region;   // asked for by the viewer; empty: from the address
  QString address;  // the viewer's
  QJsonObject assets;  // the title's; empty when control could not be asked
  http::TraceContext trace;
  MediaTokens::Token token;  // in every source URL's path
};

QJsonObject source(const QUrl &base, const Viewing &q, const QString &kind, const QString &reason) {
  auto asset = [&](const char *key, const char *fallback) {
    const QString a = q.assets.value(QLatin1String(key)).toString();
    return a.isEmpty() ? QString::fromLatin1(fallback) : a;
  };
  return QJsonObject{{QStringLiteral("kind"), kind},
                     {QStringLiteral("base"), base.toString(QUrl::StripTrailingSlash)},
                     {QStringLiteral("dash"), mediaUrl(base, q.titleId, asset("dash", "manifest.mpd"), q.token.value)},
                     {QStringLiteral("hls"), mediaUrl(base, q.titleId, asset("hls", "master.m3u8"), q.token.value)},
                     {QStringLiteral("reason"), reason}};
}

// How the player keeps its URLs working: renew before half the lifetime is gone and
// put the new value in place of the old one in every URL's /m/<token>/ segment.
QJsonObject tokenJson(const QString &titleId, const MediaTokens::Token &t, qint64 ttlSec) {
  return QJsonObject{{QStringLiteral("value"), t.value},
                     {QStringLiteral("expiresAt"), QDateTime::fromSecsSinceEpoch(t.expiresSec, Qt::UTC).toString(Qt::ISODate)},
                     {QStringLiteral("renewAfterSeconds"), qMax<qint64>(1, ttlSec / 2)},
                     {QStringLiteral("renewUrl"), QStringLiteral("/api/v1/titles/%1/playback/renew")
                                                      .arg(QString::fromLatin1(QUrl::toPercentEncoding(titleId)))}};
}

// steer: control's steer answer, or empty with `steerError` saying why there is none.
void answer(const Deps &d, const Viewing &q, const QJsonObject &steer, const QString &steerError,
            const http::Responder &responder) {
  QJsonArray edges, sources;
  for (const QJsonValue &v : steer.value(QStringLiteral("edges")).toArray()) {
    const QJsonObject e = v.toObject();
    const QUrl base(e.value(QStringLiteral("url")).toString());
    if (!base.isValid() || base.host().isEmpty()) continue;  // an edge that registered no URL
    const QString reason = e.value(QStringLiteral("reason")).toString();
    edges.append(QJsonObject{{QStringLiteral("instanceId"), e.value(QStringLiteral("instanceId"))},
                             {QStringLiteral("region"), e.value(QStringLiteral("region"))},
                             {QStringLiteral("url"), e.value(QStringLiteral("url"))},
                             {QStringLiteral("reason"), reason}});
    sources.append(source(base, q, QStringLiteral("edge"), reason));
  }
  const QJsonValue region = steer.contains(QStringLiteral("region")) ? steer.value(QStringLiteral("region")) : QJsonValue();
  d.origins->find(q.trace, [d, q, edges, sources, region, steerError, responder](OriginLocator::Origin o) mutable {
    if (o.isValid()) {
      const QString reason = steerError.isEmpty()
                                 ? QStringLiteral("origin (no edge left)")
                                 : QStringLiteral("origin (no steering: %1)").arg(steerError);
      sources.append(source(o.publicUrl, q, QStringLiteral("origin"), reason));
    }
    if (sources.isEmpty()) {
      return responder.send(http::Response::error(
          ErrorCode::BadGateway, steerError.isEmpty() ? QStringLiteral("no live edge and no origin is known")
                                                      : QStringLiteral("no origin is known and %1").arg(steerError)));
    }
    responder.send(http::Response::json(QJsonObject{{QStringLiteral("title"), q.titleId},
                                                    {QStringLiteral("region"), region},
                                                    {QStringLiteral("address"), q.address},
                                                    {QStringLiteral("edges"), edges},
                                                    {QStringLiteral("sources"), sources},
                                                    {QStringLiteral("playbackToken"), tokenJson(q.titleId, q.token, d.tokens.ttlSec)}}));
  });
}

void steer(const Deps &d, const Viewing &q, const http::Responder &responder) {
  QJsonObject body{{QStringLiteral("title"), q.titleId}, {QStringLiteral("address"), q.address}};
  if (!q.region.isEmpty()) body.insert(QStringLiteral("region"), q.region);
  d.client->post(d.control.resolved(QUrl(QStringLiteral("/control/v1/playback"))),
                 QJsonDocument(body).toJson(QJsonDocument::Compact), options(q.trace),
                 [d, q, responder](net::ClientReply r) {
    if (r.ok()) return answer(d, q, r.json().object(), {}, responder);
    if (isControlRefusal(r)) return responder.send(http::Response::text(r.status, r.body, "application/json"));
    // Playback must not depend on steering: without it, the origin still serves.
    const QString why = QStringLiteral("control at %1 did not steer: %2").arg(d.control.toString(), r.describe());
    qCWarning(lcApi).noquote() << "playback of" << q.titleId << "falls back to the origin:" << why;
    answer(d, q, {}, why, responder);
  });
}

void startPlayback(const Deps &d, Viewing q, const http::Responder &responder) {
  const QUrl titleUrl =
      d.control.resolved(QUrl(QStringLiteral("/control/v1/titles/") + QString::fromLatin1(QUrl::toPercentEncoding(q.titleId))));
  d.client->get(titleUrl, options(q.trace), [d, q, responder](net::ClientReply r) mutable {
    if (isControlRefusal(r)) return responder.send(http::Response::text(r.status, r.body, "application/json"));
    if (!r.ok()) {
      // Control is down: the title cannot be checked, but an origin that has it
      // still serves it (and answers 404 for one it does not have).
      const QString why = QStringLiteral("control at %1 did not answer: %2").arg(d.control.toString(), r.describe());
      qCWarning(lcApi).noquote() << "playback of" << q.titleId << "falls back to the origin:" << why;
      return answer(d, q, {}, why, responder);
    }
    const QJsonObject title = r.json().object();
    const QString state = title.value(QStringLiteral("state")).toString();
    if (state != QLatin1String("ready"))
      return responder.send(
          http::Response::error(ErrorCode::Conflict, QStringLiteral("title '%1' is %2, not ready").arg(q.titleId, state)));
    q.assets = title.value(QStringLiteral("assets")).toObject();
    steer(d, q, responder);
  });
}

}  // namespace

QString viewerAddress(const QHostAddress &peer) {
  if (peer.protocol() != QAbstractSocket::IPv6Protocol) return peer.toString();
  const Q_IPV6ADDR b = peer.toIPv6Address();
  static constexpr quint8 kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(b.c, kMapped, sizeof kMapped) != 0) return peer.toString();
  return QHostAddress((quint32(b[12]) << 24) | (quint32(b[13]) << 16) | (quint32(b[14]) << 8) | quint32(b[15])).toString();
}

void mountPlayback(http::Router &router, roles::RoleHost &host, const QUrl &control, MediaTokens tokens) {
  const Deps d{host.client(), control, makeOriginLocator(host, control), tokens};
  // Optional body {"region":"eu"} (or ?region=eu): play as a viewer of that region.
  router.addAsync("POST", QStringLiteral("/api/v1/titles/{id}/playback"), {http::Access::Viewer, 4096},
                  [d](http::Request &req, http::Responder r) {
    Viewing q{req.param(QStringLiteral("id")), req.queryValue(u"region"), viewerAddress(req.peer), {}, req.trace, {}};
    if (!req.body.trimmed().isEmpty()) {
      QJsonParseError err;
      const QJsonDocument doc = QJsonDocument::fromJson(req.body, &err);
      const QJsonValue region = doc.object().value(QStringLiteral("region"));
      if (err.error != QJsonParseError::NoError || !doc.isObject() || !(region.isUndefined() || region.isString()))
        return r.send(http::Response::error(ErrorCode::BadRequest,
                                            QStringLiteral("body must be a JSON object, optionally with a string 'region'")));
      if (region.isString()) q.region = region.toString();
    }
    q.token = d.tokens.mint(q.titleId, req.principal);
    if (q.token.value.isEmpty())
      return r.send(http::Response::error(ErrorCode::Unavailable, QStringLiteral("the api has no cluster key to sign playback tokens with")));
    startPlayback(d, std::move(q), r);
  });
  // The playback heartbeat: a signed-in viewer gets a fresh token for the title; once
  // the session ends (logout, expiry, a removed account) renewals stop and the media
  // URLs stop working within one token lifetime.
  router.post(QStringLiteral("/api/v1/titles/{id}/playback/renew"), {http::Access::Viewer, 1024}, [d](http::Request &req) {
    const QString id = req.param(QStringLiteral("id"));
    const MediaTokens::Token t = d.tokens.mint(id, req.principal);
    if (t.value.isEmpty())
      return http::Response::error(ErrorCode::Unavailable, QStringLiteral("the api has no cluster key to sign playback tokens with"));
    return http::Response::json(tokenJson(id, t, d.tokens.ttlSec));
  });
}

}  // namespace rs::api
