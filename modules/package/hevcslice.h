#pragma once
// HEVC (ITU-T H.265) slice segment header length, for subsample encryption (see
// h264slice.h). Reads what §7.3.6.1 needs from the SPS (short-term reference picture
// sets included, with inter-RPS prediction) and the PPS (range extension included).
// Multi-layer, 3D and screen-content extensions are refused.

#include "package/nalunits.h"

#include <array>
#include <optional>
#include <vector>

namespace rs::package::hevc {

struct ShortTermRps {
  int numDeltaPocs = 0;
  int numUsedByCurr = 0;
};

struct Sps {
  int chromaArrayType = 1;
  bool separateColourPlane = false;
  int log2MaxPocLsb = 4;
  std::uint32_t picSizeInCtbs = 0;
  std::vector<ShortTermRps> rps;  // num_short_term_ref_pic_sets of them
  bool longTermRefPicsPresent = false;
  std::vector<bool> longTermUsedByCurrSps;  // used_by_curr_pic_lt_sps_flag per SPS entry
  bool temporalMvp = false;
  bool sao = false;
};

struct Pps {
  int spsId = 0;
  bool dependentSliceSegmentsEnabled = false;
  bool outputFlagPresent = false;
  int numExtraSliceHeaderBits = 0;
  bool cabacInitPresent = false;
  std::uint32_t numRefIdxL0DefaultMinus1 = 0, numRefIdxL1DefaultMinus1 = 0;
  bool sliceChromaQpOffsetsPresent = false;
  bool weightedPred = false, weightedBipred = false;
  bool tilesEnabled = false, entropyCodingSync = false;
  bool loopFilterAcrossSlices = false;
  bool deblockingFilterOverrideEnabled = false, deblockingFilterDisabled = false;
  bool listsModificationPresent = false;
  bool sliceHeaderExtensionPresent = false;
  bool chromaQpOffsetListEnabled = false;
};

class SliceHeaderParser {
 public:
  // Each takes a whole NAL unit (its two-byte header first).
  Status addSps(QByteArrayView nal);
  Status addPps(QByteArrayView nal);
  // VCL NAL unit types 0–9 and 16–21, layer 0.
  Result<SliceHeaderSize> sliceHeader(QByteArrayView nal) const;

 private:
  std::array<std::optional<Sps>, 16> sps_;
  std::array<std::optional<Pps>, 64> pps_;
};

}  // namespace rs::package::hevc
