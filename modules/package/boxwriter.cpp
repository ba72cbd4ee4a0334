#include "package/boxwriter.h"

namespace rs::package::mp4 {

void Writer::put(std::uint64_t v, int n) {
  for (int shift = (n - 1) * 8; shift >= 0; shift -= 8) data_.append(char((v >> shift) & 0xff));
}

qsizetype Writer::begin(FourCC type) {
  const qsizetype mark = data_.size();
  u32(0);  // patched by end()
  fourcc(type);
  return mark;
}

qsizetype Writer::beginFull(FourCC type, std::uint8_t version, std::uint32_t flags) {
  const qsizetype mark = begin(type);
  u8(version);
  u24(flags);
  return mark;
}

void Writer::end(qsizetype mark) { patchU32(&data_, mark, std::uint32_t(data_.size() - mark)); }

void patchU32(QByteArray *buffer, qsizetype offset, std::uint32_t value) {
  char *p = buffer->data() + offset;
  for (int i = 0; i < 4; ++i) p[i] = char((value >> (24 - 8 * i)) & 0xff);
}

void patchU64(QByteArray *buffer, qsizetype offset, std::uint64_t value) {
  char *p = buffer->data() + offset;
  for (int i = 0; i < 8; ++i) p[i] = char((value >> (56 - 8 * i)) & 0xff);
}

std::uint32_t readU32(QByteArrayView buffer, qsizetype offset) {
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = v << 8 | std::uint8_t(buffer[offset + i]);
  return v;
}

std::uint64_t readU64(QByteArrayView buffer, qsizetype offset) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = v << 8 | std::uint8_t(buffer[offset + i]);
  return v;
}

}  // namespace rs::package::mp4
