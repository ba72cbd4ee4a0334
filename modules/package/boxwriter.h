#pragma once
// Writing ISO-BMFF boxes: big-endian fields appended to a buffer, and boxes whose size
// is patched when they are closed, so nested boxes never need their sizes computed
// ahead. The reading side is boxreader.h; every box written here has a parser there
// or in cencboxes.h, and a round-trip test.

#include "package/boxreader.h"

#include <QByteArray>
#include <cstdint>

namespace rs::package::mp4 {

class Writer {
 public:
  void u8(std::uint8_t v) { data_.append(char(v)); }
  void u16(std::uint16_t v) { put(v, 2); }
  void u24(std::uint32_t v) { put(v, 3); }
  void u32(std::uint32_t v) { put(v, 4); }
  void u64(std::uint64_t v) { put(v, 8); }
  void fourcc(FourCC v) { put(v, 4); }
  void bytes(QByteArrayView v) { data_.append(v); }

  // Starts a box (or a FullBox with its version and flags) and returns a mark for
  // end(), which writes the box's final size. Boxes larger than 4 GiB are not written
  // here (segments and init segments are megabytes).
  qsizetype begin(FourCC type);
  qsizetype beginFull(FourCC type, std::uint8_t version, std::uint32_t flags);
  void end(qsizetype mark);

  const QByteArray &data() const { return data_; }
  QByteArray take() { return std::move(data_); }

 private:
  void put(std::uint64_t v, int n);
  QByteArray data_;
};

// Overwrites a big-endian 32-bit field at `offset` of `buffer` (sizes and offsets of
// boxes that are edited in place).
void patchU32(QByteArray *buffer, qsizetype offset, std::uint32_t value);
void patchU64(QByteArray *buffer, qsizetype offset, std::uint64_t value);
std::uint32_t readU32(QByteArrayView buffer, qsizetype offset);
std::uint64_t readU64(QByteArrayView buffer, qsizetype offset);

}  // namespace rs::package::mp4
