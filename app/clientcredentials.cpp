#include "clientcredentials.h"

#include "core/roles/rolehost.h"
#include "identity/bootstrap.h"

#include <QHostAddress>

namespace rs::app {

Result<QByteArray> clientCredential(const QString &token, const QString &dataDir, bool dataDirGiven, const QUrl &api) {
  QString t = token.isEmpty() ? qEnvironmentVariable("REELSTACK_TOKEN") : token;
  if (!t.isEmpty()) {
    t = t.trimmed();
    if (t.size() > 1024 || t.contains(QLatin1Char(' ')))
      return Status(ErrorCode::BadRequest, QStringLiteral("the token does not look like an API token"));
    return QByteArray(QByteArray("Bearer ") + t.toLatin1());
  }
  const QHostAddress host(api.host());
  const bool local = api.host() == QLatin1String("localhost") || host.isLoopback();
  if (!local && !dataDirGiven) return QByteArray();
  const QString dir = roles::resolveDataDir(dataDir);
  auto local_ = identity::readLocalToken(dir);
  if (!local_) {
    if (dataDirGiven)
      return Status(local_.status().code(), QStringLiteral("no local token in %1 (%2): is that the stack's data directory?")
                                                .arg(dir, local_.status().message()));
    return QByteArray();
  }
  return QByteArray(QByteArray("Bearer ") + *local_);
}

}  // namespace rs::app
