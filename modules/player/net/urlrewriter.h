#pragma once
// Playback tokens in media URLs (identity, issue 9): the playback API will hand out
// source URLs with a token in the path (http://edge/m/<token>/<titleId>/manifest.mpd),
// so relative segment URLs inherit it; tokens expire in minutes and a playback
// heartbeat renews them. The engine treats URLs as opaque; this small function is the
// one place that knows where a token sits, so renewal only has to swap it here.
//
// SEAM(identity): the path shape "/m/<token>/" is the announced one, not yet merged;
// adjust tokenPattern() when the real format lands.

#include <QString>
#include <QUrl>

namespace rs::player {

// `url` with its path token (if it has one) replaced by `token`.
QUrl withPlaybackToken(const QUrl &url, const QString &token);

// The token in `url`'s path, or empty.
QString playbackTokenOf(const QUrl &url);

}  // namespace rs::player
