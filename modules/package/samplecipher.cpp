#include "package/samplecipher.h"

namespace rs::package {

Status SampleCipher::init(Scheme scheme, const ContentKey &key, Mode mode, std::uint8_t cryptBlocks, std::uint8_t skipBlocks) {
  scheme_ = scheme;
  crypt_ = cryptBlocks;
  skip_ = skipBlocks;
  if (scheme == Scheme::Cenc) return ctr_.init(key);
  return cbc_.init(key, mode == Mode::Encrypt ? AesCbc::Direction::Encrypt : AesCbc::Direction::Decrypt);
}

Status SampleCipher::protectedPart(std::uint8_t *data, std::size_t size, const Bytes16 &iv) {
  if (scheme_ == Scheme::Cenc) return ctr_.apply(data, size);
  RS_RETURN_IF_ERROR(cbc_.setIv(iv));
  const std::size_t blocks = size / 16;
  if (crypt_ == 0 && skip_ == 0) return cbc_.apply(data, blocks * 16);
  for (std::size_t i = 0; i < blocks;) {
    const std::size_t n = std::min<std::size_t>(crypt_, blocks - i);
    RS_RETURN_IF_ERROR(cbc_.apply(data + i * 16, n * 16));
    i += n + skip_;
  }
  return Status::ok();
}

Status SampleCipher::apply(std::uint8_t *sample, std::size_t size, QByteArrayView iv, const std::vector<cenc::Subsample> &subsamples) {
  if (iv.size() != 8 && iv.size() != 16)
    return Status(ErrorCode::BadRequest, QStringLiteral("a sample IV must be 8 or 16 bytes, got %1").arg(iv.size()));
  Bytes16 block{};
  std::copy_n(reinterpret_cast<const std::uint8_t *>(iv.data()), iv.size(), block.begin());
  if (scheme_ == Scheme::Cenc) RS_RETURN_IF_ERROR(ctr_.setCounter(block));
  if (subsamples.empty()) return protectedPart(sample, size, block);
  std::uint64_t covered = 0;
  for (const cenc::Subsample &s : subsamples) covered += std::uint64_t(s.clearBytes) + s.protectedBytes;
  if (covered != size)
    return Status(ErrorCode::BadRequest, QStringLiteral("subsamples cover %1 bytes, the sample has %2").arg(covered).arg(size));
  std::uint8_t *p = sample;
  for (const cenc::Subsample &s : subsamples) {
    p += s.clearBytes;
    if (s.protectedBytes > 0) RS_RETURN_IF_ERROR(protectedPart(p, s.protectedBytes, block));
    p += s.protectedBytes;
  }
  return Status::ok();
}

}  // namespace rs::package
