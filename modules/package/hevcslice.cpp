#include "package/hevcslice.h"

#include "package/bitreader.h"

namespace rs::package::hevc {

namespace {

constexpr int kBlaWLp = 16, kIdrWRadl = 19, kIdrNLp = 20, kRsvIrap23 = 23;

Status bad(const QString &what) { return Status(ErrorCode::BadRequest, QStringLiteral("HEVC %1").arg(what)); }

// profile_tier_level(1, maxSubLayersMinus1), §7.3.3: fixed-size fields only.
void skipProfileTierLevel(RbspReader &r, int maxSubLayersMinus1) {
  r.skip(88);  // general profile space … general_inbld/reserved flag
  r.skip(8);   // general_level_idc
  bool profilePresent[8] = {}, levelPresent[8] = {};
  for (int i = 0; i < maxSubLayersMinus1; ++i) {
    profilePresent[i] = r.flag();
    levelPresent[i] = r.flag();
  }
  if (maxSubLayersMinus1 > 0)
    for (int i = maxSubLayersMinus1; i < 8; ++i) r.skip(2);
  for (int i = 0; i < maxSubLayersMinus1; ++i) {
    if (profilePresent[i]) r.skip(88);
    if (levelPresent[i]) r.skip(8);
  }
}

// scaling_list_data(), §7.3.4.
void skipScalingListData(RbspReader &r) {
  for (int sizeId = 0; sizeId < 4; ++sizeId) {
    for (int matrixId = 0; matrixId < 6 && r.ok(); matrixId += sizeId == 3 ? 3 : 1) {
      if (!r.flag()) {
        r.ue();  // scaling_list_pred_matrix_id_delta
        continue;
      }
      const int coefs = std::min(64, 1 << (4 + (sizeId << 1)));
      if (sizeId > 1) r.se();
      for (int i = 0; i < coefs && r.ok(); ++i) r.se();
    }
  }
}

// st_ref_pic_set(stRpsIdx), §7.3.7. Only the counts matter for later syntax: the number
// of pictures a set holds (what a set predicted from it loops over) and how many the
// current picture uses (NumPicTotalCurr). With inter-RPS prediction a picture is in
// the new set exactly when use_delta_flag is 1, which used_by_curr_pic_flag implies.
Result<ShortTermRps> readShortTermRps(RbspReader &r, int idx, const std::vector<ShortTermRps> &sets, int numSets) {
  ShortTermRps out;
  const bool predicted = idx != 0 && r.flag();
  if (predicted) {
    std::uint32_t deltaIdxMinus1 = 0;
    if (idx == numSets) deltaIdxMinus1 = r.ue();
    if (deltaIdxMinus1 + 1 > std::uint32_t(idx)) return bad(QStringLiteral("short-term RPS predicts from a set that does not exist"));
    r.skip(1);  // delta_rps_sign
    r.ue();     // abs_delta_rps_minus1
    const ShortTermRps &ref = sets[std::size_t(idx - int(deltaIdxMinus1) - 1)];
    for (int j = 0; j <= ref.numDeltaPocs && r.ok(); ++j) {
      const bool used = r.flag();
      const bool useDelta = used ? true : r.flag();
      if (useDelta) ++out.numDeltaPocs;
      if (used) ++out.numUsedByCurr;
    }
  } else {
    const std::uint32_t negative = r.ue(), positive = r.ue();
    if (negative > 16 || positive > 16) return bad(QStringLiteral("short-term RPS with %1 + %2 pictures (at most 16 each)").arg(negative).arg(positive));
    for (std::uint32_t i = 0; i < negative + positive && r.ok(); ++i) {
      r.ue();  // delta_poc_s0/s1_minus1
      if (r.flag()) ++out.numUsedByCurr;
    }
    out.numDeltaPocs = int(negative + positive);
  }
  if (out.numDeltaPocs > 32) return bad(QStringLiteral("short-term RPS with %1 pictures").arg(out.numDeltaPocs));
  if (!r.ok()) return bad(QStringLiteral("short-term RPS is truncated"));
  return out;
}

}  // namespace

Status SliceHeaderParser::addSps(QByteArrayView nal) {
  if (nal.size() < 3) return bad(QStringLiteral("SPS of %1 bytes").arg(nal.size()));
  if ((std::uint8_t(nal[0]) & 1) || (std::uint8_t(nal[1]) >> 3)) return bad(QStringLiteral("SPS of a layer above 0 (multi-layer HEVC is not supported)"));
  RbspReader r(nal.sliced(2));
  Sps s;
  r.skip(4);  // sps_video_parameter_set_id
  const int maxSubLayersMinus1 = int(r.bits(3));
  r.skip(1);
  if (maxSubLayersMinus1 > 6) return bad(QStringLiteral("SPS with %1 sub-layers").arg(maxSubLayersMinus1 + 1));
  skipProfileTierLevel(r, maxSubLayersMinus1);
  const std::uint32_t id = r.ue();
  const std::uint32_t chromaFormat = r.ue();
  if (chromaFormat == 3) s.separateColourPlane = r.flag();
  s.chromaArrayType = s.separateColourPlane ? 0 : int(chromaFormat);
  const std::uint32_t width = r.ue(), height = r.ue();
  if (r.flag()) {  // conformance_window_flag
    for (int i = 0; i < 4; ++i) r.ue();
  }
  r.ue();  // bit_depth_luma_minus8
  r.ue();  // bit_depth_chroma_minus8
  s.log2MaxPocLsb = int(r.ue()) + 4;
  const bool orderingInfo = r.flag();
  for (int i = orderingInfo ? 0 : maxSubLayersMinus1; i <= maxSubLayersMinus1; ++i) {
    r.ue();
    r.ue();
    r.ue();
  }
  const std::uint32_t log2MinCb = r.ue() + 3;
  const std::uint32_t log2Ctb = log2MinCb + r.ue();
  r.ue();  // log2_min_luma_transform_block_size_minus2
  r.ue();  // log2_diff_max_min_luma_transform_block_size
  r.ue();  // max_transform_hierarchy_depth_inter
  r.ue();  // max_transform_hierarchy_depth_intra
  if (r.flag() && r.flag()) skipScalingListData(r);  // scaling_list_enabled, sps_scaling_list_data_present
  r.skip(1);  // amp_enabled_flag
  s.sao = r.flag();
  if (r.flag()) {  // pcm_enabled_flag
    r.skip(8);
    r.ue();
    r.ue();
    r.skip(1);
  }
  const std::uint32_t numSets = r.ue();
  if (!r.ok()) return bad(QStringLiteral("SPS is truncated"));
  if (id > 15) return bad(QStringLiteral("SPS id %1 is out of range").arg(id));
  if (log2Ctb < 4 || log2Ctb > 6 || width == 0 || height == 0 || s.log2MaxPocLsb > 16)
    return bad(QStringLiteral("SPS %1 has out-of-range picture or block sizes").arg(id));
  if (numSets > 64) return bad(QStringLiteral("SPS %1 has %2 short-term RPS (at most 64)").arg(id).arg(numSets));
  for (std::uint32_t i = 0; i < numSets; ++i) {
    auto set = readShortTermRps(r, int(i), s.rps, int(numSets));
    if (!set) return set.status();
    s.rps.push_back(*set);
  }
  s.longTermRefPicsPresent = r.flag();
  if (s.longTermRefPicsPresent) {
    const std::uint32_t count = r.ue();
    if (count > 32) return bad(QStringLiteral("SPS %1 has %2 long-term pictures").arg(id).arg(count));
    for (std::uint32_t i = 0; i < count && r.ok(); ++i) {
      r.skip(s.log2MaxPocLsb);  // lt_ref_pic_poc_lsb_sps
      s.longTermUsedByCurrSps.push_back(r.flag());
    }
  }
  s.temporalMvp = r.flag();
  if (!r.ok()) return bad(QStringLiteral("SPS is truncated"));
  const std::uint32_t ctb = 1u << log2Ctb;
  s.picSizeInCtbs = ((width + ctb - 1) / ctb) * ((height + ctb - 1) / ctb);
  // What follows (VUI, extensions) does not shape the slice header, except the
  // screen-content extension (SCC profiles), which our encoders never write.
  sps_[id] = s;
  return Status::ok();
}

Status SliceHeaderParser::addPps(QByteArrayView nal) {
  if (nal.size() < 3) return bad(QStringLiteral("PPS of %1 bytes").arg(nal.size()));
  if ((std::uint8_t(nal[0]) & 1) || (std::uint8_t(nal[1]) >> 3)) return bad(QStringLiteral("PPS of a layer above 0 (multi-layer HEVC is not supported)"));
  RbspReader r(nal.sliced(2));
  Pps p;
  const std::uint32_t id = r.ue();
  const std::uint32_t spsId = r.ue();
  p.spsId = int(spsId);
  p.dependentSliceSegmentsEnabled = r.flag();
  p.outputFlagPresent = r.flag();
  p.numExtraSliceHeaderBits = int(r.bits(3));
  r.skip(1);  // sign_data_hiding_enabled_flag
  p.cabacInitPresent = r.flag();
  p.numRefIdxL0DefaultMinus1 = r.ue();
  p.numRefIdxL1DefaultMinus1 = r.ue();
  r.se();     // init_qp_minus26
  r.skip(1);  // constrained_intra_pred_flag
  const bool transformSkip = r.flag();
  if (r.flag()) r.ue();  // cu_qp_delta_enabled_flag → diff_cu_qp_delta_depth
  r.se();
  r.se();
  p.sliceChromaQpOffsetsPresent = r.flag();
  p.weightedPred = r.flag();
  p.weightedBipred = r.flag();
  r.skip(1);  // transquant_bypass_enabled_flag
  p.tilesEnabled = r.flag();
  p.entropyCodingSync = r.flag();
  if (p.tilesEnabled) {
    const std::uint32_t columns = r.ue(), rows = r.ue();
    if (columns > 64 || rows > 64) return bad(QStringLiteral("PPS %1 has %2 × %3 tiles").arg(id).arg(columns + 1).arg(rows + 1));
    if (!r.flag()) {  // uniform_spacing_flag
      for (std::uint32_t i = 0; i < columns + rows && r.ok(); ++i) r.ue();
    }
    r.skip(1);  // loop_filter_across_tiles_enabled_flag
  }
  p.loopFilterAcrossSlices = r.flag();
  if (r.flag()) {  // deblocking_filter_control_present_flag
    p.deblockingFilterOverrideEnabled = r.flag();
    p.deblockingFilterDisabled = r.flag();
    if (!p.deblockingFilterDisabled) {
      r.se();
      r.se();
    }
  }
  if (r.flag()) skipScalingListData(r);
  p.listsModificationPresent = r.flag();
  r.ue();  // log2_parallel_merge_level_minus2
  p.sliceHeaderExtensionPresent = r.flag();
  if (r.flag()) {  // pps_extension_present_flag
    const bool range = r.flag(), multilayer = r.flag(), threeD = r.flag(), scc = r.flag();
    r.skip(4);
    if (multilayer || threeD || scc)
      return bad(QStringLiteral("PPS %1 uses multi-layer, 3D or screen-content extensions, which are not supported").arg(id));
    if (range) {
      if (transformSkip) r.ue();
      r.skip(1);  // cross_component_prediction_enabled_flag
      p.chromaQpOffsetListEnabled = r.flag();
    }
  }
  if (!r.ok()) return bad(QStringLiteral("PPS is truncated"));
  if (id > 63 || spsId > 15) return bad(QStringLiteral("PPS id %1 or its SPS id %2 is out of range").arg(id).arg(spsId));
  if (p.numRefIdxL0DefaultMinus1 > 14 || p.numRefIdxL1DefaultMinus1 > 14)
    return bad(QStringLiteral("PPS %1 has more than 15 default reference indexes").arg(id));
  pps_[id] = p;
  return Status::ok();
}

Result<SliceHeaderSize> SliceHeaderParser::sliceHeader(QByteArrayView nal) const {
  if (nal.size() < 3) return bad(QStringLiteral("slice NAL unit of %1 bytes").arg(nal.size()));
  const int nalType = (std::uint8_t(nal[0]) >> 1) & 0x3f;
  const int layer = ((std::uint8_t(nal[0]) & 1) << 5) | (std::uint8_t(nal[1]) >> 3);
  if (!((nalType >= 0 && nalType <= 9) || (nalType >= kBlaWLp && nalType <= 21)))
    return bad(QStringLiteral("NAL unit type %1 is not a slice this parser reads").arg(nalType));
  if (layer != 0) return bad(QStringLiteral("slice of layer %1 (multi-layer HEVC is not supported)").arg(layer));
  RbspReader r(nal.sliced(2));
  const bool firstSliceSegment = r.flag();
  if (nalType >= kBlaWLp && nalType <= kRsvIrap23) r.skip(1);  // no_output_of_prior_pics_flag
  const std::uint32_t ppsId = r.ue();
  if (!r.ok()) return bad(QStringLiteral("slice header is truncated"));
  if (ppsId > 63 || !pps_[ppsId]) return bad(QStringLiteral("slice refers to PPS %1, which was never given").arg(ppsId));
  const Pps &pps = *pps_[ppsId];
  if (!sps_[std::size_t(pps.spsId)]) return bad(QStringLiteral("PPS %1 refers to SPS %2, which was never given").arg(ppsId).arg(pps.spsId));
  const Sps &sps = *sps_[std::size_t(pps.spsId)];

  bool dependent = false;
  if (!firstSliceSegment) {
    if (pps.dependentSliceSegmentsEnabled) dependent = r.flag();
    r.skip(ceilLog2(sps.picSizeInCtbs));  // slice_segment_address
  }
  if (!dependent) {
    r.skip(pps.numExtraSliceHeaderBits);
    const std::uint32_t sliceType = r.ue();  // 0 B, 1 P, 2 I
    if (sliceType > 2) return bad(QStringLiteral("slice_type %1 is out of range").arg(sliceType));
    const bool isB = sliceType == 0, isP = sliceType == 1;
    if (pps.outputFlagPresent) r.skip(1);
    if (sps.separateColourPlane) r.skip(2);
    int numPicTotalCurr = 0;
    bool sliceTemporalMvp = false;
    if (nalType != kIdrWRadl && nalType != kIdrNLp) {
      r.skip(sps.log2MaxPocLsb);
      const int numSets = int(sps.rps.size());
      if (!r.flag()) {  // short_term_ref_pic_set_sps_flag
        auto set = readShortTermRps(r, numSets, sps.rps, numSets);
        if (!set) return set.status();
        numPicTotalCurr += set->numUsedByCurr;
      } else {
        if (numSets == 0) return bad(QStringLiteral("slice uses an SPS short-term RPS but the SPS has none"));
        const std::uint32_t idx = numSets > 1 ? r.bits(ceilLog2(std::uint64_t(numSets))) : 0;
        if (idx >= std::uint32_t(numSets)) return bad(QStringLiteral("short_term_ref_pic_set_idx %1 is out of range").arg(idx));
        numPicTotalCurr += sps.rps[idx].numUsedByCurr;
      }
      if (sps.longTermRefPicsPresent) {
        const auto spsEntries = std::uint32_t(sps.longTermUsedByCurrSps.size());
        const std::uint32_t fromSps = spsEntries > 0 ? r.ue() : 0;
        const std::uint32_t inSlice = r.ue();
        if (fromSps > spsEntries || fromSps + inSlice > 32)
          return bad(QStringLiteral("slice with %1 + %2 long-term pictures").arg(fromSps).arg(inSlice));
        for (std::uint32_t i = 0; i < fromSps + inSlice && r.ok(); ++i) {
          if (i < fromSps) {
            const std::uint32_t idx = spsEntries > 1 ? r.bits(ceilLog2(spsEntries)) : 0;  // lt_idx_sps
            if (idx >= spsEntries) return bad(QStringLiteral("lt_idx_sps %1 is out of range").arg(idx));
            if (sps.longTermUsedByCurrSps[idx]) ++numPicTotalCurr;
          } else {
            r.skip(sps.log2MaxPocLsb);
            if (r.flag()) ++numPicTotalCurr;  // used_by_curr_pic_lt_flag
          }
          if (r.flag()) r.ue();  // delta_poc_msb_present_flag → delta_poc_msb_cycle_lt
        }
      }
      if (sps.temporalMvp) sliceTemporalMvp = r.flag();
    }
    bool saoLuma = false, saoChroma = false;
    if (sps.sao) {
      saoLuma = r.flag();
      if (sps.chromaArrayType != 0) saoChroma = r.flag();
    }
    if (isP || isB) {
      std::uint32_t refL0 = pps.numRefIdxL0DefaultMinus1, refL1 = pps.numRefIdxL1DefaultMinus1;
      if (r.flag()) {  // num_ref_idx_active_override_flag
        refL0 = r.ue();
        if (isB) refL1 = r.ue();
      }
      if (refL0 > 14 || refL1 > 14) return bad(QStringLiteral("slice has more than 15 active reference indexes"));
      if (pps.listsModificationPresent && numPicTotalCurr > 1) {
        const int width = ceilLog2(std::uint64_t(numPicTotalCurr));
        if (r.flag())
          for (std::uint32_t i = 0; i <= refL0; ++i) r.skip(width);
        if (isB && r.flag())
          for (std::uint32_t i = 0; i <= refL1; ++i) r.skip(width);
      }
      if (isB) r.skip(1);  // mvd_l1_zero_flag
      if (pps.cabacInitPresent) r.skip(1);
      if (sliceTemporalMvp) {
        bool fromL0 = true;
        if (isB) fromL0 = r.flag();
        if ((fromL0 && refL0 > 0) || (!fromL0 && refL1 > 0)) r.ue();  // collocated_ref_idx
      }
      if ((pps.weightedPred && isP) || (pps.weightedBipred && isB)) {
        // pred_weight_table(), §7.3.6.3. The flags are present for every reference:
        // a reference picture never shares the current picture's POC without the
        // screen-content extension.
        r.ue();
        if (sps.chromaArrayType != 0) r.se();
        for (int list = 0; list < (isB ? 2 : 1); ++list) {
          const std::uint32_t count = (list == 0 ? refL0 : refL1) + 1;
          bool luma[16] = {}, chroma[16] = {};
          for (std::uint32_t i = 0; i < count; ++i) luma[i] = r.flag();
          if (sps.chromaArrayType != 0)
            for (std::uint32_t i = 0; i < count; ++i) chroma[i] = r.flag();
          for (std::uint32_t i = 0; i < count && r.ok(); ++i) {
            if (luma[i]) {
              r.se();
              r.se();
            }
            if (chroma[i])
              for (int j = 0; j < 4; ++j) r.se();
          }
        }
      }
      r.ue();  // five_minus_max_num_merge_cand
    }
    r.se();  // slice_qp_delta
    if (pps.sliceChromaQpOffsetsPresent) {
      r.se();
      r.se();
    }
    if (pps.chromaQpOffsetListEnabled) r.skip(1);
    bool overrideDeblocking = false;
    if (pps.deblockingFilterOverrideEnabled) overrideDeblocking = r.flag();
    bool deblockingDisabled = pps.deblockingFilterDisabled;
    if (overrideDeblocking) {
      deblockingDisabled = r.flag();
      if (!deblockingDisabled) {
        r.se();
        r.se();
      }
    }
    if (pps.loopFilterAcrossSlices && (saoLuma || saoChroma || !deblockingDisabled)) r.skip(1);
  }
  if (pps.tilesEnabled || pps.entropyCodingSync) {
    const std::uint32_t entryPoints = r.ue();
    if (entryPoints > 4400) return bad(QStringLiteral("slice with %1 entry points").arg(entryPoints));
    if (entryPoints > 0) {
      const std::uint32_t lengthMinus1 = r.ue();
      if (lengthMinus1 > 31) return bad(QStringLiteral("entry point offsets of %1 bits").arg(lengthMinus1 + 1));
      for (std::uint32_t i = 0; i < entryPoints && r.ok(); ++i) r.skip(int(lengthMinus1) + 1);
    }
  }
  if (pps.sliceHeaderExtensionPresent) {
    const std::uint32_t length = r.ue();
    if (length > 256) return bad(QStringLiteral("slice header extension of %1 bytes").arg(length));
    r.skip(int(length) * 8);
  }
  // byte_alignment(): a one bit, then zero bits to the byte boundary.
  if (!r.flag() && r.ok()) return bad(QStringLiteral("slice header does not end with byte_alignment()"));
  while (r.ok() && !r.byteAligned()) r.skip(1);
  if (!r.ok()) return bad(QStringLiteral("slice header runs past the end of its NAL unit"));
  return SliceHeaderSize{r.rbspBits(), r.escapedBytes()};
}

}  // namespace rs::package::hevc
