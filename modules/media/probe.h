#pragma once
// What a source file is, read with libavformat, and whether we accept it. Every
// rejection carries a reason a person can act on; it is stored on the title and
// returned to the uploader.

#include "core/status.h"

#include <QJsonObject>
#include <QString>
#include <cstdint>

namespace rs::media {

struct VideoInfo {
  QString codec;            // "h264", "hevc", …
  int width = 0, height = 0;    // as coded
  int displayWidth = 0, displayHeight = 0;  // after rotation
  int frameRateNum = 0, frameRateDen = 1;
  int rotation = 0;         // degrees clockwise from the display matrix: 0, 90, 180, 270
  QString pixelFormat;
  int bitDepth = 8;
  QString colorPrimaries, colorTransfer, colorSpace, colorRange;
  bool hdr = false;         // PQ or HLG transfer
  std::int64_t bitRate = 0;
};

struct AudioInfo {
  QString codec;
  int sampleRate = 0;
  int channels = 0;
  QString layout;           // "stereo", "5.1", …
  std::int64_t bitRate = 0;
};

struct MediaInfo {
  QString container;        // libavformat's name, e.g. "mov,mp4,m4a,3gp,3g2,mj2"
  double durationSeconds = 0;
  std::int64_t sizeBytes = 0;
  std::int64_t bitRate = 0;
  bool hasVideo = false, hasAudio = false;
  VideoInfo video;          // the first (default) video stream
  AudioInfo audio;          // the first audio stream
  int streamCount = 0;
};

struct ProbeOptions {
  // Demux every packet (no decoding) to find sample data cut off or unreadable
  // before the end; costs one read of the whole file.
  bool scanPackets = true;
  // Decode this many video frames to prove the stream decodes.
  int decodeFrames = 5;
  // Extra request headers for an http(s) source ("Name: value\r\n" lines): the
  // encoder's service credential.
  QByteArray httpHeaders;
};

// Errors use ErrorCode::BadRequest with messages that start with one of:
//   "not a media file", "truncated or corrupt", "no video stream", "zero duration",
//   "absurd dimensions", "unsupported"
// A source that cannot be read at all (missing file, refused connection, HTTP error)
// is not a verdict on the media: ErrorCode::NotFound / Unavailable, "cannot read …".
// `pathOrUrl` may be an http:// URL (libavformat reads it with ranges).
Result<MediaInfo> probe(const QString &pathOrUrl, const ProbeOptions &options = {});
// Checks a probed file against what the pipeline can encode (video present,
// duration > 0, 16×16 ≤ size ≤ 8192×8192, a decoder exists).
Status validateForIngest(const MediaInfo &info);
QJsonObject toJson(const MediaInfo &info);
// The inverse of toJson (an encoder gets the probe with its job and need not re-read
// the source). BadRequest when required fields are missing.
Result<MediaInfo> fromJson(const QJsonObject &json);

}  // namespace rs::media
