#pragma once
// The boxes of ISO/IEC 23001-7 (Common Encryption), each a plain struct with a writer
// and a parser that checks every size: in the init segment sinf (frma, schm,
// schi/tenc) under the renamed sample entry and pssh in moov; per fragment senc
// (IVs and subsamples), saiz and saio in traf. Round-trip tests in
// tests/package/tst_cencboxes.cpp.

#include "package/boxreader.h"
#include "package/keys.h"

#include <QByteArray>
#include <cstdint>
#include <vector>

namespace rs::package::cenc {

// urn:uuid:1077efec-c0b2-4d02-ace3-3c1e52e2fb4b, the W3C "common" system id: a pssh
// any EME key system (ClearKey among them) reads for the list of KIDs.
extern const Bytes16 kCommonSystemId;

struct Frma {
  mp4::FourCC dataFormat = 0;  // the original sample entry type: avc1, hvc1, mp4a …
  bool operator==(const Frma &) const = default;
};

struct Schm {
  mp4::FourCC schemeType = 0;          // 'cenc' or 'cbcs'
  std::uint32_t schemeVersion = 0x00010000;
  bool operator==(const Schm &) const = default;
};

struct Tenc {
  std::uint8_t version = 0;            // 1 carries the pattern ('cbcs')
  std::uint8_t cryptByteBlock = 0, skipByteBlock = 0;
  bool isProtected = true;
  std::uint8_t perSampleIvSize = 8;    // 0 with a constant IV
  Bytes16 kid{};                       // same byte order as cenc:default_KID
  QByteArray constantIv;               // when protected and perSampleIvSize == 0
  bool operator==(const Tenc &) const = default;
};

struct Sinf {
  Frma frma;
  Schm schm;
  Tenc tenc;
  bool operator==(const Sinf &) const = default;
};

struct Pssh {
  std::uint8_t version = 1;
  Bytes16 systemId = kCommonSystemId;
  std::vector<Bytes16> kids;           // version 1 only
  QByteArray data;
  bool operator==(const Pssh &) const = default;
};

struct Subsample {
  std::uint16_t clearBytes = 0;
  std::uint32_t protectedBytes = 0;
  bool operator==(const Subsample &) const = default;
};

struct SencEntry {
  QByteArray iv;                       // per-sample IV (empty with a constant IV)
  std::vector<Subsample> subsamples;
  bool operator==(const SencEntry &) const = default;
  // Bytes this entry takes in senc (and its size in saiz).
  std::uint32_t size(bool withSubsamples) const;
};

constexpr std::uint32_t kSencUseSubsamples = 0x000002;

struct Senc {
  std::uint32_t flags = 0;
  std::vector<SencEntry> entries;
  bool useSubsamples() const { return flags & kSencUseSubsamples; }
  bool operator==(const Senc &) const = default;
};

struct Saiz {
  std::uint8_t defaultSampleInfoSize = 0;
  std::uint32_t sampleCount = 0;
  std::vector<std::uint8_t> sampleInfoSizes;  // when defaultSampleInfoSize == 0
  bool operator==(const Saiz &) const = default;
};

struct Saio {
  std::uint8_t version = 0;            // 1: 64-bit offsets
  std::vector<std::uint64_t> offsets;
  bool operator==(const Saio &) const = default;
};

// Each writer returns the whole box; each parser takes the box as boxreader found it.
QByteArray write(const Frma &);
QByteArray write(const Schm &);
QByteArray write(const Tenc &);
QByteArray write(const Sinf &);
QByteArray write(const Pssh &);
QByteArray write(const Senc &);
QByteArray write(const Saiz &);
QByteArray write(const Saio &);

Result<Frma> parseFrma(const mp4::Box &);
Result<Schm> parseSchm(const mp4::Box &);
Result<Tenc> parseTenc(const mp4::Box &);
Result<Sinf> parseSinf(const mp4::Box &);
Result<Pssh> parsePssh(const mp4::Box &);
// senc does not say how long its IVs are: that is in tenc.
Result<Senc> parseSenc(const mp4::Box &, std::uint8_t perSampleIvSize);
Result<Saiz> parseSaiz(const mp4::Box &);
Result<Saio> parseSaio(const mp4::Box &);

// The senc entries' sizes as a saiz: one default size when they are all equal.
Saiz saizFor(const Senc &senc);
// Where senc's first entry (its first IV) starts, from the start of the senc box.
constexpr std::uint32_t kSencFirstEntryOffset = 8 + 4 + 4;  // box header, version/flags, sample_count

}  // namespace rs::package::cenc
