#pragma once
// Playback tokens in media URLs (docs/security.md, "Signed media URLs"): the playback
// API hands out source URLs with a token in the path
// (http://edge/m/<p1.…>/<titleId>/manifest.mpd), so the relative segment URLs of the
// manifests inherit it; tokens expire in minutes and the player renews them. The engine
// treats URLs as opaque; these functions are the one place that knows where a token
// sits, so a renewal only has to swap it at send time (the transports' UrlRewriter).

#include <QString>
#include <QUrl>

namespace rs::player {

// `url` with its path token (if it has one) replaced by `token`.
QUrl withPlaybackToken(const QUrl &url, const QString &token);

// The token in `url`'s path, or empty. Only a "p1." value right after an "m" path
// segment counts, so a title or directory that happens to be called "m" is left alone.
QString playbackTokenOf(const QUrl &url);

// `url` as text for logs, errors and reports: a path token shows as "-" (as the
// access log writes it), since whoever holds one may play the title until it expires.
QString displayUrl(const QUrl &url);

}  // namespace rs::player
