#pragma once
// Fragmented MP4 (one track, as FFmpeg's mp4 muxer writes it with custom
// fragmentation) → CMAF: one init segment (ftyp+moov) and one media segment per
// moof+mdat pair, plus what the manifests need (timescale, durations, sizes, codec
// string). Reads boxes itself; no FFmpeg.

#include "core/status.h"
#include "package/presentation.h"
#include "package/segmenthandler.h"

#include <QByteArray>
#include <QString>
#include <cstdint>
#include <vector>

namespace rs::package {

struct SegmentInfo {
  std::uint64_t number = 0;         // from Representation::startNumber
  std::uint64_t baseDecodeTime = 0; // tfdt
  std::uint64_t duration = 0;       // sum of trun sample durations (timescale units)
  std::uint64_t sampleCount = 0;
  std::int64_t bytes = 0;           // of seg-<n>.m4s (moof + mdat)
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

// Splits `fragmentedMp4` into `outDir/init.mp4` and `outDir/seg-<n>.m4s` (n from 1),
// creating outDir. The whole input is checked before anything is written, so a bad
// input leaves nothing behind; each file is written under a hidden temporary name
// (".seg-1.m4s.part") and renamed.
// Errors: BadRequest naming the box and byte offset that is wrong, IoError for files.
// sidx, styp, mfra, free and unknown top-level boxes are skipped.
Result<TrackSummary> splitFragmentedMp4(const QString &fragmentedMp4, const QString &outDir);

// One place the split track is written, through `handler` (an encryptor) or, when it
// is null, as it is.
struct SplitOutput {
  QString dir;
  SegmentHandler *handler = nullptr;
};
// The input is checked once and written to every output in turn; the summaries (one
// per output, in order) differ only in their byte counts. A failure in any output
// removes what every output wrote.
Result<std::vector<TrackSummary>> splitFragmentedMp4(const QString &fragmentedMp4, const std::vector<SplitOutput> &outputs);

// RFC 6381 codec string of an init segment (ftyp + moov: its first sample entry) or of
// a lone sample entry box (avc1, hvc1, vp09, av01, mp4a, Opus, ...). Empty when the
// input is malformed or the codec unknown.
QString codecStringFromInit(const QByteArray &initSegment);

// A Representation for the split track under `dir` (relative to the title root, e.g.
// "video/720p"): codecs, size or audio format, timeline, bandwidths, file paths.
// bandwidth is the peak segment bit rate as RFC 8216 §4.3.4.2 defines it (over runs of
// segments lasting 0.5–1.5 target durations, so a short last segment cannot inflate it).
// frameRate stays empty: the fMP4 does not carry it reliably; the caller knows it.
Representation representationFrom(const TrackSummary &t, const QString &id, const QString &dir);

}  // namespace rs::package
