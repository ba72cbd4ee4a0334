#pragma once
// Length-prefixed NAL units (ISO/IEC 14496-15: AVC and HEVC samples in MP4) and the
// parameter sets of avcC/hvcC, read with bounds checks: a sample whose NAL lengths
// claim more bytes than it holds is an error that says where, never a read past it.

#include "core/status.h"

#include <QByteArrayView>
#include <cstdint>
#include <vector>

namespace rs::package {

struct NalUnit {
  std::uint64_t offset = 0;   // of the length field, from the start of the sample
  QByteArrayView bytes;       // the NAL unit (header first), without its length field
};

// `lengthSize`: 1, 2 or 4 (the sample entry's lengthSizeMinusOne + 1).
Result<std::vector<NalUnit>> splitNalUnits(QByteArrayView sample, int lengthSize);

struct ParameterSets {
  int lengthSize = 4;
  std::vector<QByteArrayView> nalUnits;  // SPS, PPS (and VPS for HEVC), in record order
};
// AVCDecoderConfigurationRecord (the avcC box's payload).
Result<ParameterSets> parseAvcC(QByteArrayView record);
// HEVCDecoderConfigurationRecord (the hvcC box's payload).
Result<ParameterSets> parseHvcC(QByteArrayView record);

// How long a slice header is, from just after the NAL unit header.
struct SliceHeaderSize {
  std::uint64_t rbspBits = 0;  // as the standard counts (emulation prevention removed)
  std::uint64_t bytes = 0;     // stored bytes that hold it (emulation prevention included)
};

}  // namespace rs::package
