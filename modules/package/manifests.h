#pragma once
// Manifest writers: DASH (static MPD, SegmentTemplate + SegmentTimeline with $Number$)
// and HLS (master with an audio group, media playlists with EXT-X-MAP, version 7),
// both over the same CMAF segment files. Output is deterministic byte for byte.

#include "package/presentation.h"

#include <QByteArray>

namespace rs::package {

QByteArray writeMpd(const Presentation &p);
QByteArray writeHlsMaster(const Presentation &p);
// A media playlist for one representation; URIs are relative to its playlistPath.
QByteArray writeHlsMedia(const Representation &r);

}  // namespace rs::package
