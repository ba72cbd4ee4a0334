#pragma once
// H.264 (ISO/IEC 14496-10) slice header length, for subsample encryption: CENC keeps
// the slice header in the clear, so the packager must know where slice data starts.
// Parses only what §7.3.3 needs from the SPS and PPS; in-band parameter sets update
// the tables as they arrive. Data partitioning and MVC/SVC slices are refused.

#include "package/nalunits.h"

#include <array>
#include <optional>

namespace rs::package::h264 {

struct Sps {
  int chromaArrayType = 1;
  bool separateColourPlane = false;
  int log2MaxFrameNum = 4;
  int pocType = 0;
  int log2MaxPocLsb = 4;
  bool deltaPicOrderAlwaysZero = false;
  bool frameMbsOnly = true;
  std::uint32_t picSizeInMapUnits = 0;
};

struct Pps {
  int spsId = 0;
  bool entropyCodingMode = false;
  bool bottomFieldPicOrderInFramePresent = false;
  std::uint32_t numSliceGroupsMinus1 = 0;
  std::uint32_t sliceGroupMapType = 0;
  std::uint32_t sliceGroupChangeRate = 1;
  std::uint32_t numRefIdxL0DefaultMinus1 = 0, numRefIdxL1DefaultMinus1 = 0;
  bool weightedPred = false;
  int weightedBipredIdc = 0;
  bool deblockingFilterControlPresent = false;
  bool redundantPicCntPresent = false;
};

class SliceHeaderParser {
 public:
  // Each takes a whole NAL unit (its one-byte header first).
  Status addSps(QByteArrayView nal);
  Status addPps(QByteArrayView nal);
  // nal_unit_type 1 or 5.
  Result<SliceHeaderSize> sliceHeader(QByteArrayView nal) const;

 private:
  std::array<std::optional<Sps>, 32> sps_;
  std::array<std::optional<Pps>, 256> pps_;
};

}  // namespace rs::package::h264
