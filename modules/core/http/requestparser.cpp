#include "core/http/requestparser.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>
#include <string_view>
#include <utility>

// Event protocol, for callers:
//  - One event per feed() call. HeadComplete's `consumed` ends right after the blank
//    line; the body is never parsed in the same call, so the caller can look at head()
//    (and answer Expect: 100-continue) before any body byte is taken.
//  - A request without a body yields HeadComplete, then MessageComplete with consumed=0
//    on the next call. A Content-Length body ends the same way: its last BodyData is
//    followed by MessageComplete with consumed=0. A chunked body's MessageComplete
//    consumes the framing after the last data byte (CRLF, last-chunk, trailers).
//  - After MessageComplete nothing more is consumed until reset(); calling feed()
//    without reset() is a caller bug and reports Error (500) rather than silently
//    parsing the next pipelined request into the old head.
//  - Error is sticky and consumes nothing on later calls.

namespace rs::http {

enum class RequestParser::State {
  RequestLine = 0,  // must be 0: state_ starts zero-initialised
  HeaderLine,
  CompletePending,
  Body,
  ChunkSize,
  ChunkData,
  ChunkDataEnd,
  Trailer,
  Done,
  Failed,
};

namespace {

// RFC 9112 §2.2 only asks for "at least one"; a bound keeps a peer from parking a
// connection on an endless stream of blank lines.
constexpr int kMaxLeadingEmptyLines = 8;

constexpr std::array<bool, 256> makeTokenTable() {
  std::array<bool, 256> t{};
  for (int c = '0'; c <= '9'; ++c) t[c] = true;
  for (int c = 'a'; c <= 'z'; ++c) t[c] = true;
  for (int c = 'A'; c <= 'Z'; ++c) t[c] = true;
  for (char c : std::string_view("!#$%&'*+-.^_`|~")) t[static_cast<unsigned char>(c)] = true;
  return t;
}
constexpr std::array<bool, 256> kToken = makeTokenTable();

inline bool isToken(char c) { return kToken[static_cast<unsigned char>(c)]; }
inline bool isOws(char c) { return c == ' ' || c == '\t'; }

inline int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

inline char asciiLower(char c) { return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c; }

bool equalsIgnoreCase(QByteArrayView a, QByteArrayView b) {
  if (a.size() != b.size()) return false;
  for (qsizetype i = 0; i < a.size(); ++i) {
    if (asciiLower(a[i]) != asciiLower(b[i])) return false;
  }
  return true;
}

QByteArrayView trimOws(QByteArrayView v) {
  qsizetype b = 0;
  qsizetype e = v.size();
  while (b < e && isOws(v[b])) ++b;
  while (e > b && isOws(v[e - 1])) --e;
  return v.sliced(b, e - b);
}

// field-value = *( HTAB / SP / VCHAR / obs-text ): CR, LF, NUL and the other CTLs are
// what header-injection and smuggling payloads are made of.
bool validFieldValue(QByteArrayView v) {
  for (char ch : v) {
    const auto u = static_cast<unsigned char>(ch);
    if ((u < 0x20 && u != '\t') || u == 0x7f) return false;
  }
  return true;
}

// Calls fn(element) for each non-empty, OWS-trimmed element of a comma list
// (RFC 9110 §5.6.1 requires tolerating empty elements).
template <typename Fn>
void forEachListElement(QByteArrayView v, Fn &&fn) {
  while (!v.isEmpty()) {
    const qsizetype comma = v.indexOf(',');
    const QByteArrayView elem = trimOws(comma < 0 ? v : v.first(comma));
    if (!elem.isEmpty()) fn(elem);
    if (comma < 0) break;
    v = v.sliced(comma + 1);
  }
}

// chunk-ext = *( BWS ";" BWS name [ BWS "=" BWS ( token / quoted-string ) ] )
bool validChunkExtensions(QByteArrayView s) {
  qsizetype i = 0;
  const qsizetype n = s.size();
  auto skipBws = [&] { while (i < n && isOws(s[i])) ++i; };
  while (i < n) {
    skipBws();
    if (i >= n || s[i] != ';') return false;
    ++i;
    skipBws();
    const qsizetype nameStart = i;
    while (i < n && isToken(s[i])) ++i;
    if (i == nameStart) return false;
    skipBws();
    if (i < n && s[i] == '=') {
      ++i;
      skipBws();
      if (i < n && s[i] == '"') {
        ++i;
        bool closed = false;
        while (i < n) {
          const auto u = static_cast<unsigned char>(s[i]);
          if (u == '"') { ++i; closed = true; break; }
          if (u == '\\') {
            if (i + 1 >= n) return false;
            const auto q = static_cast<unsigned char>(s[i + 1]);
            if ((q < 0x20 && q != '\t') || q == 0x7f) return false;
            i += 2;
            continue;
          }
          if ((u < 0x20 && u != '\t') || u == 0x7f) return false;
          ++i;
        }
        if (!closed) return false;
      } else {
        const qsizetype valStart = i;
        while (i < n && isToken(s[i])) ++i;
        if (i == valStart) return false;
      }
      skipBws();
    }
  }
  return true;
}

}  // namespace

RequestParser::RequestParser(ParserLimits limits) : limits_(limits) {}

RequestHead RequestParser::takeHead() { return std::exchange(head_, RequestHead{}); }

void RequestParser::reset() {
  state_ = int(State::RequestLine);
  // Field-by-field so the header vector keeps its capacity across keep-alive requests.
  head_.method.clear();
  head_.target.clear();
  head_.versionMajor = 1;
  head_.versionMinor = 1;
  head_.headers.clear();
  head_.chunked = false;
  head_.contentLength = 0;
  head_.keepAlive = true;
  head_.expectContinue = false;
  body_ = {};
  line_.resize(0);
  headerBytes_ = 0;
  fieldCount_ = 0;
  leadingEmptyLines_ = 0;
  remaining_ = 0;
  errorStatus_ = 0;
  errorMessage_.clear();
}

RequestParser::Event RequestParser::fail(int status, QByteArray message) {
  state_ = int(State::Failed);
  errorStatus_ = status;
  errorMessage_ = std::move(message);
  body_ = {};
  return Event::Error;
}

RequestParser::Event RequestParser::feed(const char *data, qsizetype len, qsizetype *consumed) {
  body_ = {};
  if (len < 0 || (len > 0 && data == nullptr)) len = 0;
  qsizetype pos = 0;
  const Event ev = parse(data, len, pos);
  *consumed = pos;
  return ev;
}

// Finds the next CRLF-terminated line. A line wholly inside `data` is returned as a
// view into it (no copy); only a line split across feed() calls is gathered in line_.
// maxContent bounds the line without its CRLF, and is enforced while the line is still
// incomplete so a peer cannot make us buffer more than the limit.
RequestParser::LineStatus RequestParser::takeLine(const char *data, qsizetype len, qsizetype &pos,
                                                  qsizetype maxContent, QByteArrayView *line) {
  const qsizetype avail = len - pos;
  const qsizetype have = line_.size();
  // Content plus CR plus LF; `have` never exceeds maxContent + 1 (see below).
  const qsizetype window = maxContent + 2 - have;
  if (window <= 0) return LineStatus::TooLong;
  const qsizetype scan = std::min(avail, window);
  const char *start = data + pos;
  const auto *lf = scan > 0 ? static_cast<const char *>(std::memchr(start, '\n', size_t(scan)))
                            : nullptr;
  if (lf == nullptr) {
    if (avail >= window) return LineStatus::TooLong;
    line_.append(start, avail);
    pos = len;
    const qsizetype content = line_.size() - (line_.endsWith('\r') ? 1 : 0);
    return content > maxContent ? LineStatus::TooLong : LineStatus::Partial;
  }
  const qsizetype n = lf - start;
  const bool crlf = n > 0 ? start[n - 1] == '\r' : (have > 0 && line_.endsWith('\r'));
  // Length before line ending, so the verdict for an over-long line does not depend on
  // whether its LF arrived in the same feed() call (the partial path says TooLong).
  if (have + n - (crlf ? 1 : 0) > maxContent) return LineStatus::TooLong;
  if (!crlf) return LineStatus::BareLf;
  if (have == 0) {
    *line = QByteArrayView(start, n - 1);
  } else {
    line_.append(start, n);
    line_.chop(1);
    *line = QByteArrayView(line_);
  }
  pos += n + 1;
  return LineStatus::Line;
}

bool RequestParser::parseRequestLine(QByteArrayView line) {
  // Exactly: method SP request-target SP HTTP-version. Any other whitespace layout
  // is refused rather than guessed at, since guessing differently from an upstream
  // parser is the classic smuggling vector.
  const qsizetype n = line.size();
  qsizetype i = 0;
  while (i < n && isToken(line[i])) ++i;
  if (i == 0 || i >= n || line[i] != ' ') {
    fail(400, "malformed request line (method)");
    return false;
  }
  const qsizetype methodEnd = i;
  const qsizetype targetStart = ++i;
  // request-target characters are a subset of VCHAR; raw SP, CTLs and non-ASCII are
  // never valid here.
  while (i < n) {
    const auto u = static_cast<unsigned char>(line[i]);
    if (u <= 0x20 || u >= 0x7f) break;
    ++i;
  }
  const qsizetype targetEnd = i;
  if (targetEnd == targetStart) {
    fail(400, "empty request-target");
    return false;
  }
  if (i >= n || line[i] != ' ') {
    fail(400, "malformed request line (target)");
    return false;
  }
  const QByteArrayView version = line.sliced(i + 1);
  const bool shaped = version.size() == 8 && version.startsWith("HTTP/") && version[5] >= '0' &&
                      version[5] <= '9' && version[6] == '.' && version[7] >= '0' &&
                      version[7] <= '9';
  if (!shaped) {
    fail(400, "malformed HTTP version");
    return false;
  }
  const int major = version[5] - '0';
  const int minor = version[7] - '0';
  if (major != 1 || minor > 1) {
    fail(505, "HTTP version not supported");
    return false;
  }
  head_.method = QByteArray(line.data(), methodEnd);
  head_.target = QByteArray(line.data() + targetStart, targetEnd - targetStart);
  head_.versionMajor = major;
  head_.versionMinor = minor;
  return true;
}

bool RequestParser::parseField(QByteArrayView line, bool trailer) {
  if (isOws(line[0])) {
    fail(400, "obsolete line folding");
    return false;
  }
  const qsizetype n = line.size();
  qsizetype i = 0;
  while (i < n && isToken(line[i])) ++i;
  if (i == 0 || i >= n || line[i] != ':') {
    // Includes "Name : v", which RFC 9112 §5.1 requires rejecting.
    fail(400, "malformed field name");
    return false;
  }
  const QByteArrayView value = trimOws(line.sliced(i + 1));
  if (!validFieldValue(value)) {
    fail(400, "invalid character in field value");
    return false;
  }
  if (++fieldCount_ > limits_.maxHeaderCount) {
    fail(431, "too many header fields");
    return false;
  }
  // Trailers are parsed to the same rules (so they cannot smuggle) but discarded:
  // nothing downstream may let them override framing or routing fields.
  if (!trailer) head_.headers.add(QByteArray(line.data(), i), QByteArray(value.data(), value.size()));
  return true;
}

RequestParser::Event RequestParser::finishHead() {
  const bool http11 = head_.versionMinor == 1;
  int hosts = 0;
  int contentLengths = 0;
  int transferEncodings = 0;
  QByteArrayView contentLength;
  bool connClose = false;
  bool connKeepAlive = false;
  bool expect100 = false;

  for (const auto &[name, value] : head_.headers.fields()) {
    switch (name.size()) {
      case 4:
        if (equalsIgnoreCase(name, "host")) ++hosts;
        break;
      case 6:
        if (equalsIgnoreCase(name, "expect") && equalsIgnoreCase(value, "100-continue"))
          expect100 = true;
        break;
      case 10:
        if (equalsIgnoreCase(name, "connection")) {
          forEachListElement(value, [&](QByteArrayView opt) {
            if (equalsIgnoreCase(opt, "close")) connClose = true;
            else if (equalsIgnoreCase(opt, "keep-alive")) connKeepAlive = true;
          });
        }
        break;
      case 14:
        if (equalsIgnoreCase(name, "content-length")) {
          ++contentLengths;
          contentLength = value;
        }
        break;
      case 17:
        if (equalsIgnoreCase(name, "transfer-encoding")) ++transferEncodings;
        break;
      default:
        break;
    }
  }

  if (hosts > 1) return fail(400, "multiple Host fields");
  if (http11 && hosts == 0) return fail(400, "missing Host field");

  if (transferEncodings > 0) {
    // An HTTP/1.0 hop cannot have produced chunked framing; if one claims to, some
    // proxy in front may frame it differently (RFC 9112 §6.1).
    if (!http11) return fail(400, "Transfer-Encoding in an HTTP/1.0 request");
    if (contentLengths > 0) return fail(400, "both Transfer-Encoding and Content-Length");
    int codings = 0;
    int chunkedCount = 0;
    bool lastIsChunked = false;
    bool malformed = false;
    bool chunkedWithParams = false;
    for (const auto &[name, value] : head_.headers.fields()) {
      if (name.size() != 17 || !equalsIgnoreCase(name, "transfer-encoding")) continue;
      forEachListElement(value, [&](QByteArrayView coding) {
        qsizetype j = 0;
        while (j < coding.size() && isToken(coding[j])) ++j;
        const QByteArrayView codingName = coding.first(j);
        const QByteArrayView rest = trimOws(coding.sliced(j));
        if (j == 0 || (!rest.isEmpty() && rest[0] != ';')) malformed = true;
        ++codings;
        lastIsChunked = equalsIgnoreCase(codingName, "chunked");
        if (lastIsChunked) {
          ++chunkedCount;
          if (!rest.isEmpty()) chunkedWithParams = true;
        }
      });
    }
    if (malformed || codings == 0 || chunkedWithParams)
      return fail(400, "malformed Transfer-Encoding");
    if (chunkedCount > 1) return fail(400, "chunked applied more than once");
    // RFC 9112 §6.3: chunked present but not final leaves the length undeterminable.
    if (chunkedCount == 1 && !lastIsChunked) return fail(400, "chunked is not the final coding");
    if (codings > 1 || chunkedCount == 0) return fail(501, "unsupported transfer coding");
    head_.chunked = true;
  } else if (contentLengths > 0) {
    // Even identical duplicates are refused: RFC 9110 lets a recipient merge them, but
    // whoever is in front of us may not have, and that disagreement is the attack.
    if (contentLengths > 1) return fail(400, "multiple Content-Length fields");
    if (contentLength.isEmpty()) return fail(400, "invalid Content-Length");
    qint64 v = 0;
    constexpr qint64 kMax = std::numeric_limits<qint64>::max();
    for (char c : contentLength) {
      if (c < '0' || c > '9') return fail(400, "invalid Content-Length");
      const int d = c - '0';
      if (v > (kMax - d) / 10) return fail(400, "Content-Length overflows");
      v = v * 10 + d;
    }
    head_.contentLength = v;
  }

  head_.keepAlive = http11 ? !connClose : (connKeepAlive && !connClose);
  head_.expectContinue = http11 && expect100;

  if (head_.chunked) {
    state_ = int(State::ChunkSize);
  } else if (head_.contentLength > 0) {
    remaining_ = head_.contentLength;
    state_ = int(State::Body);
  } else {
    state_ = int(State::CompletePending);
  }
  return Event::HeadComplete;
}

bool RequestParser::parseChunkSize(QByteArrayView line) {
  constexpr qint64 kMaxBeforeShift = std::numeric_limits<qint64>::max() >> 4;
  qint64 size = 0;
  qsizetype i = 0;
  for (; i < line.size(); ++i) {
    const int h = hexValue(line[i]);
    if (h < 0) break;
    if (size > kMaxBeforeShift) {
      fail(400, "chunk size overflows");
      return false;
    }
    size = (size << 4) | h;
  }
  if (i == 0) {
    fail(400, "invalid chunk size");
    return false;
  }
  if (i < line.size() && !validChunkExtensions(line.sliced(i))) {
    fail(400, "invalid chunk extension");
    return false;
  }
  remaining_ = size;
  return true;
}

RequestParser::Event RequestParser::parse(const char *data, qsizetype len, qsizetype &pos) {
  for (;;) {
    switch (State(state_)) {
      case State::Failed:
        return Event::Error;

      case State::Done:
        return fail(500, "feed() after MessageComplete without reset()");

      case State::CompletePending:
        state_ = int(State::Done);
        return Event::MessageComplete;

      case State::RequestLine: {
        QByteArrayView line;
        switch (takeLine(data, len, pos, limits_.maxRequestLine, &line)) {
          case LineStatus::Partial: return Event::NeedMore;
          case LineStatus::TooLong: return fail(414, "request line too long");
          case LineStatus::BareLf: return fail(400, "line not terminated by CRLF");
          case LineStatus::Line: break;
        }
        if (line.isEmpty()) {
          line_.resize(0);
          if (++leadingEmptyLines_ > kMaxLeadingEmptyLines)
            return fail(400, "too many empty lines before the request line");
          continue;
        }
        if (!parseRequestLine(line)) return Event::Error;
        line_.resize(0);
        state_ = int(State::HeaderLine);
        continue;
      }

      case State::HeaderLine:
      case State::Trailer: {
        const bool trailer = State(state_) == State::Trailer;
        // The terminating blank line is not a field line, so it still fits when the
        // budget is exactly used up.
        const qsizetype budget = std::max<qsizetype>(0, limits_.maxHeaderBytes - headerBytes_ - 2);
        QByteArrayView line;
        switch (takeLine(data, len, pos, budget, &line)) {
          case LineStatus::Partial: return Event::NeedMore;
          case LineStatus::TooLong:
            return fail(431, trailer ? "trailer section too large" : "header section too large");
          case LineStatus::BareLf: return fail(400, "line not terminated by CRLF");
          case LineStatus::Line: break;
        }
        if (line.isEmpty()) {
          line_.resize(0);
          if (!trailer) return finishHead();
          state_ = int(State::Done);
          return Event::MessageComplete;
        }
        headerBytes_ += line.size() + 2;
        if (!parseField(line, trailer)) return Event::Error;
        line_.resize(0);
        continue;
      }

      case State::Body:
      case State::ChunkData: {
        const qsizetype avail = len - pos;
        if (avail == 0) return Event::NeedMore;
        const qsizetype n = qsizetype(std::min<qint64>(avail, remaining_));
        body_ = QByteArrayView(data + pos, n);
        pos += n;
        remaining_ -= n;
        if (remaining_ == 0) {
          state_ = int(State(state_) == State::Body ? State::CompletePending : State::ChunkDataEnd);
        }
        return Event::BodyData;
      }

      case State::ChunkSize: {
        QByteArrayView line;
        switch (takeLine(data, len, pos, limits_.maxChunkLine, &line)) {
          case LineStatus::Partial: return Event::NeedMore;
          case LineStatus::TooLong: return fail(400, "chunk size line too long");
          case LineStatus::BareLf: return fail(400, "line not terminated by CRLF");
          case LineStatus::Line: break;
        }
        if (!parseChunkSize(line)) return Event::Error;
        line_.resize(0);
        state_ = int(remaining_ == 0 ? State::Trailer : State::ChunkData);
        continue;
      }

      case State::ChunkDataEnd: {
        QByteArrayView line;
        switch (takeLine(data, len, pos, 0, &line)) {
          case LineStatus::Partial: return Event::NeedMore;
          case LineStatus::TooLong: return fail(400, "missing CRLF after chunk data");
          case LineStatus::BareLf: return fail(400, "line not terminated by CRLF");
          case LineStatus::Line: break;
        }
        line_.resize(0);
        state_ = int(State::ChunkSize);
        continue;
      }
    }
    return fail(500, "invalid parser state");
  }
}

}  // namespace rs::http
