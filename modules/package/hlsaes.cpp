#include "package/hlsaes.h"

#include "package/aes.h"

namespace rs::package {

Bytes16 deriveIv(const Bytes16 &seed, QStringView purpose, QStringView rendition, std::uint64_t number) {
  const QByteArray label = purpose.toUtf8() + '\0' + rendition.toUtf8() + '\0' + QByteArray::number(quint64(number));
  return derive16(QByteArrayView(reinterpret_cast<const char *>(seed.data()), 16), label);
}

HlsAes128Encryptor::HlsAes128Encryptor(ContentKey key, Bytes16 ivSeed, QString rendition)
    : key_(std::move(key)), seed_(ivSeed), rendition_(std::move(rendition)) {}

Bytes16 HlsAes128Encryptor::ivFor(std::uint64_t number) const { return deriveIv(seed_, u"hls-aes128", rendition_, number); }

Result<QByteArray> HlsAes128Encryptor::init(QByteArray initSegment) { return aes128CbcPkcs7Encrypt(key_, ivFor(0), initSegment); }

Result<QByteArray> HlsAes128Encryptor::segment(QByteArray mediaSegment, std::uint64_t number) {
  if (number == 0) return Status(ErrorCode::Internal, QStringLiteral("media segments are numbered from 1"));
  return aes128CbcPkcs7Encrypt(key_, ivFor(number), mediaSegment);
}

}  // namespace rs::package
