#include "core/auth/crypto.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>

#include <cstdio>
#include <cstdlib>

namespace rs::auth {

namespace {
[[noreturn]] void fatal(const char *what) {
  std::fprintf(stderr, "fatal: OpenSSL %s failed\n", what);
  std::abort();
}

struct MacDeleter { void operator()(EVP_MAC *m) const { EVP_MAC_free(m); } };
struct MacCtxDeleter { void operator()(EVP_MAC_CTX *c) const { EVP_MAC_CTX_free(c); } };
struct KdfDeleter { void operator()(EVP_KDF *k) const { EVP_KDF_free(k); } };
struct KdfCtxDeleter { void operator()(EVP_KDF_CTX *c) const { EVP_KDF_CTX_free(c); } };
using MacCtxPtr = std::unique_ptr<EVP_MAC_CTX, MacCtxDeleter>;

EVP_MAC *hmacAlgorithm() {
  // Fetched once: fetching is a provider lookup under a lock.
  static const std::unique_ptr<EVP_MAC, MacDeleter> mac(EVP_MAC_fetch(nullptr, "HMAC", nullptr));
  if (!mac) fatal("EVP_MAC_fetch(HMAC)");
  return mac.get();
}
}  // namespace

QByteArray randomBytes(int count) {
  QByteArray out(count, Qt::Uninitialized);
  if (count > 0 && RAND_bytes(reinterpret_cast<unsigned char *>(out.data()), count) != 1) fatal("RAND_bytes");
  return out;
}

QByteArray sha256(QByteArrayView data) {
  QByteArray out(32, Qt::Uninitialized);
  unsigned int len = 0;
  if (EVP_Digest(data.data(), size_t(data.size()), reinterpret_cast<unsigned char *>(out.data()), &len, EVP_sha256(),
                 nullptr) != 1)
    fatal("EVP_Digest(SHA-256)");
  return out;
}

QByteArray hkdfSha256(QByteArrayView key, QByteArrayView info, int length) {
  std::unique_ptr<EVP_KDF, KdfDeleter> kdf(EVP_KDF_fetch(nullptr, "HKDF", nullptr));
  std::unique_ptr<EVP_KDF_CTX, KdfCtxDeleter> ctx(kdf ? EVP_KDF_CTX_new(kdf.get()) : nullptr);
  if (!ctx) fatal("EVP_KDF(HKDF)");
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, const_cast<char *>(key.data()), size_t(key.size())),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, const_cast<char *>(info.data()), size_t(info.size())),
      OSSL_PARAM_construct_end()};
  QByteArray out(length, Qt::Uninitialized);
  if (EVP_KDF_derive(ctx.get(), reinterpret_cast<unsigned char *>(out.data()), size_t(length), params) != 1)
    fatal("EVP_KDF_derive(HKDF)");
  return out;
}

bool constantTimeEqual(QByteArrayView a, QByteArrayView b) {
  // The length of a MAC or hash is public; only its bytes must not leak by timing.
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), size_t(a.size())) == 0;
}

QByteArray base64Url(QByteArrayView data) {
  return QByteArray::fromRawData(data.data(), data.size())
      .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

std::optional<QByteArray> fromBase64Url(QByteArrayView text) {
  for (const char c : text) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok) return std::nullopt;
  }
  // A length of 1 mod 4 cannot come from any byte string.
  if (text.size() % 4 == 1) return std::nullopt;
  auto r = QByteArray::fromBase64Encoding(QByteArray(text.data(), text.size()),
                                          QByteArray::Base64UrlEncoding | QByteArray::AbortOnBase64DecodingErrors);
  if (!r) return std::nullopt;
  // The last character's unused low bits are ignored by the decoder, so "…J" and "…K"
  // can decode alike: only the canonical spelling is accepted, or a token would have
  // several valid forms.
  if (base64Url(r.decoded) != text) return std::nullopt;
  return std::move(r.decoded);
}

struct HmacKey::Ctx {
  MacCtxPtr keyed;
};

HmacKey::HmacKey(QByteArrayView key) : ctx_(std::make_unique<Ctx>()) {
  ctx_->keyed.reset(EVP_MAC_CTX_new(hmacAlgorithm()));
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0), OSSL_PARAM_construct_end()};
  if (!ctx_->keyed ||
      EVP_MAC_init(ctx_->keyed.get(), reinterpret_cast<const unsigned char *>(key.data()), size_t(key.size()), params) != 1)
    fatal("EVP_MAC_init(HMAC-SHA256)");
}

HmacKey::~HmacKey() = default;

QByteArray HmacKey::sign(QByteArrayView data) const {
  MacCtxPtr c(EVP_MAC_CTX_dup(ctx_->keyed.get()));
  QByteArray out(32, Qt::Uninitialized);
  size_t len = 0;
  if (!c || EVP_MAC_update(c.get(), reinterpret_cast<const unsigned char *>(data.data()), size_t(data.size())) != 1 ||
      EVP_MAC_final(c.get(), reinterpret_cast<unsigned char *>(out.data()), &len, size_t(out.size())) != 1 || len != 32)
    fatal("HMAC-SHA256");
  return out;
}

}  // namespace rs::auth
