#include "package/h264slice.h"

#include "package/bitreader.h"

namespace rs::package::h264 {

namespace {

Status bad(const QString &what) { return Status(ErrorCode::BadRequest, QStringLiteral("H.264 %1").arg(what)); }

void skipScalingList(RbspReader &r, int size) {
  int last = 8, next = 8;
  for (int j = 0; j < size && r.ok(); ++j) {
    if (next != 0) next = (last + r.se() + 256) % 256;
    last = next == 0 ? last : next;
  }
}

bool hasChromaFormat(int profile) {
  for (int p : {100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135})
    if (profile == p) return true;
  return false;
}

}  // namespace

Status SliceHeaderParser::addSps(QByteArrayView nal) {
  if (nal.size() < 2) return bad(QStringLiteral("SPS of %1 bytes").arg(nal.size()));
  RbspReader r(nal.sliced(1));
  Sps s;
  const int profile = int(r.bits(8));
  r.skip(16);  // constraint flags, level_idc
  const std::uint32_t id = r.ue();
  int chromaFormat = 1;
  if (hasChromaFormat(profile)) {
    chromaFormat = int(r.ue());
    if (chromaFormat == 3) s.separateColourPlane = r.flag();
    r.ue();  // bit_depth_luma_minus8
    r.ue();  // bit_depth_chroma_minus8
    r.skip(1);
    if (r.flag()) {  // seq_scaling_matrix_present_flag
      for (int i = 0; i < (chromaFormat != 3 ? 8 : 12) && r.ok(); ++i)
        if (r.flag()) skipScalingList(r, i < 6 ? 16 : 64);
    }
  }
  s.chromaArrayType = s.separateColourPlane ? 0 : chromaFormat;
  s.log2MaxFrameNum = int(r.ue()) + 4;
  s.pocType = int(r.ue());
  if (s.pocType == 0) {
    s.log2MaxPocLsb = int(r.ue()) + 4;
  } else if (s.pocType == 1) {
    s.deltaPicOrderAlwaysZero = r.flag();
    r.se();
    r.se();
    const std::uint32_t cycle = r.ue();
    if (cycle > 255) return bad(QStringLiteral("SPS: %1 reference frames in a POC cycle (at most 255)").arg(cycle));
    for (std::uint32_t i = 0; i < cycle && r.ok(); ++i) r.se();
  }
  r.ue();      // max_num_ref_frames
  r.skip(1);   // gaps_in_frame_num_value_allowed_flag
  const std::uint32_t widthMbs = r.ue() + 1, heightMapUnits = r.ue() + 1;
  s.frameMbsOnly = r.flag();
  s.picSizeInMapUnits = widthMbs * heightMapUnits;
  if (!r.ok()) return bad(QStringLiteral("SPS is truncated"));
  if (id > 31) return bad(QStringLiteral("SPS id %1 is out of range").arg(id));
  if (s.log2MaxFrameNum > 16 || s.log2MaxPocLsb > 16 || s.pocType > 2)
    return bad(QStringLiteral("SPS %1 has out-of-range frame number or POC fields").arg(id));
  sps_[id] = s;
  return Status::ok();
}

Status SliceHeaderParser::addPps(QByteArrayView nal) {
  if (nal.size() < 2) return bad(QStringLiteral("PPS of %1 bytes").arg(nal.size()));
  RbspReader r(nal.sliced(1));
  Pps p;
  const std::uint32_t id = r.ue();
  const std::uint32_t spsId = r.ue();
  p.spsId = int(spsId);
  p.entropyCodingMode = r.flag();
  p.bottomFieldPicOrderInFramePresent = r.flag();
  p.numSliceGroupsMinus1 = r.ue();
  if (p.numSliceGroupsMinus1 > 7) return bad(QStringLiteral("PPS %1: %2 slice groups (at most 8)").arg(id).arg(p.numSliceGroupsMinus1 + 1));
  if (p.numSliceGroupsMinus1 > 0) {
    p.sliceGroupMapType = r.ue();
    if (p.sliceGroupMapType == 0) {
      for (std::uint32_t g = 0; g <= p.numSliceGroupsMinus1 && r.ok(); ++g) r.ue();
    } else if (p.sliceGroupMapType == 2) {
      for (std::uint32_t g = 0; g < p.numSliceGroupsMinus1 && r.ok(); ++g) {
        r.ue();
        r.ue();
      }
    } else if (p.sliceGroupMapType >= 3 && p.sliceGroupMapType <= 5) {
      r.skip(1);
      p.sliceGroupChangeRate = r.ue() + 1;
    } else if (p.sliceGroupMapType == 6) {
      const std::uint32_t units = r.ue() + 1;
      const int width = ceilLog2(p.numSliceGroupsMinus1 + 1);
      for (std::uint32_t i = 0; i < units && r.ok(); ++i) r.skip(width);
    }
  }
  p.numRefIdxL0DefaultMinus1 = r.ue();
  p.numRefIdxL1DefaultMinus1 = r.ue();
  p.weightedPred = r.flag();
  p.weightedBipredIdc = int(r.bits(2));
  r.se();  // pic_init_qp_minus26
  r.se();  // pic_init_qs_minus26
  r.se();  // chroma_qp_index_offset
  p.deblockingFilterControlPresent = r.flag();
  r.skip(1);  // constrained_intra_pred_flag
  p.redundantPicCntPresent = r.flag();
  // transform_8x8_mode_flag and the rest follow; the slice header needs none of them.
  if (!r.ok()) return bad(QStringLiteral("PPS is truncated"));
  if (id > 255 || spsId > 31) return bad(QStringLiteral("PPS id %1 or its SPS id %2 is out of range").arg(id).arg(spsId));
  if (p.numRefIdxL0DefaultMinus1 > 31 || p.numRefIdxL1DefaultMinus1 > 31)
    return bad(QStringLiteral("PPS %1 has more than 32 default reference indexes").arg(id));
  pps_[id] = p;
  return Status::ok();
}

Result<SliceHeaderSize> SliceHeaderParser::sliceHeader(QByteArrayView nal) const {
  if (nal.size() < 2) return bad(QStringLiteral("slice NAL unit of %1 bytes").arg(nal.size()));
  const int nalRefIdc = (std::uint8_t(nal[0]) >> 5) & 3;
  const int nalType = std::uint8_t(nal[0]) & 0x1f;
  if (nalType != 1 && nalType != 5) return bad(QStringLiteral("NAL unit type %1 is not a slice this parser reads").arg(nalType));
  const bool idr = nalType == 5;
  RbspReader r(nal.sliced(1));
  r.ue();  // first_mb_in_slice
  const std::uint32_t sliceTypeRaw = r.ue();
  const std::uint32_t ppsId = r.ue();
  if (!r.ok()) return bad(QStringLiteral("slice header is truncated"));
  if (sliceTypeRaw > 9) return bad(QStringLiteral("slice_type %1 is out of range").arg(sliceTypeRaw));
  if (ppsId > 255 || !pps_[ppsId]) return bad(QStringLiteral("slice refers to PPS %1, which was never given").arg(ppsId));
  const Pps &pps = *pps_[ppsId];
  if (!sps_[std::size_t(pps.spsId)]) return bad(QStringLiteral("PPS %1 refers to SPS %2, which was never given").arg(ppsId).arg(pps.spsId));
  const Sps &sps = *sps_[std::size_t(pps.spsId)];
  const int sliceType = int(sliceTypeRaw % 5);
  const bool isP = sliceType == 0, isB = sliceType == 1, isI = sliceType == 2, isSP = sliceType == 3, isSI = sliceType == 4;

  if (sps.separateColourPlane) r.skip(2);
  r.skip(sps.log2MaxFrameNum);
  bool fieldPic = false;
  if (!sps.frameMbsOnly) {
    fieldPic = r.flag();
    if (fieldPic) r.skip(1);  // bottom_field_flag
  }
  if (idr) r.ue();  // idr_pic_id
  if (sps.pocType == 0) {
    r.skip(sps.log2MaxPocLsb);
    if (pps.bottomFieldPicOrderInFramePresent && !fieldPic) r.se();
  }
  if (sps.pocType == 1 && !sps.deltaPicOrderAlwaysZero) {
    r.se();
    if (pps.bottomFieldPicOrderInFramePresent && !fieldPic) r.se();
  }
  if (pps.redundantPicCntPresent) r.ue();
  if (isB) r.skip(1);  // direct_spatial_mv_pred_flag
  std::uint32_t refL0 = pps.numRefIdxL0DefaultMinus1, refL1 = pps.numRefIdxL1DefaultMinus1;
  if (isP || isSP || isB) {
    if (r.flag()) {  // num_ref_idx_active_override_flag
      refL0 = r.ue();
      if (isB) refL1 = r.ue();
    }
  }
  if (refL0 > 31 || refL1 > 31) return bad(QStringLiteral("slice has more than 32 active reference indexes"));
  // ref_pic_list_modification()
  for (int list = 0; list < (isB ? 2 : 1); ++list) {
    if (isI || isSI) break;
    if (!r.flag()) continue;
    for (int n = 0; r.ok(); ++n) {
      const std::uint32_t idc = r.ue();
      if (idc == 3) break;
      if (idc > 2 || n > 64) return bad(QStringLiteral("malformed ref_pic_list_modification"));
      r.ue();  // abs_diff_pic_num_minus1 / long_term_pic_num / abs_diff_view_idx_minus1
    }
  }
  // pred_weight_table()
  if ((pps.weightedPred && (isP || isSP)) || (pps.weightedBipredIdc == 1 && isB)) {
    r.ue();  // luma_log2_weight_denom
    if (sps.chromaArrayType != 0) r.ue();
    for (int list = 0; list < (isB ? 2 : 1); ++list) {
      const std::uint32_t count = (list == 0 ? refL0 : refL1) + 1;
      for (std::uint32_t i = 0; i < count && r.ok(); ++i) {
        if (r.flag()) {
          r.se();
          r.se();
        }
        if (sps.chromaArrayType != 0 && r.flag())
          for (int j = 0; j < 4; ++j) r.se();
      }
    }
  }
  // dec_ref_pic_marking()
  if (nalRefIdc != 0) {
    if (idr) {
      r.skip(2);
    } else if (r.flag()) {  // adaptive_ref_pic_marking_mode_flag
      for (int n = 0; r.ok(); ++n) {
        const std::uint32_t op = r.ue();
        if (op == 0) break;
        if (op > 6 || n > 66) return bad(QStringLiteral("malformed dec_ref_pic_marking"));
        if (op == 1 || op == 3) r.ue();
        if (op == 2) r.ue();
        if (op == 3 || op == 6) r.ue();
        if (op == 4) r.ue();
      }
    }
  }
  if (pps.entropyCodingMode && !isI && !isSI) r.ue();  // cabac_init_idc
  r.se();  // slice_qp_delta
  if (isSP || isSI) {
    if (isSP) r.skip(1);
    r.se();
  }
  if (pps.deblockingFilterControlPresent) {
    if (r.ue() != 1) {
      r.se();
      r.se();
    }
  }
  if (pps.numSliceGroupsMinus1 > 0 && pps.sliceGroupMapType >= 3 && pps.sliceGroupMapType <= 5) {
    // Ceil(Log2(PicSizeInMapUnits ÷ SliceGroupChangeRate + 1)), the division exact.
    const std::uint64_t units = sps.picSizeInMapUnits, rate = pps.sliceGroupChangeRate;
    int width = 0;
    while ((rate << width) < units + rate && width < 32) ++width;
    r.skip(width);
  }
  if (!r.ok()) return bad(QStringLiteral("slice header runs past the end of its NAL unit"));
  return SliceHeaderSize{r.rbspBits(), r.escapedBytes()};
}

}  // namespace rs::package::h264
