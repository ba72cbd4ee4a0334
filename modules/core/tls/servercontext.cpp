#include "core/tls/servercontext.h"

#include <QFile>
#include <QFileInfo>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

namespace rs::tls {

namespace {

// Mozilla's "intermediate" profile (TLS 1.2 part; TLS 1.3 suites are OpenSSL's
// defaults, all AEAD). No DHE: it needs parameters and gains nothing over ECDHE.
constexpr const char *kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
// One TLS session id context for every listener of the stack: resumption is per
// SSL_CTX anyway, this only has to be set for the server-side cache to work.
constexpr unsigned char kSessionIdContext[] = "reelstack";

int selectAlpn(SSL *, const unsigned char **out, unsigned char *outlen, const unsigned char *in, unsigned int inlen,
               void *arg) {
  const auto *wire = static_cast<const QByteArray *>(arg);
  unsigned char *selected = nullptr;
  unsigned char selectedLen = 0;
  // Server preference: our list first, so h2 wins when both sides speak it.
  if (SSL_select_next_proto(&selected, &selectedLen, reinterpret_cast<const unsigned char *>(wire->constData()),
                            unsigned(wire->size()), in, inlen) != OPENSSL_NPN_NEGOTIATED)
    return SSL_TLSEXT_ERR_NOACK;  // no common protocol: go on without ALPN (HTTP/1.1)
  *out = selected;
  *outlen = selectedLen;
  return SSL_TLSEXT_ERR_OK;
}

QDateTime asn1ToDateTime(const ASN1_TIME *t) {
  tm out{};
  if (!t || ASN1_TIME_to_tm(t, &out) != 1) return {};
  return QDateTime(QDate(out.tm_year + 1900, out.tm_mon + 1, out.tm_mday), QTime(out.tm_hour, out.tm_min, out.tm_sec),
                   Qt::UTC);
}

}  // namespace

QString opensslErrorText() {
  QStringList parts;
  while (const unsigned long e = ERR_get_error()) {
    char text[256];
    ERR_error_string_n(e, text, sizeof text);
    parts << QString::fromLatin1(ERR_reason_error_string(e) ? ERR_reason_error_string(e) : text);
  }
  return parts.isEmpty() ? QStringLiteral("no OpenSSL error queued") : parts.join(QStringLiteral("; "));
}

Result<std::unique_ptr<ServerContext>> ServerContext::create(ServerContextOptions options) {
  std::unique_ptr<ServerContext> c(new ServerContext(std::move(options)));
  for (const QByteArray &p : c->options_.alpn) {
    c->alpnWire_.append(char(p.size()));
    c->alpnWire_.append(p);
  }
  RS_RETURN_IF_ERROR(c->reload());
  return c;
}

ServerContext::~ServerContext() = default;

Result<SslCtxPtr> ServerContext::build(QString *subject, QDateTime *notAfter) const {
  ERR_clear_error();
  const QString &certPath = options_.certificateFile, &keyPath = options_.privateKeyFile;
  if (!QFileInfo(certPath).isReadable())
    return Status(ErrorCode::BadRequest, QStringLiteral("cannot read TLS certificate %1").arg(certPath));
  if (!QFileInfo(keyPath).isReadable())
    return Status(ErrorCode::BadRequest, QStringLiteral("cannot read TLS key %1").arg(keyPath));

  // The callback's protocol list lives as long as the SSL_CTX (connections may hold it
  // after this object is gone), so it is owned by the context's deleter.
  auto *wire = new QByteArray(alpnWire_);
  SSL_CTX *raw = SSL_CTX_new(TLS_server_method());
  if (!raw) {
    delete wire;
    return Status(ErrorCode::Internal, QStringLiteral("SSL_CTX_new: %1").arg(opensslErrorText()));
  }
  SslCtxPtr ctx(raw, [wire](SSL_CTX *p) {
    SSL_CTX_free(p);
    delete wire;
  });
  SSL_CTX_set_min_proto_version(raw, TLS1_2_VERSION);
  SSL_CTX_set_cipher_list(raw, kTls12Ciphers);
  // Renegotiation is a DoS lever and HTTP/2 forbids it; KTLS is used when the kernel
  // has it (OpenSSL then moves the keys to the socket after the handshake).
  SSL_CTX_set_options(raw, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION | SSL_OP_ENABLE_KTLS |
                               SSL_OP_IGNORE_UNEXPECTED_EOF);
  // Writes may be retried from a different address with the same bytes (our output
  // buffer grows) and may complete record by record, like send().
  SSL_CTX_set_mode(raw, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS);
  SSL_CTX_set_session_cache_mode(raw, SSL_SESS_CACHE_SERVER);
  SSL_CTX_set_session_id_context(raw, kSessionIdContext, sizeof kSessionIdContext - 1);
  SSL_CTX_sess_set_cache_size(raw, 20'000);  // nginx: ~4000 sessions per MB; 20k is ~5 MB
  SSL_CTX_set_timeout(raw, 3600);
  SSL_CTX_set_alpn_select_cb(raw, selectAlpn, wire);

  const QByteArray certFile = QFile::encodeName(certPath), keyFile = QFile::encodeName(keyPath);
  if (SSL_CTX_use_certificate_chain_file(raw, certFile.constData()) != 1)
    return Status(ErrorCode::BadRequest,
                  QStringLiteral("%1 is not a PEM certificate chain: %2").arg(certPath, opensslErrorText()));
  if (SSL_CTX_use_PrivateKey_file(raw, keyFile.constData(), SSL_FILETYPE_PEM) != 1) {
    const bool mismatch = ERR_GET_REASON(ERR_peek_last_error()) == X509_R_KEY_VALUES_MISMATCH;
    const QString why = opensslErrorText();
    if (mismatch)  // a renewal that replaced one file of the pair but not yet the other
      return Status(ErrorCode::BadRequest, QStringLiteral("the key %1 does not belong to the certificate %2").arg(keyPath, certPath));
    return Status(ErrorCode::BadRequest, QStringLiteral("%1 is not a PEM private key: %2").arg(keyPath, why));
  }
  if (SSL_CTX_check_private_key(raw) != 1)
    return Status(ErrorCode::BadRequest,
                  QStringLiteral("the key %1 does not belong to the certificate %2").arg(keyPath, certPath));
  if (X509 *leaf = SSL_CTX_get0_certificate(raw)) {
    char name[512] = {};
    X509_NAME_oneline(X509_get_subject_name(leaf), name, sizeof name);
    *subject = QString::fromUtf8(name);
    *notAfter = asn1ToDateTime(X509_get0_notAfter(leaf));
  }
  return ctx;
}

QString ServerContext::fileStamp() const {
  QString s;
  for (const QString &p : {options_.certificateFile, options_.privateKeyFile}) {
    const QFileInfo fi(p);
    s += QStringLiteral("%1:%2:%3;").arg(p).arg(fi.lastModified().toMSecsSinceEpoch()).arg(fi.size());
  }
  return s;
}

Status ServerContext::reload() {
  // The stamp is taken before the read: a file replaced during the read is seen as
  // changed again next time rather than missed.
  const QString stamp = fileStamp();
  QString subject;
  QDateTime notAfter;
  auto ctx = build(&subject, &notAfter);
  if (!ctx) {
    std::lock_guard lock(mu_);
    stamp_ = stamp;  // a broken file is reported once, not on every check
    return ctx.status();
  }
  std::lock_guard lock(mu_);
  ctx_ = std::move(*ctx);
  subject_ = subject;
  notAfter_ = notAfter;
  stamp_ = stamp;
  ++generation_;
  return Status::ok();
}

bool ServerContext::reloadIfChanged(Status *error) {
  {
    std::lock_guard lock(mu_);
    if (fileStamp() == stamp_) return false;
  }
  const Status s = reload();
  if (error) *error = s;
  return s.isOk();
}

SslCtxPtr ServerContext::current() const {
  std::lock_guard lock(mu_);
  return ctx_;
}

QString ServerContext::subject() const {
  std::lock_guard lock(mu_);
  return subject_;
}

QDateTime ServerContext::notAfter() const {
  std::lock_guard lock(mu_);
  return notAfter_;
}

int ServerContext::generation() const {
  std::lock_guard lock(mu_);
  return generation_;
}

KernelTls detectKernelTls() {
  KernelTls k;
#ifndef OPENSSL_NO_KTLS
  k.opensslSupports = true;
#endif
  // The kernel lists its TCP upper-layer protocols here; "tls" appears once the tls
  // module is loaded (modprobe tls) or built in.
  QFile ulp(QStringLiteral("/proc/sys/net/ipv4/tcp_available_ulp"));
  if (ulp.open(QIODevice::ReadOnly)) k.kernelSupports = ulp.readAll().simplified().split(' ').contains(QByteArray("tls"));
  return k;
}

QString KernelTls::describe() const {
  if (usable()) return QStringLiteral("kernel TLS available: file bodies go out with SSL_sendfile, encrypted by the kernel");
  if (!opensslSupports) return QStringLiteral("kernel TLS not used: this OpenSSL is built without KTLS; bodies are encrypted in user space");
  return QStringLiteral("kernel TLS not available (no \"tls\" in /proc/sys/net/ipv4/tcp_available_ulp; try modprobe tls): "
                        "bodies are encrypted in user space, memory hits without an extra copy");
}

}  // namespace rs::tls
