#pragma once
// Writing small ISO-BMFF structures by hand, for tests that need boxes no encoder
// would produce (other profiles, damaged sizes).

#include <QByteArray>
#include <QStringBuilder>
#include <cstdint>

namespace rs::package::testing {

inline QByteArray be(std::uint64_t v, int bytes) {
  QByteArray out(bytes, '\0');
  for (int i = bytes - 1; i >= 0; --i, v >>= 8) out[i] = char(v & 0xff);
  return out;
}

inline QByteArray box(const char (&type)[5], const QByteArray &payload) {
  return be(std::uint64_t(payload.size()) + 8, 4) + QByteArray(type, 4) + payload;
}

inline QByteArray largeBox(const char (&type)[5], const QByteArray &payload) {
  return be(1, 4) + QByteArray(type, 4) + be(std::uint64_t(payload.size()) + 16, 8) + payload;
}

inline QByteArray fullBox(const char (&type)[5], int version, std::uint32_t flags, const QByteArray &payload) {
  return box(type, be(std::uint64_t(version), 1) + be(flags, 3) + payload);
}

inline QByteArray visualEntry(const char (&type)[5], int width, int height, const QByteArray &children) {
  QByteArray p = be(0, 6) + be(1, 2) + be(0, 16) + be(std::uint64_t(width), 2) + be(std::uint64_t(height), 2) +
                 be(0x00480000, 4) + be(0x00480000, 4) + be(0, 4) + be(1, 2) + be(0, 32) + be(0x18, 2) +
                 be(0xffff, 2);
  return box(type, p + children);
}

inline QByteArray audioEntry(const char (&type)[5], int channels, int rate, const QByteArray &children) {
  QByteArray p = be(0, 6) + be(1, 2) + be(0, 8) + be(std::uint64_t(channels), 2) + be(16, 2) + be(0, 4) +
                 be(std::uint64_t(rate) << 16, 4);
  return box(type, p + children);
}

// An MPEG-4 descriptor with its length in the 4-byte form FFmpeg writes (0x80 0x80 0x80 n).
inline QByteArray descriptor(int tag, const QByteArray &body) {
  const auto n = std::uint64_t(body.size());
  QByteArray len;
  len.append(char(0x80 | ((n >> 21) & 0x7f))).append(char(0x80 | ((n >> 14) & 0x7f)))
      .append(char(0x80 | ((n >> 7) & 0x7f))).append(char(n & 0x7f));
  return be(std::uint64_t(tag), 1) + len + body;
}

inline QByteArray esds(int objectTypeIndication, const QByteArray &audioSpecificConfig) {
  const QByteArray config = be(std::uint64_t(objectTypeIndication), 1) + be(0x15, 1) + be(0, 3) +
                            be(128000, 4) + be(128000, 4) +
                            (audioSpecificConfig.isEmpty() ? QByteArray() : descriptor(0x05, audioSpecificConfig));
  const QByteArray es = be(1, 2) + be(0, 1) + descriptor(0x04, config) + descriptor(0x06, be(2, 1));
  return fullBox("esds", 0, 0, descriptor(0x03, es));
}

// ftyp + a moov whose single track holds `sampleEntry` (enough for codec strings).
inline QByteArray initWith(const QByteArray &sampleEntry) {
  const QByteArray stsd = fullBox("stsd", 0, 0, be(1, 4) + sampleEntry);
  const QByteArray trak = box("trak", box("mdia", box("minf", box("stbl", stsd))));
  return box("ftyp", QByteArray("iso6", 4) + be(0, 4) + QByteArray("iso6cmfc", 8)) + box("moov", trak);
}

}  // namespace rs::package::testing
