#pragma once
// ISO/IEC 23001-7 Common Encryption of one CMAF track, as a SegmentHandler:
//   init     the sample entry becomes encv/enca with sinf (frma, schm 1.0, schi/tenc:
//            version 0 and 8-byte IVs for 'cenc'; version 1 with the pattern and a
//            constant 16-byte IV for 'cbcs'); a W3C common pssh (version 1, the
//            title's KIDs, no data) is appended to moov.
//   segment  every sample is encrypted in place (H.264/HEVC by subsamples, AAC whole),
//            and traf gains saiz, saio and senc (senc last; flag 0x2 with subsamples).
//            saio points at senc's first entry, counted from the start of moof; the
//            trun data offsets move by what moof grew. mdat keeps its size.
// 'cenc' IVs count up by one per sample from the given IV, across segments, so no two
// samples of a key share a counter block. 'cbcs' audio has no sample auxiliary
// information at all, so it gets an senc of empty entries and no saiz/saio (as
// Shaka Packager writes it; 23001-7 says such information "should be omitted").
// VP9, AV1 and any other codec are refused with an error that says so.

#include "package/fragments.h"
#include "package/protection.h"
#include "package/samplecipher.h"
#include "package/segmenthandler.h"
#include "package/subsamples.h"

#include <memory>
#include <optional>

namespace rs::package {

struct CencTrackParams {
  Scheme scheme = Scheme::Cenc;
  Bytes16 kid{};
  ContentKey key;
  // 'cenc': the first sample's IV is iv[0..8), each next sample's one more (big-endian).
  // 'cbcs': the constant IV of every sample.
  Bytes16 iv{};
  std::vector<Bytes16> psshKids;  // the title's KIDs for the pssh; {kid} when empty
};

class CencEncryptor final : public SegmentHandler {
 public:
  explicit CencEncryptor(CencTrackParams params);
  ~CencEncryptor() override;

  Result<QByteArray> init(QByteArray initSegment) override;
  Result<QByteArray> segment(QByteArray mediaSegment, std::uint64_t number) override;

 private:
  Result<QByteArray> nextIv();

  CencTrackParams p_;
  std::optional<TrackHeader> track_;
  std::unique_ptr<SubsampleGenerator> subsamples_;  // null for audio: whole samples
  SampleCipher cipher_;
  QByteArray constantIv_;  // 'cbcs': p_.iv as bytes, for every sample
  std::uint64_t nextIv_ = 0;
  std::uint64_t ivsUsed_ = 0;
};

// What a protected init segment says about its protection (for the decryptor, the
// tests and anyone checking our output).
struct ProtectedTrack {
  TrackHeader track;
  mp4::FourCC originalFormat = 0;
  cenc::Sinf sinf;
  std::vector<cenc::Pssh> pssh;
};
Result<ProtectedTrack> readProtectedInit(QByteArrayView initSegment);

}  // namespace rs::package
