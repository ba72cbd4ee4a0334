#include "edge/answer.h"

#include "core/http/fileserver.h"
#include "core/http/request.h"
#include "edge/bytessource.h"

namespace rs::edge {

Ask Ask::of(const http::Request &request) {
  Ask a;
  a.range = request.header("Range");
  a.ifNoneMatch = request.header("If-None-Match");
  a.head = request.isHead();
  return a;
}

void addCors(http::Headers &h) {
  h.add("Access-Control-Allow-Origin", "*");
  h.add("Access-Control-Expose-Headers", "X-Cache, Content-Length, Content-Range");
}

http::Response errorAnswer(const Status &why, const QByteArray &xcache) {
  http::Response r = http::Response::error(why);
  addCors(r.headers);
  if (!xcache.isEmpty()) r.headers.add("X-Cache", xcache);
  return r;
}

http::Response objectAnswer(const Ask &ask, const edgecache::ObjectMeta &meta, qint64 size, BodyRef body,
                            const QByteArray &xcache, qint64 nowMs, bool cached) {
  http::Response r;
  QByteArray etag;
  for (const auto &[name, value] : meta.headers) {
    r.headers.add(name, value);
    if (QByteArrayView(name).compare("ETag", Qt::CaseInsensitive) == 0) etag = value;
  }
  r.headers.add("Age", QByteArray::number(qMax<qint64>(0, (nowMs - meta.storedMs) / 1000)));
  r.headers.add("Accept-Ranges", "bytes");
  addCors(r.headers);
  r.headers.add("X-Cache", xcache);

  if (cached && ask.range.isNull() && !ask.ifNoneMatch.isNull() && !etag.isEmpty() && http::etagMatches(ask.ifNoneMatch, etag)) {
    r.status = 304;
    return r;
  }

  qint64 offset = 0, length = size;
  if (!ask.range.isNull()) {
    const http::ByteRange range = http::parseRange(ask.range, size, /*strict*/ true);
    if (range.kind == http::ByteRange::Unsatisfiable) {
      http::Response e = errorAnswer(Status(ErrorCode::RangeNotSatisfiable,
                                            QStringLiteral("range '%1' does not fit a %2-byte object")
                                                .arg(QString::fromLatin1(ask.range.left(100)))
                                                .arg(size)),
                                     xcache);
      e.headers.add("Content-Range", "bytes */" + QByteArray::number(size));
      e.headers.add("Accept-Ranges", "bytes");
      return e;
    }
    if (range.kind == http::ByteRange::Satisfiable) {
      offset = range.first;
      length = range.length;
      r.status = 206;
      r.headers.add("Content-Range", "bytes " + QByteArray::number(offset) + '-' + QByteArray::number(offset + length - 1) +
                                         '/' + QByteArray::number(size));
    }
  }

  if (body.file) {
    r.file = http::FileBody{body.file->file, body.file->offset + offset, length};
  } else if (body.source) {
    r.source = http::SourceBody{std::move(body.source), offset, length};
  } else if (length <= kInlineBodyBytes) {
    r.body = offset == 0 && length == body.bytes.size() ? body.bytes : body.bytes.mid(offset, length);
  } else {
    r.source = http::SourceBody{std::make_shared<BytesSource>(std::move(body.bytes)), offset, length};
  }
  return r;
}

}  // namespace rs::edge
