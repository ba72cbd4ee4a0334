#pragma once
// Which certificate each listener serves and which CAs the clients trust, from the
// options: --tls=off|auto|on, --tls-cert/--tls-key for every listener,
// --<role>-tls-cert/--<role>-tls-key for one, --tls-ca for clients; `auto` falls back
// to what `platform tls init` left in <data-dir>/tls/.

#include "core/config/config.h"
#include "core/status.h"

#include <QString>

namespace rs::tls {

struct ListenerCertificate {
  QString certificate, privateKey;  // both empty: plain HTTP
  bool enabled() const { return !certificate.isEmpty(); }
};

// Checks the combination (a cert without its key, --tls=on without any, an unknown
// mode are errors) and returns the pair for `role`'s listener.
Result<ListenerCertificate> listenerCertificate(const config::Config &config, const QString &dataDir, const QString &role);

// The CA file clients trust besides the system store: --tls-ca, else
// <data-dir>/tls/ca.pem when it exists, else empty.
QString clientCaFile(const QString &configuredCa, const QString &dataDir);
// Every Qt TLS client of this process (QNetworkAccessManager, QSslSocket) from now on
// verifies peers against the system store plus `caFile` (if not empty). A peer that
// fails verification is an error with Qt's reason; nothing falls back to plain HTTP.
Status installClientTrust(const QString &caFile);

}  // namespace rs::tls
