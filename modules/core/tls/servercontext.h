#pragma once
// A listener's TLS configuration as one OpenSSL SSL_CTX (TLS 1.2+, Mozilla's
// "intermediate" ciphers, ALPN, a shared session cache and tickets), swapped whole
// when the certificate is reloaded: connections already open keep the context they
// started with, new ones get the new one, so a renewal drops nothing.

#include "core/status.h"

#include <QByteArrayList>
#include <QDateTime>
#include <QString>
#include <memory>
#include <mutex>

struct ssl_ctx_st;
struct ssl_st;

namespace rs::tls {

using SslCtxPtr = std::shared_ptr<ssl_ctx_st>;

struct ServerContextOptions {
  QString certificateFile;  // PEM: the leaf first, then any intermediates
  QString privateKeyFile;   // PEM, RSA or EC
  // ALPN protocols this listener speaks, best first ("h2", "http/1.1"). A client that
  // offers none of them is still served HTTP/1.1 (ALPN is optional for clients).
  QByteArrayList alpn = {QByteArrayLiteral("http/1.1")};
};

class ServerContext {
 public:
  // Loads and checks the certificate and key; a bad file is an error naming it.
  static Result<std::unique_ptr<ServerContext>> create(ServerContextOptions options);
  ~ServerContext();

  // The context new connections start from (thread-safe).
  SslCtxPtr current() const;
  // Reads the files again and swaps the context in if they load; on error the old one
  // stays in service and the error says why.
  Status reload();
  // reload() when either file's modification time or size changed since the last load
  // (certbot replaces them in place). Returns true when it reloaded.
  bool reloadIfChanged(Status *error = nullptr);

  const ServerContextOptions &options() const { return options_; }
  // Of the certificate in service: subject and end of validity, for the log.
  QString subject() const;
  QDateTime notAfter() const;
  int generation() const;  // 1 after create(), +1 per successful reload

 private:
  explicit ServerContext(ServerContextOptions options) : options_(std::move(options)) {}
  Result<SslCtxPtr> build(QString *subject, QDateTime *notAfter) const;
  QString fileStamp() const;

  ServerContextOptions options_;
  QByteArray alpnWire_;  // the ALPN list in wire format, for the select callback
  mutable std::mutex mu_;
  SslCtxPtr ctx_;
  QString subject_;
  QDateTime notAfter_;
  QString stamp_;
  int generation_ = 0;
};

// What this host can do for TLS in the kernel: OpenSSL built with KTLS and the
// kernel's "tls" upper-layer protocol available. A sentence for the log either way.
struct KernelTls {
  bool opensslSupports = false;
  bool kernelSupports = false;
  bool usable() const { return opensslSupports && kernelSupports; }
  QString describe() const;
};
KernelTls detectKernelTls();

// OpenSSL's reason for the last failure (the error queue, drained), never key material.
QString opensslErrorText();

}  // namespace rs::tls
