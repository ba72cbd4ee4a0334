#include "core/tls/stream.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <cerrno>
#include <cstring>
#include <sys/socket.h>

namespace rs::tls {

ServerStream::ServerStream(const SslCtxPtr &ctx, int fd) : ctx_(ctx) {
  ssl_ = SSL_new(ctx_.get());
  if (ssl_) {
    SSL_set_fd(ssl_, fd);
    SSL_set_accept_state(ssl_);
  }
}

ServerStream::~ServerStream() {
  if (ssl_) SSL_free(ssl_);
}

qint64 ServerStream::result(int ret, const char *what) {
  wantWrite_ = wantRead_ = false;
  if (ret > 0) return ret;
  const int err = SSL_get_error(ssl_, ret);
  switch (err) {
    case SSL_ERROR_WANT_READ:
      wantRead_ = true;
      return 0;
    case SSL_ERROR_WANT_WRITE:
      wantWrite_ = true;
      return 0;
    case SSL_ERROR_ZERO_RETURN:
      return -2;  // close_notify from the peer
    case SSL_ERROR_SYSCALL:
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        // KTLS paths report a full socket this way.
        wantWrite_ = true;
        return 0;
      }
      error_ = errno ? QString::fromLocal8Bit(strerror(errno)) : QStringLiteral("connection closed during TLS");
      ERR_clear_error();
      // A peer that just hangs up without close_notify is common (browsers do it);
      // for reads it is an end of stream like any other.
      return errno == 0 && QByteArrayView(what) == "read" ? -2 : -1;
    default:
      error_ = QStringLiteral("TLS %1: %2").arg(QLatin1String(what), opensslErrorText());
      return -1;
  }
}

qint64 ServerStream::read(char *buf, qint64 max) {
  if (!ssl_) return -1;
  ERR_clear_error();
  errno = 0;
  return result(SSL_read(ssl_, buf, int(qMin<qint64>(max, INT_MAX))), "read");
}

qint64 ServerStream::write(const char *buf, qint64 len) {
  if (!ssl_) return -1;
  ERR_clear_error();
  errno = 0;
  return result(SSL_write(ssl_, buf, int(qMin<qint64>(len, INT_MAX))), "write");
}

qint64 ServerStream::sendfile(int fileFd, off_t offset, size_t length) {
  if (!ssl_) return -1;
  ERR_clear_error();
  errno = 0;
  const ossl_ssize_t n = SSL_sendfile(ssl_, fileFd, offset, length, 0);
  if (n >= 0) {
    wantWrite_ = wantRead_ = false;
    return n;
  }
  return result(int(n), "sendfile");
}

bool ServerStream::hasPending() const { return ssl_ && SSL_pending(ssl_) > 0; }
bool ServerStream::handshakeDone() const { return ssl_ && SSL_is_init_finished(ssl_); }
bool ServerStream::ktlsSend() const { return ssl_ && BIO_get_ktls_send(SSL_get_wbio(ssl_)); }
bool ServerStream::resumed() const { return ssl_ && SSL_session_reused(ssl_); }

QByteArray ServerStream::alpn() const {
  const unsigned char *p = nullptr;
  unsigned int n = 0;
  if (ssl_) SSL_get0_alpn_selected(ssl_, &p, &n);
  return p ? QByteArray(reinterpret_cast<const char *>(p), int(n)) : QByteArray();
}

void ServerStream::shutdown() {
  if (!ssl_ || !SSL_is_init_finished(ssl_)) return;
  ERR_clear_error();
  SSL_shutdown(ssl_);  // one call: queue close_notify, do not wait for the peer's
  ERR_clear_error();
}

FirstByte peekFirstByte(int fd) {
  unsigned char first = 0;
  for (;;) {
    const ssize_t n = ::recv(fd, &first, 1, MSG_PEEK);
    if (n == 1) return first == 0x16 ? FirstByte::Tls : FirstByte::Plain;
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return FirstByte::NotYet;
    return FirstByte::Closed;
  }
}

}  // namespace rs::tls
