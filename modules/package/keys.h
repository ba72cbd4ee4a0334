#pragma once
// The 16-byte values of Common Encryption: key ids (public: they go into tenc, pssh
// and the manifests) and content keys (secret). A ContentKey wipes itself when
// destroyed and has no text form, so a key cannot end up in a log line or an error
// message by accident; key ids print as hex or as the UUID text of cenc:default_KID.

#include "core/status.h"

#include <QByteArray>
#include <QString>
#include <array>
#include <cstdint>
#include <optional>

namespace rs::package {

using Bytes16 = std::array<std::uint8_t, 16>;

// 32 lowercase hex digits.
QString toHex(const Bytes16 &b);
// 8-4-4-4-12 lowercase, the bytes in order (the form of cenc:default_KID).
QString toUuid(const Bytes16 &b);
// 32 hex digits, dashes anywhere allowed; nullopt for anything else.
std::optional<Bytes16> bytes16FromHex(QStringView text);
QByteArray toByteArray(const Bytes16 &b);
std::optional<Bytes16> bytes16From(QByteArrayView bytes);

class ContentKey {
 public:
  ContentKey() = default;
  explicit ContentKey(const Bytes16 &bytes) : bytes_(bytes), set_(true) {}
  ContentKey(const ContentKey &) = default;
  ContentKey &operator=(const ContentKey &) = default;
  ~ContentKey();

  // Exactly 16 bytes; the error says how many arrived, never what they were.
  static Result<ContentKey> fromBytes(QByteArrayView bytes);

  bool isSet() const { return set_; }
  const std::uint8_t *data() const { return bytes_.data(); }
  // For the one place that must hand the raw key on (a license answer, a test).
  QByteArray exportBytes() const { return QByteArray(reinterpret_cast<const char *>(bytes_.data()), 16); }
  bool operator==(const ContentKey &o) const { return set_ == o.set_ && bytes_ == o.bytes_; }

 private:
  Bytes16 bytes_{};
  bool set_ = false;
};

// Overwrites memory that held secrets (OPENSSL_cleanse: not optimised away).
void wipe(void *data, std::size_t size);
void wipe(QByteArray &bytes);

// Cryptographically random bytes (OpenSSL RAND_bytes).
Status randomBytes(std::uint8_t *out, std::size_t n);

// HMAC-SHA-256 of `message` under `secret` (OpenSSL), for deriving keys, key ids and
// IVs from one secret.
std::array<std::uint8_t, 32> hmacSha256(QByteArrayView secret, QByteArrayView message);

// The first 16 bytes of hmacSha256(secret, label): independent values from one secret,
// one per label.
Bytes16 derive16(QByteArrayView secret, QByteArrayView label);

}  // namespace rs::package
