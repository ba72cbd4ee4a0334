#pragma once
// How long a response may be served from cache, from its Cache-Control (RFC 9111 §5.2
// as a shared cache reads it): s-maxage over max-age, no-store/private → not stored,
// no-cache or no max-age → stored but stale at once (served only as STALE while the
// upstream cannot be reached).

#include <QByteArrayView>
#include <QtGlobal>

namespace rs::edge {

struct Freshness {
  bool storable = true;
  qint64 maxAgeSeconds = 0;
};

Freshness parseCacheControl(QByteArrayView cacheControl);

// The Age header's value (RFC 9111 §5.1); 0 when absent or malformed.
qint64 parseAge(QByteArrayView age);

}  // namespace rs::edge
