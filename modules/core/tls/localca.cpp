#include "core/tls/localca.h"

#include "core/auth/secretfile.h"
#include "core/tls/servercontext.h"

#include <QDir>
#include <QFile>
#include <QHostAddress>
#include <QHostInfo>
#include <QSaveFile>
#include <QSysInfo>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

namespace rs::tls {

namespace {

struct Free {
  void operator()(EVP_PKEY *p) const { EVP_PKEY_free(p); }
  void operator()(X509 *p) const { X509_free(p); }
  void operator()(BIO *p) const { BIO_free(p); }
  void operator()(X509_EXTENSION *p) const { X509_EXTENSION_free(p); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, Free>;
using CertPtr = std::unique_ptr<X509, Free>;
using BioPtr = std::unique_ptr<BIO, Free>;

Status fail(const char *what) {
  return Status(ErrorCode::Internal, QStringLiteral("%1: %2").arg(QLatin1String(what), opensslErrorText()));
}

QByteArray bioBytes(BIO *bio) {
  char *data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  return QByteArray(data, int(n));
}

Result<QByteArray> certPem(X509 *cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) return fail("PEM_write_bio_X509");
  return bioBytes(bio.get());
}

Result<QByteArray> keyPem(EVP_PKEY *key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1)
    return fail("PEM_write_bio_PrivateKey");
  return bioBytes(bio.get());
}

Status addExtension(X509 *cert, X509 *issuer, int nid, const char *value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  std::unique_ptr<X509_EXTENSION, Free> ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
  if (!ext || X509_add_ext(cert, ext.get(), -1) != 1) return fail("X509 extension");
  return Status::ok();
}

// A fresh certificate with a random 128-bit serial, the validity window and the CN.
Result<CertPtr> newCertificate(EVP_PKEY *key, const QString &commonName, const QDateTime &notBefore, const QDateTime &notAfter) {
  CertPtr cert(X509_new());
  if (!cert) return fail("X509_new");
  X509_set_version(cert.get(), 2);  // v3
  unsigned char serial[16];
  if (RAND_bytes(serial, sizeof serial) != 1) return fail("RAND_bytes");
  serial[0] &= 0x7f;  // positive
  BIGNUM *bn = BN_bin2bn(serial, sizeof serial, nullptr);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
  BN_free(bn);
  ASN1_TIME_set(X509_getm_notBefore(cert.get()), time_t(notBefore.toSecsSinceEpoch()));
  ASN1_TIME_set(X509_getm_notAfter(cert.get()), time_t(notAfter.toSecsSinceEpoch()));
  X509_set_pubkey(cert.get(), key);
  X509_NAME *name = X509_get_subject_name(cert.get());
  const QByteArray cn = commonName.left(64).toUtf8(), org = QByteArrayLiteral("ReelStack");
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, reinterpret_cast<const unsigned char *>(org.constData()), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char *>(cn.constData()), -1, -1, 0);
  return cert;
}

Result<KeyPtr> newKey() {
  KeyPtr key(EVP_EC_gen("P-256"));
  if (!key) return fail("EC P-256 key generation");
  return key;
}

Result<KeyPtr> readKey(const QByteArray &pem) {
  BioPtr bio(BIO_new_mem_buf(pem.constData(), int(pem.size())));
  KeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!key) return Status(ErrorCode::BadRequest, QStringLiteral("the CA key is not a PEM private key: %1").arg(opensslErrorText()));
  return key;
}

Result<CertPtr> readCert(const QByteArray &pem) {
  BioPtr bio(BIO_new_mem_buf(pem.constData(), int(pem.size())));
  CertPtr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) return Status(ErrorCode::BadRequest, QStringLiteral("the CA certificate is not PEM: %1").arg(opensslErrorText()));
  return cert;
}

Status writePublic(const QString &path, const QByteArray &content) {
  QSaveFile f(path);
  if (!f.open(QIODevice::WriteOnly) || f.write(content) != content.size() || !f.commit())
    return Status(ErrorCode::IoError, QStringLiteral("cannot write %1: %2").arg(path, f.errorString()));
  return Status::ok();
}

}  // namespace

Result<Pem> makeCertificateAuthority(const QString &commonName, const QDateTime &notBefore, const QDateTime &notAfter) {
  auto key = newKey();
  RS_RETURN_IF_ERROR(key.status());
  auto cert = newCertificate(key->get(), commonName, notBefore, notAfter);
  RS_RETURN_IF_ERROR(cert.status());
  X509 *c = cert->get();
  X509_set_issuer_name(c, X509_get_subject_name(c));
  RS_RETURN_IF_ERROR(addExtension(c, c, NID_basic_constraints, "critical,CA:TRUE,pathlen:0"));
  RS_RETURN_IF_ERROR(addExtension(c, c, NID_key_usage, "critical,keyCertSign,cRLSign"));
  RS_RETURN_IF_ERROR(addExtension(c, c, NID_subject_key_identifier, "hash"));
  if (X509_sign(c, key->get(), EVP_sha256()) == 0) return fail("X509_sign");
  auto cp = certPem(c);
  RS_RETURN_IF_ERROR(cp.status());
  auto kp = keyPem(key->get());
  RS_RETURN_IF_ERROR(kp.status());
  return Pem{*cp, *kp};
}

Result<Pem> issueServerCertificate(const Pem &ca, const QStringList &names, const QDateTime &notBefore,
                                   const QDateTime &notAfter) {
  if (names.isEmpty()) return Status(ErrorCode::BadRequest, QStringLiteral("a server certificate needs at least one name"));
  auto caKey = readKey(ca.privateKey);
  RS_RETURN_IF_ERROR(caKey.status());
  auto caCert = readCert(ca.certificate);
  RS_RETURN_IF_ERROR(caCert.status());
  auto key = newKey();
  RS_RETURN_IF_ERROR(key.status());
  auto cert = newCertificate(key->get(), names.first(), notBefore, notAfter);
  RS_RETURN_IF_ERROR(cert.status());
  X509 *c = cert->get();
  X509_set_issuer_name(c, X509_get_subject_name(caCert->get()));
  QStringList san;
  for (const QString &n : names) {
    QHostAddress ip;
    san << (ip.setAddress(n) ? QStringLiteral("IP:") + ip.toString() : QStringLiteral("DNS:") + n);
  }
  RS_RETURN_IF_ERROR(addExtension(c, caCert->get(), NID_basic_constraints, "critical,CA:FALSE"));
  RS_RETURN_IF_ERROR(addExtension(c, caCert->get(), NID_key_usage, "critical,digitalSignature"));
  RS_RETURN_IF_ERROR(addExtension(c, caCert->get(), NID_ext_key_usage, "serverAuth"));
  RS_RETURN_IF_ERROR(addExtension(c, caCert->get(), NID_subject_alt_name, san.join(QLatin1Char(',')).toUtf8().constData()));
  RS_RETURN_IF_ERROR(addExtension(c, caCert->get(), NID_subject_key_identifier, "hash"));
  RS_RETURN_IF_ERROR(addExtension(c, caCert->get(), NID_authority_key_identifier, "keyid:always"));
  if (X509_sign(c, caKey->get(), EVP_sha256()) == 0) return fail("X509_sign");
  auto cp = certPem(c);
  RS_RETURN_IF_ERROR(cp.status());
  auto kp = keyPem(key->get());
  RS_RETURN_IF_ERROR(kp.status());
  return Pem{*cp, *kp};
}

QStringList defaultServerNames(const QStringList &extra) {
  QStringList names;
  auto add = [&](const QString &n) {
    const QString t = n.trimmed();
    if (!t.isEmpty() && !names.contains(t, Qt::CaseInsensitive)) names << t;
  };
  const QString host = QSysInfo::machineHostName();
  add(host.section(QLatin1Char('.'), 0, 0));
  add(host);
  add(QHostInfo::localDomainName().isEmpty() ? QString() : host.section(QLatin1Char('.'), 0, 0) + QLatin1Char('.') + QHostInfo::localDomainName());
  add(QStringLiteral("localhost"));
  add(QStringLiteral("127.0.0.1"));
  add(QStringLiteral("::1"));
  for (const QString &e : extra) add(e);
  return names;
}

LocalCaFiles localCaFiles(const QString &dataDir) {
  LocalCaFiles f;
  f.dir = QDir(dataDir).filePath(QStringLiteral("tls"));
  f.caCertificate = f.dir + QStringLiteral("/ca.pem");
  f.caKey = f.dir + QStringLiteral("/ca.key");
  f.certificate = f.dir + QStringLiteral("/server.pem");
  f.privateKey = f.dir + QStringLiteral("/server.key");
  return f;
}

Result<LocalCaFiles> initLocalCa(const QString &dataDir, const QStringList &names) {
  LocalCaFiles f = localCaFiles(dataDir);
  if (!QDir().mkpath(f.dir)) return Status(ErrorCode::IoError, QStringLiteral("cannot create %1").arg(f.dir));
  QFile::setPermissions(f.dir, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
  const QDateTime now = QDateTime::currentDateTimeUtc();
  Pem ca;
  if (QFile::exists(f.caCertificate) && QFile::exists(f.caKey)) {
    QFile c(f.caCertificate);
    if (!c.open(QIODevice::ReadOnly)) return Status(ErrorCode::IoError, QStringLiteral("cannot read %1").arg(f.caCertificate));
    ca.certificate = c.readAll();
    auto key = auth::readSecretFile(f.caKey);
    RS_RETURN_IF_ERROR(key.status());
    ca.privateKey = *key + '\n';
  } else {
    auto made = makeCertificateAuthority(
        QStringLiteral("ReelStack local CA (%1)").arg(QSysInfo::machineHostName()), now.addSecs(-3600), now.addYears(10));
    RS_RETURN_IF_ERROR(made.status());
    ca = *made;
    RS_RETURN_IF_ERROR(auth::writeSecretFile(f.caKey, ca.privateKey));
    RS_RETURN_IF_ERROR(writePublic(f.caCertificate, ca.certificate));
    f.createdCa = true;
  }
  // 397 days: the longest validity browsers accept for a server certificate.
  auto server = issueServerCertificate(ca, names, now.addSecs(-3600), now.addDays(397));
  RS_RETURN_IF_ERROR(server.status());
  // Key first: a listener reloading between the two writes sees a mismatched pair,
  // refuses it and keeps the old one until the certificate lands too.
  RS_RETURN_IF_ERROR(auth::writeSecretFile(f.privateKey, server->privateKey));
  RS_RETURN_IF_ERROR(writePublic(f.certificate, server->certificate + ca.certificate));
  f.names = names;
  return f;
}

}  // namespace rs::tls
