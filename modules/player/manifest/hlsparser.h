#pragma once
// Reads HLS (RFC 8216) for on-demand playback: a multivariant playlist becomes a
// Presentation whose tracks are not loaded yet (their media playlists are fetched
// when needed), and a media playlist fills one track's init segment and segments.
// Live playlists (no EXT-X-ENDLIST) and byte ranges are refused with a clear error.

#include "core/status.h"
#include "player/manifest/presentation.h"

#include <QByteArray>

namespace rs::player {

// A multivariant playlist, or a media playlist (then one loaded video track).
Result<Presentation> parseHlsMultivariant(const QByteArray &text, const QUrl &url);

// Fills `track` (its segments, init segment and base) from its media playlist.
Status parseHlsMedia(const QByteArray &text, const QUrl &url, Track *track);

// True when the text looks like an HLS playlist rather than an MPD.
bool looksLikeHls(const QByteArray &text);

}  // namespace rs::player
