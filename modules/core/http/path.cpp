#include "core/http/path.h"

namespace rs::http {

namespace {

Status badRequest(const char *why) {
  return Status(ErrorCode::BadRequest, QString::fromLatin1(why));
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Strict UTF-8: overlong forms and surrogates are refused because they are how "/"
// and "." have historically been smuggled past filters that check bytes, not
// characters.
bool isValidUtf8(QByteArrayView s) {
  const qsizetype n = s.size();
  qsizetype i = 0;
  while (i < n) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    int len;
    char32_t cp;
    char32_t min;
    if ((c & 0xE0) == 0xC0) {
      len = 2; cp = c & 0x1F; min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3; cp = c & 0x0F; min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4; cp = c & 0x07; min = 0x10000;
    } else {
      return false;
    }
    if (i + len > n) return false;
    for (int k = 1; k < len; ++k) {
      const auto b = static_cast<unsigned char>(s[i + k]);
      if ((b & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (b & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += len;
  }
  return true;
}

}  // namespace

Result<Target> parseTarget(QByteArrayView rawTarget) {
  if (rawTarget.isEmpty() || rawTarget[0] != '/')
    return badRequest("request-target is not in origin-form");
  if (rawTarget.contains('#')) return badRequest("fragment in request-target");

  const qsizetype q = rawTarget.indexOf('?');
  const QByteArrayView rawPath = q < 0 ? rawTarget : rawTarget.first(q);
  const QByteArrayView rawQuery = q < 0 ? QByteArrayView() : rawTarget.sliced(q + 1);
  for (char c : rawQuery) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f) return badRequest("invalid character in query");
  }

  // Decode exactly once; anything decoded is data from here on, never re-decoded,
  // so "%252e" stays the literal "%2e".
  QByteArray decoded;
  decoded.reserve(rawPath.size());
  for (qsizetype i = 0; i < rawPath.size(); ++i) {
    char c = rawPath[i];
    if (c == '%') {
      if (i + 2 >= rawPath.size()) return badRequest("truncated percent-escape");
      const int hi = hexValue(rawPath[i + 1]);
      const int lo = hexValue(rawPath[i + 2]);
      if (hi < 0 || lo < 0) return badRequest("invalid percent-escape");
      c = char((hi << 4) | lo);
      i += 2;
    }
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return badRequest("control character in path");
    // Windows-style separators would let "..\\" slip past the segment logic below on
    // any backend that treats '\\' as a separator.
    if (c == '\\') return badRequest("backslash in path");
    decoded.append(c);
  }
  if (!isValidUtf8(decoded)) return badRequest("path is not valid UTF-8");

  // RFC 3986 §5.2.4 on the decoded path, plus collapsing empty segments. `out` always
  // ends in '/' while building, which makes ".." a truncation to the previous '/'.
  QByteArray out;
  out.reserve(decoded.size() + 1);
  out.append('/');
  bool endsAsDirectory = true;
  qsizetype pos = 1;  // decoded[0] is the leading '/'
  while (pos <= decoded.size()) {
    qsizetype slash = decoded.indexOf('/', pos);
    if (slash < 0) slash = decoded.size();
    const QByteArrayView seg = QByteArrayView(decoded).sliced(pos, slash - pos);
    if (seg.isEmpty() || seg == ".") {
      endsAsDirectory = true;
    } else if (seg == "..") {
      if (out.size() == 1) return badRequest("path escapes the root");
      const qsizetype prev = out.lastIndexOf('/', out.size() - 2);
      out.truncate(prev + 1);
      endsAsDirectory = true;
    } else {
      out.append(seg.data(), seg.size());
      out.append('/');
      endsAsDirectory = false;
    }
    pos = slash + 1;
  }
  if (!endsAsDirectory && out.size() > 1) out.chop(1);

  return Target{QString::fromUtf8(out), QByteArray(rawQuery.data(), rawQuery.size())};
}

}  // namespace rs::http
