#include "clienttls.h"

#include "core/roles/rolehost.h"
#include "core/tls/settings.h"

#include <cstdio>

namespace rs::app {

QCommandLineOption tlsCaOption() {
  return QCommandLineOption(QStringLiteral("tls-ca"),
                            QStringLiteral("Trust this CA (PEM) besides the system store for https URLs "
                                           "(default: <data-dir>/tls/ca.pem when present)."),
                            QStringLiteral("FILE"));
}

bool applyClientTls(const QString &tlsCa, const QString &dataDir) {
  const QString ca = tls::clientCaFile(tlsCa, roles::resolveDataDir(dataDir));
  if (Status s = tls::installClientTrust(ca); !s.isOk()) {
    std::fprintf(stderr, "platform: %s\n", qPrintable(s.message()));
    return false;
  }
  return true;
}

}  // namespace rs::app
