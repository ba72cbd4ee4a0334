#pragma once
// What an HLS playlist names (RFC 8216): URI lines (variant and media playlists,
// segments) and URI="…" attributes (EXT-X-MAP init segments, EXT-X-MEDIA renditions,
// I-frame playlists), resolved against the playlist's own path. Only objects on the
// same server under /media/ are returned: prefetch warms this edge, not the internet.

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace rs::edge {

struct PlaylistRefs {
  QStringList playlists;  // further .m3u8 to expand
  QStringList objects;    // everything else (init, segments)
};

PlaylistRefs playlistRefs(const QByteArray &text, const QString &playlistKey);

}  // namespace rs::edge
