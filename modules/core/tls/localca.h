#pragma once
// A local certificate authority for stacks without real certificates: `platform tls
// init` makes a CA once and a server certificate for this host's names from it, with
// OpenSSL's API (EC P-256 keys, SHA-256 signatures). Trust the CA once and every
// listener's certificate, also reissued with more names, is trusted.

#include "core/status.h"

#include <QByteArray>
#include <QDateTime>
#include <QString>
#include <QStringList>

namespace rs::tls {

struct Pem {
  QByteArray certificate;
  QByteArray privateKey;  // a secret: only ever written with writeSecretFile (0600)
};

// A self-signed CA certificate valid over [notBefore, notAfter].
Result<Pem> makeCertificateAuthority(const QString &commonName, const QDateTime &notBefore, const QDateTime &notAfter);
// A TLS server certificate signed by `ca`, with `names` as subjectAltNames (IP
// addresses become iPAddress entries, the rest dNSName); the first name is the CN.
Result<Pem> issueServerCertificate(const Pem &ca, const QStringList &names, const QDateTime &notBefore,
                                   const QDateTime &notAfter);

// The names a server certificate for this host carries: the host name (short and
// full), localhost, 127.0.0.1, ::1, then `extra`, without duplicates.
QStringList defaultServerNames(const QStringList &extra);

struct LocalCaFiles {
  QString dir, caCertificate, caKey, certificate, privateKey;
  bool createdCa = false;
  QStringList names;
};
// The files under `<dataDir>/tls/` (whether or not they exist).
LocalCaFiles localCaFiles(const QString &dataDir);
// Creates the CA if absent (keeping an existing one, so trust survives) and (re)issues
// server.pem/server.key for `names`. Keys are 0600.
Result<LocalCaFiles> initLocalCa(const QString &dataDir, const QStringList &names);

}  // namespace rs::tls
