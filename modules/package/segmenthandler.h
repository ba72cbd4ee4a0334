#pragma once
// One step between the splitter and the files it writes: it sees a track's init
// segment once, then each media segment in order, and returns what is written in
// their place. Encryption is such a step (CencEncryptor, HlsAes128Encryptor); the clear
// path has none. The same contract as Shaka Packager's media handlers, cut down to
// whole CMAF segments.

#include "core/status.h"

#include <QByteArray>
#include <cstdint>

namespace rs::package {

class SegmentHandler {
 public:
  virtual ~SegmentHandler() = default;
  // ftyp + moov of the track.
  virtual Result<QByteArray> init(QByteArray initSegment) = 0;
  // moof + mdat, numbered from 1, in order.
  virtual Result<QByteArray> segment(QByteArray mediaSegment, std::uint64_t number) = 0;
};

}  // namespace rs::package
