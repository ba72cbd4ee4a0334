#pragma once
// The few primitives credentials need, all from OpenSSL: random bytes, SHA-256,
// HMAC-SHA256 with a prepared key, HKDF, constant-time comparison, base64url.

#include <QByteArray>
#include <QByteArrayView>
#include <memory>
#include <optional>

namespace rs::auth {

// Cryptographically random bytes (RAND_bytes). Never empty: a failing RNG aborts,
// because every credential would be guessable without it.
QByteArray randomBytes(int count);
QByteArray sha256(QByteArrayView data);
// RFC 5869 with SHA-256: separate keys for separate jobs from one cluster key.
QByteArray hkdfSha256(QByteArrayView key, QByteArrayView info, int length = 32);
bool constantTimeEqual(QByteArrayView a, QByteArrayView b);

// RFC 4648 §5 without padding, the form tokens and cookies carry.
QByteArray base64Url(QByteArrayView data);
// Strict: any character outside the alphabet, padding, or a non-canonical last
// character (unused bits set) is an error (nullopt).
std::optional<QByteArray> fromBase64Url(QByteArrayView text);

// An HMAC-SHA256 key prepared once; sign() from any thread (each call works on its
// own copy of the keyed context, so the hot path pays no key schedule).
class HmacKey {
 public:
  explicit HmacKey(QByteArrayView key);
  ~HmacKey();
  HmacKey(const HmacKey &) = delete;
  HmacKey &operator=(const HmacKey &) = delete;
  QByteArray sign(QByteArrayView data) const;  // 32 bytes
  bool verify(QByteArrayView data, QByteArrayView mac) const { return constantTimeEqual(sign(data), mac); }

 private:
  struct Ctx;
  std::unique_ptr<Ctx> ctx_;
};

}  // namespace rs::auth
