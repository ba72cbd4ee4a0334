#include "package/aes.h"

#include <openssl/err.h>
#include <openssl/evp.h>

#include <limits>

namespace rs::package {

namespace detail {
void CipherCtxDeleter::operator()(void *ctx) const { EVP_CIPHER_CTX_free(static_cast<EVP_CIPHER_CTX *>(ctx)); }
}  // namespace detail

namespace {

EVP_CIPHER_CTX *raw(const detail::CipherCtx &ctx) { return static_cast<EVP_CIPHER_CTX *>(ctx.get()); }

// OpenSSL's reason for the last failure; its queue never holds key material.
Status opensslError(const char *what) {
  const unsigned long code = ERR_get_error();
  char text[256] = "no OpenSSL error queued";
  if (code != 0) ERR_error_string_n(code, text, sizeof text);
  ERR_clear_error();
  return Status(ErrorCode::Internal, QStringLiteral("OpenSSL %1 failed: %2").arg(QLatin1String(what), QLatin1String(text)));
}

Result<detail::CipherCtx> newContext(const EVP_CIPHER *cipher, const ContentKey &key, bool encrypt, int padding) {
  if (!key.isSet()) return Status(ErrorCode::BadRequest, QStringLiteral("no content key was given"));
  detail::CipherCtx ctx(EVP_CIPHER_CTX_new());
  if (!ctx) return opensslError("EVP_CIPHER_CTX_new");
  if (EVP_CipherInit_ex(raw(ctx), cipher, nullptr, key.data(), nullptr, encrypt ? 1 : 0) != 1)
    return opensslError("cipher init");
  EVP_CIPHER_CTX_set_padding(raw(ctx), padding);
  return ctx;
}

// EVP lengths are ints; samples and segments are far below 2 GiB, but a caller's bug
// must not turn into a silent truncation.
Status update(const detail::CipherCtx &ctx, std::uint8_t *data, std::size_t size, const char *what) {
  while (size > 0) {
    const int n = int(std::min<std::size_t>(size, std::size_t(std::numeric_limits<int>::max()) & ~std::size_t(15)));
    int out = 0;
    if (EVP_CipherUpdate(raw(ctx), data, &out, data, n) != 1 || out != n) return opensslError(what);
    data += n;
    size -= std::size_t(n);
  }
  return Status::ok();
}

}  // namespace

Status AesCtr::init(const ContentKey &key) {
  auto ctx = newContext(EVP_aes_128_ctr(), key, true, 0);
  if (!ctx) return ctx.status();
  ctx_ = std::move(*ctx);
  return Status::ok();
}

Status AesCtr::setCounter(const Bytes16 &counter) {
  if (EVP_CipherInit_ex(raw(ctx_), nullptr, nullptr, nullptr, counter.data(), -1) != 1) return opensslError("CTR IV");
  return Status::ok();
}

Status AesCtr::apply(std::uint8_t *data, std::size_t size) { return update(ctx_, data, size, "AES-CTR"); }

Status AesCbc::init(const ContentKey &key, Direction direction) {
  direction_ = direction;
  auto ctx = newContext(EVP_aes_128_cbc(), key, direction == Direction::Encrypt, 0);
  if (!ctx) return ctx.status();
  ctx_ = std::move(*ctx);
  return Status::ok();
}

Status AesCbc::setIv(const Bytes16 &iv) {
  if (EVP_CipherInit_ex(raw(ctx_), nullptr, nullptr, nullptr, iv.data(), -1) != 1) return opensslError("CBC IV");
  return Status::ok();
}

Status AesCbc::apply(std::uint8_t *data, std::size_t size) {
  if (size % 16 != 0)
    return Status(ErrorCode::Internal, QStringLiteral("AES-CBC without padding got %1 bytes, not whole blocks").arg(size));
  return update(ctx_, data, size, "AES-CBC");
}

namespace {

Result<QByteArray> cbcPadded(const ContentKey &key, const Bytes16 &iv, QByteArrayView in, bool encrypt) {
  auto ctx = newContext(EVP_aes_128_cbc(), key, encrypt, 1);
  if (!ctx) return ctx.status();
  if (EVP_CipherInit_ex(raw(*ctx), nullptr, nullptr, nullptr, iv.data(), -1) != 1) return opensslError("CBC IV");
  if (in.size() > std::numeric_limits<int>::max() - 32)
    return Status(ErrorCode::BadRequest, QStringLiteral("%1 bytes are too many for one AES-128 segment").arg(in.size()));
  if (!encrypt && (in.isEmpty() || in.size() % 16 != 0))
    return Status(ErrorCode::BadRequest,
                  QStringLiteral("an AES-128 segment must be whole 16-byte blocks, got %1 bytes").arg(in.size()));
  QByteArray out(in.size() + 16, Qt::Uninitialized);
  auto *o = reinterpret_cast<unsigned char *>(out.data());
  int n = 0, last = 0;
  if (EVP_CipherUpdate(raw(*ctx), o, &n, reinterpret_cast<const unsigned char *>(in.data()), int(in.size())) != 1)
    return opensslError("AES-128-CBC");
  if (EVP_CipherFinal_ex(raw(*ctx), o + n, &last) != 1) {
    ERR_clear_error();
    if (!encrypt) return Status(ErrorCode::BadRequest, QStringLiteral("AES-128 padding is wrong (wrong key or IV?)"));
    return opensslError("AES-128-CBC final");
  }
  out.truncate(n + last);
  return out;
}

}  // namespace

Result<QByteArray> aes128CbcPkcs7Encrypt(const ContentKey &key, const Bytes16 &iv, QByteArrayView clear) {
  return cbcPadded(key, iv, clear, true);
}

Result<QByteArray> aes128CbcPkcs7Decrypt(const ContentKey &key, const Bytes16 &iv, QByteArrayView encrypted) {
  return cbcPadded(key, iv, encrypted, false);
}

}  // namespace rs::package
