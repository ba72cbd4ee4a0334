#pragma once
// One server-side TLS connection on a non-blocking socket descriptor, straight on
// OpenSSL (SSL_set_fd): the HTTP connection keeps its own readiness notifiers and
// calls read()/write() as it would recv()/send(); the handshake runs inside them.
// File bodies go out with SSL_sendfile when kernel TLS took the keys.

#include "core/tls/servercontext.h"

#include <QByteArray>
#include <QString>
#include <sys/types.h>

namespace rs::tls {

class ServerStream {
 public:
  ServerStream(const SslCtxPtr &ctx, int fd);
  ~ServerStream();
  ServerStream(const ServerStream &) = delete;
  ServerStream &operator=(const ServerStream &) = delete;

  // The same contract as the plain socket path: > 0 bytes moved, 0 would block
  // (see wantsWrite/wantsRead), -1 error (see error()), -2 (read) orderly close.
  qint64 read(char *buf, qint64 max);
  qint64 write(const char *buf, qint64 len);
  // Kernel TLS only (ktlsSend()): the file's bytes never enter user space.
  qint64 sendfile(int fileFd, off_t offset, size_t length);

  // The last call would block until the socket is writable (also while reading: a
  // handshake reply or a ticket is pending) or readable (also while writing).
  bool wantsWrite() const { return wantWrite_; }
  bool wantsRead() const { return wantRead_; }
  // Decrypted bytes OpenSSL holds that no readiness event will announce.
  bool hasPending() const;
  bool handshakeDone() const;
  bool ktlsSend() const;
  QByteArray alpn() const;  // the protocol ALPN chose, empty when none
  bool resumed() const;
  QString error() const { return error_; }
  // Sends close_notify if it fits in the socket now; never waits.
  void shutdown();

 private:
  qint64 result(int ret, const char *what);
  ssl_st *ssl_ = nullptr;
  SslCtxPtr ctx_;  // kept alive for this connection across reloads
  bool wantWrite_ = false, wantRead_ = false;
  QString error_;
};

// What the first byte a client sent says, without consuming it: a TLS record starts
// with 0x16 (handshake); anything else is someone speaking plain HTTP to a TLS port.
enum class FirstByte { NotYet, Tls, Plain, Closed };
FirstByte peekFirstByte(int fd);

}  // namespace rs::tls
