#pragma once
// HLS METHOD=AES-128 (RFC 8216 §4.3.2.4, §5.2) as a SegmentHandler: every file of a
// track, the init segment included, encrypted whole with AES-128-CBC and PKCS#7
// padding, each under its own IV. The playlist must state each IV (an EXT-X-MAP that
// is encrypted requires one; the media sequence number default would do for segments,
// but explicit IVs keep every file independent of playlist numbering). The CMAF bytes
// inside are the clear ones, so this variant cannot share files with the CENC set.

#include "package/keys.h"
#include "package/segmenthandler.h"

#include <vector>

namespace rs::package {

class HlsAes128Encryptor final : public SegmentHandler {
 public:
  // `ivs[0]` is the init segment's IV, `ivs[n]` segment n's; more are derived on demand
  // by ivFor.
  HlsAes128Encryptor(ContentKey key, Bytes16 ivSeed, QString rendition);

  Result<QByteArray> init(QByteArray initSegment) override;
  Result<QByteArray> segment(QByteArray mediaSegment, std::uint64_t number) override;

  // The IV of file `number` (0 = the init segment), for the playlist.
  Bytes16 ivFor(std::uint64_t number) const;

 private:
  ContentKey key_;
  Bytes16 seed_;
  QString rendition_;
};

// IVs of a protected title, all derived from its IV seed (HMAC-SHA-256), so the
// packager and the playlists agree without storing them: one per purpose, rendition
// and file number.
Bytes16 deriveIv(const Bytes16 &seed, QStringView purpose, QStringView rendition, std::uint64_t number = 0);

}  // namespace rs::package
