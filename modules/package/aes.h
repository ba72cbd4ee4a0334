#pragma once
// AES-128 through OpenSSL's EVP interface, behind RAII (one EVP_CIPHER_CTX per
// object, freed on every path). Three uses: CTR for 'cenc', CBC without padding for
// 'cbcs' (pattern blocks), and CBC with PKCS#7 padding for whole HLS AES-128 segments.
// Nothing OpenSSL appears in this header.

#include "core/status.h"
#include "package/keys.h"

#include <QByteArray>
#include <cstdint>
#include <memory>

namespace rs::package {

namespace detail {
struct CipherCtxDeleter {
  void operator()(void *ctx) const;
};
using CipherCtx = std::unique_ptr<void, CipherCtxDeleter>;
}  // namespace detail

// AES-128-CTR: encryption and decryption are the same operation. The 16-byte counter
// block is incremented as a 128-bit big-endian number; with CENC's 8-byte IVs the low
// 64 bits start at 0, so the carry never reaches the IV half for any real sample.
class AesCtr {
 public:
  Status init(const ContentKey &key);
  // Starts a new keystream at `counter` (IV ‖ 0…0 for 8-byte CENC IVs).
  Status setCounter(const Bytes16 &counter);
  // Encrypts (or decrypts) in place, continuing the keystream, also mid-block.
  Status apply(std::uint8_t *data, std::size_t size);

 private:
  detail::CipherCtx ctx_;
};

// AES-128-CBC without padding: whole blocks only. The chain runs on across apply()
// calls until setIv() restarts it ('cbcs' restarts it at every subsample).
class AesCbc {
 public:
  enum class Direction { Encrypt, Decrypt };
  Status init(const ContentKey &key, Direction direction);
  Status setIv(const Bytes16 &iv);
  // `size` must be a multiple of 16.
  Status apply(std::uint8_t *data, std::size_t size);

 private:
  detail::CipherCtx ctx_;
  Direction direction_ = Direction::Encrypt;
};

// Whole-buffer AES-128-CBC with PKCS#7 padding (RFC 8216 §5.2, METHOD=AES-128):
// encrypting grows the data to the next multiple of 16 (a whole block when already
// aligned); decrypting checks and removes the padding (BadRequest when it is wrong,
// which is what a wrong key looks like).
Result<QByteArray> aes128CbcPkcs7Encrypt(const ContentKey &key, const Bytes16 &iv, QByteArrayView clear);
Result<QByteArray> aes128CbcPkcs7Decrypt(const ContentKey &key, const Bytes16 &iv, QByteArrayView encrypted);

}  // namespace rs::package
