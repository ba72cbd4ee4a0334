#pragma once
// Bounds-checked reading of ISO-BMFF boxes held in memory. Nothing here trusts a
// size field: every box must fit in its parent, every read in its box, and every
// failure names the box and the file offset where it went wrong.

#include "core/status.h"

#include <QByteArrayView>
#include <QString>
#include <cstdint>
#include <initializer_list>
#include <vector>

namespace rs::package::mp4 {

using FourCC = std::uint32_t;

constexpr FourCC fourcc(const char (&s)[5]) {
  return FourCC(std::uint8_t(s[0])) << 24 | FourCC(std::uint8_t(s[1])) << 16 |
         FourCC(std::uint8_t(s[2])) << 8 | FourCC(std::uint8_t(s[3]));
}

// "moov"; bytes outside printable ASCII as \xNN, so corrupt input cannot garble a message.
QString fourccName(FourCC type);

struct BoxHeader {
  FourCC type = 0;
  std::uint64_t size = 0;         // whole box, header included
  std::uint32_t headerSize = 8;   // 8, 16 with a 64-bit largesize, +16 for 'uuid'
};

// Parses the header at the start of `bytes` (which may hold only the header) for a box
// at file offset `offset` that has `available` bytes up to the end of its parent.
// Size 0 ("to the end of the file") is refused: fragmented input never needs it and
// accepting it would let one damaged size swallow the rest of the stream.
Result<BoxHeader> parseBoxHeader(QByteArrayView bytes, std::uint64_t offset, std::uint64_t available);

struct Box {
  FourCC type = 0;
  std::uint64_t offset = 0;       // of the box's first byte in the file
  std::uint32_t headerSize = 8;
  QByteArrayView payload;         // everything after the header
  std::uint64_t payloadOffset() const { return offset + headerSize; }
  std::uint64_t size() const { return headerSize + std::uint64_t(payload.size()); }
  QByteArrayView bytes() const;   // header and payload (the payload must come from a buffer holding the header)
};

// The boxes that fill `data` (a container's payload at file offset `offset`) exactly.
Result<std::vector<Box>> parseBoxes(QByteArrayView data, std::uint64_t offset);
// The boxes of a container box's payload.
Result<std::vector<Box>> childrenOf(const Box &parent);

const Box *findBox(const std::vector<Box> &boxes, FourCC type);
// Follows a chain of first children (moov → trak → mdia …); the error names the box
// that lacks the next one.
Result<Box> findPath(const Box &from, std::initializer_list<FourCC> path);
std::size_t countBoxes(const std::vector<Box> &boxes, FourCC type);

// An error about `box`, in the common form "box 'tfhd' at offset 811: <what>".
Status boxError(FourCC type, std::uint64_t offset, const QString &what);

// A cursor over one box's payload. The first read past the end makes the reader fail
// (later reads return 0) and status() reports where; callers check once after a
// group of reads instead of after each one.
class Reader {
 public:
  explicit Reader(const Box &box);
  Reader(QByteArrayView data, std::uint64_t offset, FourCC owner, std::uint64_t ownerOffset);

  std::uint8_t u8();
  std::uint16_t u16();
  std::uint32_t u24();
  std::uint32_t u32();
  std::uint64_t u64();
  QByteArrayView bytes(std::uint64_t n);
  void skip(std::uint64_t n);
  // A FullBox header: version (returned) and flags.
  std::uint8_t fullBox(std::uint32_t *flags);

  bool ok() const { return ok_; }
  std::uint64_t remaining() const { return ok_ ? std::uint64_t(data_.size()) - pos_ : 0; }
  std::uint64_t position() const { return pos_; }
  QByteArrayView rest() const;
  // Ok, or "box 'trun' at offset 863: truncated: needs 4 bytes at offset 1281, 2 left".
  Status status() const;
  // An error about this reader's box, for values that are wrong rather than short.
  Status fail(const QString &what) const;

 private:
  bool take(std::uint64_t n);
  std::uint64_t next(int n);

  QByteArrayView data_;
  std::uint64_t base_ = 0;  // file offset of data_[0]
  FourCC owner_ = 0;
  std::uint64_t ownerOffset_ = 0;
  std::uint64_t pos_ = 0;
  bool ok_ = true;
  std::uint64_t failedAt_ = 0, failedNeed_ = 0;
};

}  // namespace rs::package::mp4
