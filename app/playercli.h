#pragma once
// What `platform simulate` and `platform play` share: the credentials every request
// carries, asking the api about a title, and writing a report.

#include "core/status.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>
#include <QUrl>
#include <vector>

namespace rs::app {

// "Bearer <token>" from --token, else $REELSTACK_TOKEN; empty when neither is set.
QByteArray bearerFrom(const QString &tokenOption);

// GET <api>/api/v1/titles/<id>: the title's DASH manifest URL (blocking).
Result<QUrl> titleManifest(const QUrl &api, const QString &titleId, const QByteArray &authorization);

// POST <api>/api/v1/titles/<id>/playback: the steered sources' DASH (or HLS) manifest
// URLs in the order the api gives them, the origin last (blocking).
Result<std::vector<QUrl>> playbackSources(const QUrl &api, const QString &titleId, const QByteArray &authorization,
                                          bool hls);

// Writes `json` to FILE, or to stdout for "-".
Status writeJson(const QString &file, const QJsonObject &json);

// An http(s) URL with a host, or an error naming `what` ("--api", "the manifest URL").
Result<QUrl> httpUrlOption(const QString &value, const char *option);

}  // namespace rs::app
