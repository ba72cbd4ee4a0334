#pragma once
// The origin role (the L4 tier): serves packaged media from <data-dir>/media at
// /media/{titleId}/..., with the caching and CORS headers players and edges need.

#include "core/roles/roles.h"

namespace rs::origin {
std::unique_ptr<roles::Role> createOriginRole();
// Cache-Control by file kind: manifests change, segments never do once published.
QByteArray cacheControlFor(QStringView relativePath);
}
