#pragma once
// Reading our protected output back: the clear samples of a CENC media segment, given
// the init segment and the content key. It trusts nothing it reads (every offset and
// size is checked) and cross-checks the fragment's saiz/saio against its senc, so the
// tests catch a pointer that players which read only senc would never notice.

#include "package/cencencryptor.h"

#include <QByteArray>
#include <vector>

namespace rs::package {

class CencDecryptor {
 public:
  Status init(QByteArrayView protectedInit, const ContentKey &key);
  const ProtectedTrack &track() const { return track_; }
  // The samples of one segment, decrypted, in order. `senc` (optional) receives what
  // the fragment's senc said.
  Result<std::vector<QByteArray>> decrypt(QByteArrayView segment, cenc::Senc *senc = nullptr);

 private:
  ProtectedTrack track_;
  SampleCipher cipher_;
  bool ready_ = false;
};

// The samples of a clear media segment (moof + mdat) of `track`.
Result<std::vector<QByteArray>> segmentSamples(const TrackHeader &track, QByteArrayView segment);

}  // namespace rs::package
