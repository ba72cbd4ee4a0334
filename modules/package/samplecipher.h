#pragma once
// Encrypting or decrypting one sample in place by its subsamples, as ISO/IEC 23001-7
// defines the two schemes we write:
//   'cenc'  AES-128-CTR; the counter block is the IV (8 bytes ‖ 8 zero bytes); one
//           keystream runs through the protected parts of all the sample's subsamples.
//   'cbcs'  AES-128-CBC with a pattern of crypt:skip 16-byte blocks (1:9 for video;
//           0:0 = every whole block, for audio); the chain restarts from the constant
//           IV at every subsample; a partial block at the end of a protected part
//           stays clear.
// A sample without subsamples is one protected part.

#include "package/aes.h"
#include "package/cencboxes.h"
#include "package/protection.h"

namespace rs::package {

class SampleCipher {
 public:
  enum class Mode { Encrypt, Decrypt };

  Status init(Scheme scheme, const ContentKey &key, Mode mode, std::uint8_t cryptBlocks = 0, std::uint8_t skipBlocks = 0);
  // `iv`: 8 or 16 bytes. BadRequest when the subsamples do not cover the sample exactly.
  Status apply(std::uint8_t *sample, std::size_t size, QByteArrayView iv, const std::vector<cenc::Subsample> &subsamples);

 private:
  Status protectedPart(std::uint8_t *data, std::size_t size, const Bytes16 &iv);

  Scheme scheme_ = Scheme::Cenc;
  std::uint8_t crypt_ = 0, skip_ = 0;
  AesCtr ctr_;
  AesCbc cbc_;
};

}  // namespace rs::package
