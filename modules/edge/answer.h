#pragma once
// Turns a cached or arriving object into the HTTP answer the contract describes: the
// upstream's headers plus Age, Accept-Ranges, CORS and X-Cache; strict single ranges
// (206, or 416 with Content-Range: bytes */LEN); If-None-Match on cached copies; and a
// body that is never copied per request when it is large.

#include "core/http/response.h"
#include "core/status.h"
#include "edgecache/cachedobject.h"

#include <optional>

namespace rs::http { struct Request; }

namespace rs::edge {

// What an answer needs of the request, kept past the handler (answers to misses are
// built on the fetcher thread).
struct Ask {
  QByteArray range;        // null: no Range header
  QByteArray ifNoneMatch;
  bool head = false;
  static Ask of(const http::Request &request);
};

// Where the body comes from; exactly one is set.
struct BodyRef {
  QByteArray bytes;                          // complete, in memory
  std::optional<http::FileBody> file;        // complete, on disk (the whole object)
  std::shared_ptr<http::BodySource> source;  // still arriving
};

http::Response objectAnswer(const Ask &ask, const edgecache::ObjectMeta &meta, qint64 size, BodyRef body,
                            const QByteArray &xcache, qint64 nowMs, bool cached);
http::Response errorAnswer(const Status &why, const QByteArray &xcache);
// The CORS headers every /media answer carries.
void addCors(http::Headers &headers);

// Memory bodies up to this size go out as ordinary bytes; larger ones are sent
// straight from the cached buffer.
inline constexpr qint64 kInlineBodyBytes = 16 * 1024;

}  // namespace rs::edge
