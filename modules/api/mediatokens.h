#pragma once
// Playback tokens as the api hands them out: one per (viewer, title), signed with the
// cluster key (core/auth/playbacktoken.h), short-lived and renewed while playing, and
// the media URLs that carry them in their path.

#include "core/http/access.h"

#include <QString>
#include <QUrl>

namespace rs::auth { class ClusterKeys; }

namespace rs::api {

struct MediaTokens {
  const auth::ClusterKeys *keys = nullptr;
  qint64 ttlSec = 300;

  struct Token {
    QString value;  // empty when this process has no cluster key
    qint64 expiresSec = 0;
  };
  // For the viewer's session (or API token) and one title.
  Token mint(const QString &title, const http::Principal &viewer) const;
};

// <base>/m/<token>/<titleId>/<asset> (or <base>/media/… without a token), each path
// segment percent-encoded.
QString mediaUrl(const QUrl &base, const QString &titleId, const QString &asset, const QString &token = {});

}  // namespace rs::api
