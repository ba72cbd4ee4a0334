#pragma once
// Fragmented MP4 (one track, as FFmpeg's mp4 muxer writes it with custom
// fragmentation) → CMAF: one init segment (ftyp+moov) and one media segment per
// moof+mdat pair, plus what the manifests need (timescale, durations, sizes, codec
// string). Reads boxes itself; no FFmpeg.

#include "core/status.h"
#include "package/presentation.h"

#include <QByteArray>
#include <QString>
#include <cstdint>
#include <vector>

namespace rs::package {

struct SegmentInfo {
  std::uint64_t number = 0;         // from Representation::startNumber
  std::uint64_t baseDecodeTime = 0; // tfdt
  std::uint64_t duration = 0;       // sum of trun sample durations (timescale units)
  std::int64_t bytes = 0;
  bool startsWithSyncSample = false;
};

struct TrackSummary {
  bool isVideo = true;
  std::uint32_t timescale = 0;
  QString codecs;                   // RFC 6381, from the sample entry (avcC/hvcC/vpcC/av1C/esds)
  int width = 0, height = 0;        // from the sample entry / tkhd
  int sampleRate = 0, channels = 0;
  std::vector<SegmentInfo> segments;
  std::int64_t initBytes = 0;
};

// Splits `fragmentedMp4` into `outDir/init.mp4` and `outDir/seg-<n>.m4s` (n from 1).
// Errors (ErrorCode::BadRequest) name the box and offset that is wrong.
Result<TrackSummary> splitFragmentedMp4(const QString &fragmentedMp4, const QString &outDir);

// RFC 6381 codec string from a sample entry box payload (type + its children).
QString codecStringFromInit(const QByteArray &initSegment);

// Fills bandwidth/averageBandwidth/segmentDurations/etc. of a Representation.
Representation representationFrom(const TrackSummary &t, const QString &id, const QString &dir);

}  // namespace rs::package
