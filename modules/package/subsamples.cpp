#include "package/subsamples.h"

#include "package/h264slice.h"
#include "package/hevcslice.h"

namespace rs::package {

void SubsampleBuilder::push(std::uint64_t clear, std::uint64_t protectedBytes) {
  while (clear > 0xffff) {
    out_.push_back({0xffff, 0});
    clear -= 0xffff;
  }
  out_.push_back({std::uint16_t(clear), std::uint32_t(protectedBytes)});
}

void SubsampleBuilder::add(std::uint64_t clear, std::uint64_t protectedBytes) {
  if (align_) {
    const std::uint64_t partial = protectedBytes % 16;
    clear += partial;
    protectedBytes -= partial;
  }
  pendingClear_ += clear;
  if (protectedBytes == 0) return;
  push(pendingClear_, protectedBytes);
  pendingClear_ = 0;
}

std::vector<cenc::Subsample> SubsampleBuilder::finish() {
  if (pendingClear_ > 0) push(pendingClear_, 0);
  pendingClear_ = 0;
  return std::move(out_);
}

SubsampleGenerator::~SubsampleGenerator() = default;

Result<std::unique_ptr<SubsampleGenerator>> SubsampleGenerator::create(Codec codec, const ParameterSets &sets, Scheme scheme) {
  std::unique_ptr<SubsampleGenerator> g(new SubsampleGenerator);
  g->codec_ = codec;
  g->lengthSize_ = sets.lengthSize;
  g->alignProtected_ = scheme == Scheme::Cenc;
  if (codec == Codec::H264) g->h264_ = std::make_unique<h264::SliceHeaderParser>();
  else g->hevc_ = std::make_unique<hevc::SliceHeaderParser>();
  for (QByteArrayView nal : sets.nalUnits) RS_RETURN_IF_ERROR(g->addParameterSet(nal));
  return g;
}

Status SubsampleGenerator::addParameterSet(QByteArrayView nal) {
  if (nal.isEmpty()) return Status::ok();
  if (codec_ == Codec::H264) {
    const int type = std::uint8_t(nal[0]) & 0x1f;
    if (type == 7) return h264_->addSps(nal);
    if (type == 8) return h264_->addPps(nal);
    return Status::ok();
  }
  const int type = (std::uint8_t(nal[0]) >> 1) & 0x3f;
  if (type == 33) return hevc_->addSps(nal);
  if (type == 34) return hevc_->addPps(nal);
  return Status::ok();  // VPS, SEI: nothing the slice header depends on
}

bool SubsampleGenerator::isSlice(QByteArrayView nal) const {
  if (codec_ == Codec::H264) {
    const int type = std::uint8_t(nal[0]) & 0x1f;
    return type >= 1 && type <= 5;
  }
  const int type = (std::uint8_t(nal[0]) >> 1) & 0x3f;
  return type <= 31;  // every VCL type, reserved ones included: sliceHeader() refuses those
}

Result<SliceHeaderSize> SubsampleGenerator::sliceHeader(QByteArrayView nal) const {
  if (codec_ == Codec::H264) {
    const int type = std::uint8_t(nal[0]) & 0x1f;
    if (type >= 2 && type <= 4)
      return Status(ErrorCode::BadRequest, QStringLiteral("H.264 data partitioning (NAL unit type %1) cannot be protected").arg(type));
    return h264_->sliceHeader(nal);
  }
  return hevc_->sliceHeader(nal);
}

Result<std::vector<cenc::Subsample>> SubsampleGenerator::generate(QByteArrayView sample) {
  auto nals = splitNalUnits(sample, lengthSize_);
  if (!nals) return nals.status();
  const std::uint64_t headerBytes = codec_ == Codec::H264 ? 1 : 2;
  SubsampleBuilder builder(alignProtected_);
  for (const NalUnit &nal : *nals) {
    const std::uint64_t total = std::uint64_t(nal.bytes.size());
    if (total < headerBytes)
      return Status(ErrorCode::BadRequest, QStringLiteral("NAL unit at offset %1 is shorter than its header").arg(nal.offset));
    if (!isSlice(nal.bytes)) {
      RS_RETURN_IF_ERROR(addParameterSet(nal.bytes));
      builder.add(std::uint64_t(lengthSize_) + total, 0);
      continue;
    }
    auto header = sliceHeader(nal.bytes);
    if (!header)
      return Status(header.status().code(), QStringLiteral("NAL unit at offset %1: %2").arg(nal.offset).arg(header.status().message()));
    const std::uint64_t clear = headerBytes + header->bytes;
    if (clear > total)
      return Status(ErrorCode::BadRequest, QStringLiteral("NAL unit at offset %1: slice header runs past its end").arg(nal.offset));
    builder.add(std::uint64_t(lengthSize_) + clear, total - clear);
  }
  return builder.finish();
}

}  // namespace rs::package
