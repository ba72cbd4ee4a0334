#include "core/tls/settings.h"

#include "core/tls/localca.h"

#include <QFile>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslSocket>

namespace rs::tls {

Result<ListenerCertificate> listenerCertificate(const config::Config &config, const QString &dataDir, const QString &role) {
  const QString mode = config.value(u"tls");
  if (mode != QLatin1String("off") && mode != QLatin1String("auto") && mode != QLatin1String("on"))
    return Status(ErrorCode::BadRequest, QStringLiteral("--tls must be off, auto or on, not '%1'").arg(mode));
  const QString roleCert = config.value(QString(role + QStringLiteral("-tls-cert")));
  const QString roleKey = config.value(QString(role + QStringLiteral("-tls-key")));
  const QString allCert = config.value(u"tls-cert"), allKey = config.value(u"tls-key");
  if (roleCert.isEmpty() != roleKey.isEmpty())
    return Status(ErrorCode::BadRequest, QStringLiteral("--%1-tls-cert and --%1-tls-key go together").arg(role));
  if (allCert.isEmpty() != allKey.isEmpty())
    return Status(ErrorCode::BadRequest, QStringLiteral("--tls-cert and --tls-key go together"));
  if (mode == QLatin1String("off")) {
    if (!roleCert.isEmpty() || !allCert.isEmpty())
      return Status(ErrorCode::BadRequest, QStringLiteral("--tls=off contradicts the certificate options given"));
    return ListenerCertificate{};
  }
  if (!roleCert.isEmpty()) return ListenerCertificate{roleCert, roleKey};
  if (!allCert.isEmpty()) return ListenerCertificate{allCert, allKey};
  const LocalCaFiles local = localCaFiles(dataDir);
  const bool haveLocal = QFile::exists(local.certificate) && QFile::exists(local.privateKey);
  if (haveLocal) return ListenerCertificate{local.certificate, local.privateKey};
  if (mode == QLatin1String("on"))
    return Status(ErrorCode::BadRequest,
                  QStringLiteral("--tls=on but no certificate: give --tls-cert/--tls-key, or run `platform tls init` "
                                 "(creates %1 and %2)").arg(local.certificate, local.privateKey));
  return ListenerCertificate{};
}

QString clientCaFile(const QString &configuredCa, const QString &dataDir) {
  if (!configuredCa.isEmpty()) return configuredCa;
  const QString local = localCaFiles(dataDir).caCertificate;
  return QFile::exists(local) ? local : QString();
}

Status installClientTrust(const QString &caFile) {
  if (caFile.isEmpty()) return Status::ok();
  QFile f(caFile);
  if (!f.open(QIODevice::ReadOnly))
    return Status(ErrorCode::NotFound, QStringLiteral("cannot read --tls-ca %1: %2").arg(caFile, f.errorString()));
  const QList<QSslCertificate> cas = QSslCertificate::fromData(f.readAll(), QSsl::Pem);
  if (cas.isEmpty()) return Status(ErrorCode::BadRequest, QStringLiteral("--tls-ca %1 holds no PEM certificate").arg(caFile));
  QSslConfiguration c = QSslConfiguration::defaultConfiguration();
  // Explicitly the system store plus ours: setting a CA list turns off Qt's on-demand
  // loading of the system roots, so they are named here.
  c.setCaCertificates(QSslConfiguration::systemCaCertificates() + cas);
  QSslConfiguration::setDefaultConfiguration(c);
  return Status::ok();
}

}  // namespace rs::tls
