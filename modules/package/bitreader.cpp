#include "package/bitreader.h"

namespace rs::package {

bool RbspReader::loadByte() {
  if (pos_ < data_.size() && zeros_ >= 2 && std::uint8_t(data_[pos_]) == 0x03) {
    ++pos_;  // emulation prevention: not part of the RBSP
    zeros_ = 0;
  }
  if (pos_ >= data_.size()) {
    ok_ = false;
    return false;
  }
  current_ = std::uint8_t(data_[pos_++]);
  zeros_ = current_ == 0 ? zeros_ + 1 : 0;
  return true;
}

std::uint32_t RbspReader::bits(int n) {
  std::uint32_t v = 0;
  for (int i = 0; i < n; ++i) {
    if (!ok_) return 0;
    if (bitInByte_ == 0 && !loadByte()) return 0;
    v = v << 1 | ((current_ >> (7 - bitInByte_)) & 1);
    bitInByte_ = (bitInByte_ + 1) % 8;
    ++rbspBits_;
  }
  return v;
}

void RbspReader::skip(int n) {
  while (n > 0 && ok_) {
    const int step = n > 32 ? 32 : n;
    bits(step);
    n -= step;
  }
}

std::uint32_t RbspReader::ue() {
  int zeros = 0;
  while (ok_ && bits(1) == 0) {
    if (++zeros > 31) {
      ok_ = false;
      return 0;
    }
  }
  if (!ok_) return 0;
  if (zeros == 0) return 0;
  return std::uint32_t((std::uint64_t(1) << zeros) - 1 + bits(zeros));
}

std::int32_t RbspReader::se() {
  const std::uint32_t k = ue();
  // 1 → 1, 2 → -1, 3 → 2, 4 → -2 …
  return k & 1 ? std::int32_t((k + 1) / 2) : -std::int32_t(k / 2);
}

std::uint64_t RbspReader::escapedBytes() const {
  // pos_ is one past the byte being read; a byte whose bits are all read is complete.
  return std::uint64_t(pos_);
}

int ceilLog2(std::uint64_t x) {
  int n = 0;
  while ((std::uint64_t(1) << n) < x) ++n;
  return n;
}

}  // namespace rs::package
