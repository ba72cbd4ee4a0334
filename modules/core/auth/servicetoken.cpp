#include "core/auth/servicetoken.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QMutexLocker>

namespace rs::auth {

namespace {
Status refuse(const QString &why) { return Status(ErrorCode::Unauthorized, QStringLiteral("service credential refused: ") + why); }
}  // namespace

QByteArray mintServiceToken(const KeyRing &ring, const QString &roles, const QString &instance, qint64 ttlSec,
                            qint64 nowSec) {
  const KeyRing::Derived *k = ring.signing(nowSec);
  if (!k) return {};
  const QJsonObject payload{{QStringLiteral("r"), roles}, {QStringLiteral("i"), instance}, {QStringLiteral("x"), nowSec + ttlSec}};
  const QByteArray head = kServiceTokenPrefix.toByteArray() + k->key.id + '.' +
                          base64Url(QJsonDocument(payload).toJson(QJsonDocument::Compact));
  return head + '.' + base64Url(k->service->sign(head));
}

Result<ServiceIdentity> verifyServiceToken(const KeyRing &ring, QByteArrayView token, qint64 nowSec) {
  if (!token.startsWith(kServiceTokenPrefix)) return refuse(QStringLiteral("not a service token"));
  if (token.size() > 2048) return refuse(QStringLiteral("too long"));
  const qsizetype dot1 = token.indexOf('.', kServiceTokenPrefix.size());
  const qsizetype dot2 = dot1 < 0 ? -1 : token.indexOf('.', dot1 + 1);
  if (dot1 < 0 || dot2 < 0 || token.indexOf('.', dot2 + 1) >= 0) return refuse(QStringLiteral("malformed"));
  const QByteArrayView keyId = token.sliced(kServiceTokenPrefix.size(), dot1 - kServiceTokenPrefix.size());
  const auto mac = fromBase64Url(token.sliced(dot2 + 1));
  const auto payload = fromBase64Url(token.sliced(dot1 + 1, dot2 - dot1 - 1));
  if (!mac || !payload) return refuse(QStringLiteral("malformed"));
  const KeyRing::Derived *k = ring.find(keyId, nowSec);
  if (!k) return refuse(QStringLiteral("unknown or retired key id '%1'").arg(QString::fromLatin1(keyId.first(qMin<qsizetype>(16, keyId.size())).toByteArray())));
  if (!k->service->verify(token.first(dot2), *mac)) return refuse(QStringLiteral("bad signature"));
  // Only signed bytes are parsed.
  const QJsonObject p = QJsonDocument::fromJson(*payload).object();
  ServiceIdentity id{p.value(QStringLiteral("r")).toString(), p.value(QStringLiteral("i")).toString(),
                     qint64(p.value(QStringLiteral("x")).toDouble()), keyId.toByteArray()};
  if (id.roles.isEmpty() || id.expiresSec <= 0) return refuse(QStringLiteral("malformed"));
  if (id.expiresSec + kClockSkewSeconds < nowSec) return refuse(QStringLiteral("expired"));
  if (id.expiresSec > nowSec + kMaxServiceTokenSeconds + kClockSkewSeconds) return refuse(QStringLiteral("lifetime too long"));
  return id;
}

ServiceCredential::ServiceCredential(const ClusterKeys &keys, QString roles, QString instance)
    : keys_(keys), roles_(std::move(roles)), instance_(std::move(instance)) {}

QByteArray ServiceCredential::authorization() const {
  const auto ring = keys_.current();
  if (!ring) return {};
  const qint64 now = nowSeconds();
  QMutexLocker lock(&mutex_);
  // A reloaded ring may have a new signing key: tokens follow it at once.
  if (cached_.isEmpty() || now >= renewAtSec_ || generationSeen_ != keys_.generation()) {
    const QByteArray token = mintServiceToken(*ring, roles_, instance_, kServiceTokenSeconds, now);
    cached_ = token.isEmpty() ? QByteArray() : "Bearer " + token;
    renewAtSec_ = now + kServiceTokenSeconds / 2;
    generationSeen_ = keys_.generation();
  }
  return cached_;
}

}  // namespace rs::auth
