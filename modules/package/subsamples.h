#pragma once
// Which bytes of an H.264/HEVC sample CENC encrypts (ISO/IEC 23001-7 §10 and the
// CMAF rules): in a slice NAL unit the length field, NAL header and slice header stay
// clear and the slice data is protected; every other NAL unit (parameter sets, SEI,
// AUD …) stays clear. For 'cenc' the protected part is trimmed to whole 16-byte blocks
// (the remainder joins the clear part before it); for 'cbcs' it runs to the end of the
// NAL unit (a last partial block stays clear by the pattern rule). Clear runs longer
// than 65,535 bytes are split into subsamples with nothing protected.

#include "package/cencboxes.h"
#include "package/nalunits.h"
#include "package/protection.h"

#include <memory>

namespace rs::package {

namespace h264 { class SliceHeaderParser; }
namespace hevc { class SliceHeaderParser; }

class SubsampleGenerator {
 public:
  enum class Codec { H264, Hevc };

  // `parameterSets` from the sample entry's avcC/hvcC.
  static Result<std::unique_ptr<SubsampleGenerator>> create(Codec codec, const ParameterSets &parameterSets, Scheme scheme);
  ~SubsampleGenerator();

  // The subsamples of one sample, covering it exactly. SPS/PPS inside the sample
  // update the parameter sets for this and later samples.
  Result<std::vector<cenc::Subsample>> generate(QByteArrayView sample);

 private:
  SubsampleGenerator() = default;
  Status addParameterSet(QByteArrayView nal);
  Result<SliceHeaderSize> sliceHeader(QByteArrayView nal) const;
  bool isSlice(QByteArrayView nal) const;

  Codec codec_ = Codec::H264;
  int lengthSize_ = 4;
  bool alignProtected_ = true;
  std::unique_ptr<h264::SliceHeaderParser> h264_;
  std::unique_ptr<hevc::SliceHeaderParser> hevc_;
};

// Adds clear and protected byte counts in order, merging clear runs and splitting them
// at 65,535 (BytesOfClearData is 16 bits). Public for the tests.
class SubsampleBuilder {
 public:
  explicit SubsampleBuilder(bool alignProtected) : align_(alignProtected) {}
  void add(std::uint64_t clear, std::uint64_t protectedBytes);
  std::vector<cenc::Subsample> finish();

 private:
  void push(std::uint64_t clear, std::uint64_t protectedBytes);
  bool align_;
  std::uint64_t pendingClear_ = 0;
  std::vector<cenc::Subsample> out_;
};

}  // namespace rs::package
