#include "package/keys.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <algorithm>

namespace rs::package {

namespace {
constexpr char kHexDigits[] = "0123456789abcdef";

int hexValue(QChar c) {
  const char16_t u = c.unicode();
  if (u >= '0' && u <= '9') return u - '0';
  if (u >= 'a' && u <= 'f') return u - 'a' + 10;
  if (u >= 'A' && u <= 'F') return u - 'A' + 10;
  return -1;
}
}  // namespace

QString toHex(const Bytes16 &b) {
  QString out;
  out.reserve(32);
  for (std::uint8_t v : b) out.append(QLatin1Char(kHexDigits[v >> 4])).append(QLatin1Char(kHexDigits[v & 15]));
  return out;
}

QString toUuid(const Bytes16 &b) {
  const QString hex = toHex(b);
  return hex.mid(0, 8) + u'-' + hex.mid(8, 4) + u'-' + hex.mid(12, 4) + u'-' + hex.mid(16, 4) + u'-' + hex.mid(20);
}

std::optional<Bytes16> bytes16FromHex(QStringView text) {
  Bytes16 out{};
  int nibbles = 0;
  for (QChar c : text) {
    if (c == u'-') continue;
    const int v = hexValue(c);
    if (v < 0 || nibbles >= 32) return std::nullopt;
    out[std::size_t(nibbles / 2)] = std::uint8_t(nibbles % 2 ? out[std::size_t(nibbles / 2)] | v : v << 4);
    ++nibbles;
  }
  if (nibbles != 32) return std::nullopt;
  return out;
}

QByteArray toByteArray(const Bytes16 &b) { return QByteArray(reinterpret_cast<const char *>(b.data()), 16); }

std::optional<Bytes16> bytes16From(QByteArrayView bytes) {
  if (bytes.size() != 16) return std::nullopt;
  Bytes16 out{};
  std::copy_n(reinterpret_cast<const std::uint8_t *>(bytes.data()), 16, out.begin());
  return out;
}

void wipe(void *data, std::size_t size) { OPENSSL_cleanse(data, size); }

void wipe(QByteArray &bytes) {
  if (!bytes.isEmpty()) OPENSSL_cleanse(bytes.data(), std::size_t(bytes.size()));
}

ContentKey::~ContentKey() { OPENSSL_cleanse(bytes_.data(), bytes_.size()); }

Result<ContentKey> ContentKey::fromBytes(QByteArrayView bytes) {
  auto b = bytes16From(bytes);
  if (!b)
    return Status(ErrorCode::BadRequest,
                  QStringLiteral("a content key must be 16 bytes (AES-128), got %1").arg(bytes.size()));
  ContentKey key(*b);
  OPENSSL_cleanse(b->data(), b->size());
  return key;
}

Status randomBytes(std::uint8_t *out, std::size_t n) {
  if (RAND_bytes(out, int(n)) != 1)
    return Status(ErrorCode::Internal, QStringLiteral("OpenSSL could not produce random bytes"));
  return Status::ok();
}

std::array<std::uint8_t, 32> hmacSha256(QByteArrayView secret, QByteArrayView message) {
  std::array<std::uint8_t, 32> out{};
  unsigned int length = 0;
  HMAC(EVP_sha256(), secret.data(), int(secret.size()), reinterpret_cast<const unsigned char *>(message.data()),
       std::size_t(message.size()), out.data(), &length);
  return out;
}

Bytes16 derive16(QByteArrayView secret, QByteArrayView label) {
  std::array<std::uint8_t, 32> mac = hmacSha256(secret, label);
  Bytes16 out{};
  std::copy_n(mac.begin(), 16, out.begin());
  OPENSSL_cleanse(mac.data(), mac.size());
  return out;
}

}  // namespace rs::package
