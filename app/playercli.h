#pragma once
// What `platform simulate` and `platform play` share: which credential goes where,
// asking the api about a title, and writing a report.

#include "core/status.h"
#include "player/net/tokenrenewer.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>
#include <QUrl>
#include <vector>

namespace rs::app {

// "Bearer <token>" from --token, else $REELSTACK_TOKEN; empty when neither is set.
QByteArray bearerFrom(const QString &tokenOption);

// What a media URL given on the command line is fetched with: nothing when its path
// carries a playback token (edges refuse account credentials, and an API token must
// not travel to them), else the explicit --token/$REELSTACK_TOKEN (a service token
// from `platform service-token`, say).
QByteArray mediaAuthorization(const QUrl &url, const QString &tokenOption);

// What to pass when an api or a media server refused us (401/403), for `command`.
QString credentialHint(ErrorCode code, bool api, const char *command);

// GET <api>/api/v1/titles/<id>: the title's DASH manifest URL (blocking); for a ready
// title it carries the caller's playback token in its path.
Result<QUrl> titleManifest(const QUrl &api, const QString &titleId, const QByteArray &authorization);

// POST <api>/api/v1/titles/<id>/playback: the steered sources' DASH (or HLS) manifest
// URLs in the order the api gives them, the origin last, and the playback token they
// carry (blocking). Refusals come back as Unauthorized/Forbidden.
struct Playback {
  std::vector<QUrl> sources;
  std::optional<player::PlaybackToken> token;
};
Result<Playback> playbackSources(const QUrl &api, const QString &titleId, const QByteArray &authorization, bool hls);

// Writes `json` to FILE, or to stdout for "-".
Status writeJson(const QString &file, const QJsonObject &json);

// An http(s) URL with a host, or an error naming `what` ("--api", "the manifest URL").
Result<QUrl> httpUrlOption(const QString &value, const char *option);

}  // namespace rs::app
