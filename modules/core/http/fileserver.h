#pragma once
// Serving files from one directory: the file can never be outside it (symlinks
// included, enforced by the kernel with openat2 RESOLVE_BENEATH), with single-range
// requests, ETag/Last-Modified validators and zero-copy bodies.

#include "core/http/request.h"
#include "core/http/response.h"

#include <QString>
#include <functional>

namespace rs::http {

class FileRoot {
 public:
  explicit FileRoot(const QString &directory);
  ~FileRoot();
  FileRoot(const FileRoot &) = delete;
  FileRoot &operator=(const FileRoot &) = delete;

  bool isValid() const { return dirFd_ >= 0; }
  const QString &directory() const { return directory_; }

  // relativePath is the decoded path below the root ("title/manifest.mpd").
  Response serve(const Request &request, const QString &relativePath) const;

  // Optional hook to add headers (Cache-Control, CORS...) by path.
  std::function<void(const QString &relativePath, Headers &)> decorate;

 private:
  int openBeneath(const QByteArray &relative) const;
  QString directory_;
  int dirFd_ = -1;
};

QByteArray contentTypeFor(QStringView path);

// Range handling on its own so it can be tested without files.
struct ByteRange {
  enum Kind { None, Satisfiable, Unsatisfiable } kind = None;
  qint64 first = 0;
  qint64 length = 0;
};
// RFC 9110 §14: a single "bytes=" range is honoured; multiple ranges and malformed
// headers are ignored (full 200 response), a range starting past the end is 416.
// `strict` (the edge, like nginx): a malformed "bytes=" range (bytes=abc, bytes=5-2)
// is 416 too, so a client bug shows instead of silently costing a whole object.
ByteRange parseRange(QByteArrayView header, qint64 size, bool strict = false);

// RFC 9110 §13.1.2: weak comparison, "*" matches any current representation.
bool etagMatches(QByteArrayView ifNoneMatch, QByteArrayView etag);
// IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"); httpDate caches per thread.
QByteArray formatHttpDate(qint64 secondsSinceEpoch);
QByteArray httpDate(qint64 secondsSinceEpoch);
// Returns -1 when the date cannot be parsed (the header is then ignored).
qint64 parseHttpDate(QByteArrayView date);

}  // namespace rs::http
