#pragma once
// Reading the RBSP of an H.264/HEVC NAL unit bit by bit straight from its escaped
// bytes: emulation-prevention bytes (00 00 03) are skipped as they are met, so the
// reader can say both how many RBSP bits a header took (what the standards and
// ffmpeg's trace_headers count) and how many bytes of the NAL unit as stored hold it
// (what a subsample's clear part must cover).

#include <QByteArrayView>
#include <cstdint>

namespace rs::package {

class RbspReader {
 public:
  // `escaped`: the NAL unit's bytes after its header, as they are in the sample.
  explicit RbspReader(QByteArrayView escaped) : data_(escaped) {}

  std::uint32_t bits(int n);  // n ≤ 32
  bool flag() { return bits(1) != 0; }
  std::uint32_t ue();         // Exp-Golomb, values up to 2^32 - 2
  std::int32_t se();
  void skip(int n);

  // False once a read ran past the end or an Exp-Golomb code was too long; reads
  // after that return 0, so callers check once per structure.
  bool ok() const { return ok_; }
  std::uint64_t rbspBits() const { return rbspBits_; }
  // Stored bytes from the start up to and including the one holding the last bit read.
  std::uint64_t escapedBytes() const;
  bool byteAligned() const { return bitInByte_ == 0; }

 private:
  bool loadByte();

  QByteArrayView data_;
  std::int64_t pos_ = 0;       // next stored byte to load
  int zeros_ = 0;              // consecutive 0x00 bytes just loaded
  std::uint8_t current_ = 0;
  int bitInByte_ = 0;          // bits of current_ already read (0 = none loaded)
  std::uint64_t rbspBits_ = 0;
  bool ok_ = true;
};

// Ceil(Log2(x)) for x ≥ 1, the width of several u(v) fields.
int ceilLog2(std::uint64_t x);

}  // namespace rs::package
