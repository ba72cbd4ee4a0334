#include "core/http/fileserver.h"

#include <QDir>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <ctime>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace rs::http {

FileRoot::FileRoot(const QString &directory) : directory_(QDir(directory).absolutePath()) {
  dirFd_ = ::open(QFile::encodeName(directory_).constData(), O_PATH | O_DIRECTORY | O_CLOEXEC);
}

FileRoot::~FileRoot() {
  if (dirFd_ >= 0) ::close(dirFd_);
}

int FileRoot::openBeneath(const QByteArray &relative) const {
  open_how how{};
  // O_NONBLOCK: opening a FIFO must not park the worker thread until a writer comes;
  // it changes nothing for regular files, and anything else is refused after fstat.
  how.flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
  // The kernel refuses any resolution that leaves the root, through "..", an
  // absolute symlink or a symlink pointing outside: no check-then-open race.
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  for (;;) {
    const long fd = ::syscall(SYS_openat2, dirFd_, relative.constData(), &how, sizeof how);
    if (fd >= 0 || (errno != EINTR && errno != ENOSYS)) return int(fd);
    if (errno == ENOSYS) break;
  }
  // Kernels before 5.6 (and valgrind) lack openat2: resolve every symlink ourselves,
  // check the result is still below the root, then open without following links.
  char resolved[PATH_MAX];
  const QByteArray full = QFile::encodeName(directory_) + '/' + relative;
  if (!::realpath(full.constData(), resolved)) return -1;
  char rootResolved[PATH_MAX];
  if (!::realpath(QFile::encodeName(directory_).constData(), rootResolved)) return -1;
  const QByteArray r(resolved), root = QByteArray(rootResolved) + '/';
  if (!r.startsWith(root)) {
    errno = EXDEV;
    return -1;
  }
  return ::open(resolved, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW | O_NONBLOCK);
}

QByteArray contentTypeFor(QStringView path) {
  const auto dot = path.lastIndexOf(QLatin1Char('.'));
  if (dot < 0 || path.size() - dot > 6) return "application/octet-stream";
  const QString ext = path.mid(dot + 1).toString().toLower();
  static const QHash<QString, QByteArray> types{
      {QStringLiteral("mpd"), "application/dash+xml"},
      {QStringLiteral("m3u8"), "application/vnd.apple.mpegurl"},
      {QStringLiteral("mp4"), "video/mp4"},
      // CMAF segments are ISO BMFF like .mp4; players and the DASH/HLS specs expect video/mp4.
      {QStringLiteral("m4s"), "video/mp4"},
      {QStringLiteral("m4a"), "audio/mp4"},
      {QStringLiteral("ts"), "video/mp2t"},
      {QStringLiteral("vtt"), "text/vtt; charset=utf-8"},
      {QStringLiteral("jpg"), "image/jpeg"},
      {QStringLiteral("jpeg"), "image/jpeg"},
      {QStringLiteral("png"), "image/png"},
      {QStringLiteral("svg"), "image/svg+xml"},
      {QStringLiteral("html"), "text/html; charset=utf-8"},
      {QStringLiteral("js"), "text/javascript; charset=utf-8"},
      {QStringLiteral("css"), "text/css; charset=utf-8"},
      {QStringLiteral("json"), "application/json"},
      {QStringLiteral("txt"), "text/plain; charset=utf-8"},
  };
  return types.value(ext, "application/octet-stream");
}

ByteRange parseRange(QByteArrayView h, qint64 size, bool strict) {
  if (!h.startsWith("bytes=")) return {};  // includes "bytes =0-9": not our syntax
  const QByteArrayView spec = h.sliced(6);
  if (spec.contains(',')) return {};  // multiple ranges: we may ignore and send 200
  const ByteRange none = strict ? ByteRange{ByteRange::Unsatisfiable, 0, 0} : ByteRange{};
  const auto dash = spec.indexOf('-');
  if (dash < 0) return none;
  const QByteArrayView a = spec.first(dash), b = spec.sliced(dash + 1);
  auto digits = [](QByteArrayView s, qint64 *out) {
    if (s.isEmpty() || s.size() > 18) return false;
    qint64 v = 0;
    for (char c : s) {
      if (c < '0' || c > '9') return false;
      v = v * 10 + (c - '0');
    }
    *out = v;
    return true;
  };
  ByteRange r;
  if (a.isEmpty()) {  // suffix: last N bytes
    qint64 n = 0;
    if (!digits(b, &n)) return none;
    if (n == 0 || size == 0) return {ByteRange::Unsatisfiable, 0, 0};
    n = qMin(n, size);
    return {ByteRange::Satisfiable, size - n, n};
  }
  qint64 first = 0, last = 0;
  if (!digits(a, &first)) return none;
  if (b.isEmpty()) {
    last = size - 1;
  } else {
    if (!digits(b, &last)) return none;
    if (last < first) return none;  // invalid range-spec: the header is ignored
  }
  if (first >= size) return {ByteRange::Unsatisfiable, 0, 0};
  last = qMin(last, size - 1);
  r = {ByteRange::Satisfiable, first, last - first + 1};
  return r;
}

bool etagMatches(QByteArrayView inm, QByteArrayView etag) {
  auto opaque = [](QByteArrayView t) { return t.startsWith("W/") ? t.sliced(2) : t; };
  const QByteArrayView mine = opaque(etag);
  for (QByteArrayView part : QByteArrayView(inm).toByteArray().split(',')) {
    const QByteArrayView t = part.trimmed();
    if (t == "*" || (!t.isEmpty() && opaque(t) == mine)) return true;
  }
  return false;
}

QByteArray formatHttpDate(qint64 secs) {
  const time_t t = time_t(secs);
  tm parts;
  gmtime_r(&t, &parts);
  char buf[64];
  const size_t n = strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &parts);
  return QByteArray(buf, qsizetype(n));
}

QByteArray httpDate(qint64 secs) {
  // Files are served far more often than they change: remember the last one per thread.
  thread_local qint64 lastSecs = -1;
  thread_local QByteArray last;
  if (secs != lastSecs) {
    lastSecs = secs;
    last = formatHttpDate(secs);
  }
  return last;
}

qint64 parseHttpDate(QByteArrayView date) {
  tm parts{};
  const QByteArray s = date.toByteArray();
  const char *end = strptime(s.constData(), "%a, %d %b %Y %H:%M:%S GMT", &parts);
  if (!end || *end != '\0') return -1;
  return qint64(timegm(&parts));
}

Response FileRoot::serve(const Request &request, const QString &relativePath) const {
  if (dirFd_ < 0) return Response::error(ErrorCode::Unavailable, QStringLiteral("media root is not available"));
  QString rel = relativePath;
  while (rel.startsWith(QLatin1Char('/'))) rel.remove(0, 1);
  if (rel.isEmpty() || rel.endsWith(QLatin1Char('/')))
    return Response::error(ErrorCode::NotFound, QStringLiteral("not a file"));

  const int fd = openBeneath(QFile::encodeName(rel));
  if (fd < 0) {
    if (errno == EXDEV || errno == ELOOP)
      return Response::error(ErrorCode::NotFound, QStringLiteral("no such file"));  // escaped the root: say nothing more
    if (errno == EACCES) return Response::error(ErrorCode::Forbidden, QStringLiteral("permission denied"));
    return Response::error(ErrorCode::NotFound, QStringLiteral("no such file"));
  }
  auto handle = std::make_shared<FileHandle>(fd);
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
    return Response::error(ErrorCode::NotFound, QStringLiteral("not a file"));

  const qint64 size = st.st_size;
  const qint64 mtimeNs = qint64(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
  const QByteArray etag = '"' + QByteArray::number(size, 16) + '-' + QByteArray::number(mtimeNs, 16) + '"';
  const QByteArray lastModified = httpDate(st.st_mtim.tv_sec);

  Response r;
  r.headers.add(QByteArrayLiteral("Content-Type"), contentTypeFor(rel));
  r.headers.add(QByteArrayLiteral("ETag"), etag);
  r.headers.add(QByteArrayLiteral("Last-Modified"), lastModified);
  r.headers.add(QByteArrayLiteral("Accept-Ranges"), QByteArrayLiteral("bytes"));
  if (decorate) decorate(rel, r.headers);

  // Conditional GET: If-None-Match wins over If-Modified-Since (RFC 9110 §13.2.2).
  const QByteArray inm = request.header("if-none-match");
  bool notModified = false;
  if (!inm.isNull()) {
    notModified = etagMatches(inm, etag);
  } else if (const QByteArray ims = request.header("if-modified-since"); !ims.isNull()) {
    const qint64 since = parseHttpDate(ims);
    notModified = since >= 0 && st.st_mtim.tv_sec <= since;
  }
  if (notModified) {
    r.status = 304;
    return r;
  }

  qint64 offset = 0, length = size;
  const QByteArray rangeHeader = request.header("range");
  if (!rangeHeader.isNull() && request.head.method == "GET") {
    bool useRange = true;
    if (const QByteArray ifRange = request.header("if-range"); !ifRange.isNull()) {
      // Only a strong validator match keeps the range; otherwise send it all.
      useRange = ifRange.startsWith('"') ? ifRange == etag : ifRange == lastModified;
    }
    const ByteRange range = useRange ? parseRange(rangeHeader, size) : ByteRange{};
    if (range.kind == ByteRange::Unsatisfiable) {
      Response e = Response::error(ErrorCode::RangeNotSatisfiable,
                                   QStringLiteral("range %1 outside a %2-byte file").arg(QString::fromLatin1(rangeHeader)).arg(size));
      e.headers.add("Content-Range", "bytes */" + QByteArray::number(size));
      return e;
    }
    if (range.kind == ByteRange::Satisfiable) {
      offset = range.first;
      length = range.length;
      r.status = 206;
      r.headers.add("Content-Range", "bytes " + QByteArray::number(offset) + '-' +
                                         QByteArray::number(offset + length - 1) + '/' + QByteArray::number(size));
    }
  }
  r.file = FileBody{std::move(handle), offset, length};
  return r;
}

}  // namespace rs::http
