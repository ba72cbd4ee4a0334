// libFuzzer entry point for RequestParser and parseTarget.
//
// Input layout: byte 0 picks the split point (low 7 bits) and whether to use tiny limits
// (high bit, so the 414/431/chunk-line paths are reachable with short inputs); the rest
// is the byte stream a client sent. The stream is parsed in one piece, in two pieces
// split there, and one byte at a time (which reaches every partial-line boundary); all
// runs must agree, because a parser whose verdict depends on TCP segmentation is a
// smuggling bug waiting to happen.

#include "core/http/path.h"
#include "core/http/requestparser.h"

#include <QByteArray>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

using rs::http::ParserLimits;
using rs::http::RequestParser;
using Event = RequestParser::Event;

namespace {

[[noreturn]] void violated(const char *what) {
  std::fprintf(stderr, "invariant violated: %s\n", what);
  std::abort();
}

#define CHECK(cond)                 \
  do {                              \
    if (!(cond)) violated(#cond);   \
  } while (0)

struct MessageSummary {
  QByteArray method;
  QByteArray target;
  int versionMinor = 0;
  bool chunked = false;
  qint64 contentLength = 0;
  bool keepAlive = false;
  qsizetype fields = 0;
  QByteArray body;
  qsizetype bytes = 0;
  bool complete = false;

  bool operator==(const MessageSummary &) const = default;
};

struct RunSummary {
  std::vector<MessageSummary> messages;  // including the unfinished last one, if any
  int errorStatus = 0;

  bool operator==(const RunSummary &) const = default;
};

void checkTarget(const QByteArray &target) {
  const auto t = rs::http::parseTarget(target);
  if (!t.isOk()) {
    CHECK(t.status().code() == rs::ErrorCode::BadRequest);
    return;
  }
  const QString &p = t.value().path;
  CHECK(p.startsWith(QLatin1Char('/')));
  CHECK(!p.contains(QLatin1String("//")));
  CHECK(!p.contains(QLatin1String("/../")) && !p.endsWith(QLatin1String("/..")));
  CHECK(!p.contains(QLatin1String("/./")) && !p.endsWith(QLatin1String("/.")));
  CHECK(!p.contains(QLatin1Char('\\')));
  CHECK(!p.contains(QChar(0)));
  // Normalizing is idempotent once re-encoded: a decoded path that still has '%' in it
  // must not be decoded again by anyone, so only check paths without it.
  if (!p.contains(QLatin1Char('%')) && !p.contains(QLatin1Char('?')) &&
      !p.contains(QLatin1Char('#'))) {
    const auto again = rs::http::parseTarget(p.toUtf8());
    CHECK(again.isOk());
    CHECK(again.value().path == p);
  }
}

// Feeds data[0..size) in pieces ending at the given offsets (the last one is size).
RunSummary run(const char *data, qsizetype size, const std::vector<qsizetype> &ends,
               const ParserLimits &limits) {
  RunSummary out;
  RequestParser p(limits);
  QByteArray buf;
  size_t nextPiece = 0;
  qsizetype fed = 0;
  MessageSummary cur;
  bool sawHead = false;
  int idle = 0;  // consecutive calls that consumed nothing

  for (;;) {
    qsizetype consumed = -1;
    const Event ev = p.feed(buf.constData(), buf.size(), &consumed);
    CHECK(consumed >= 0 && consumed <= buf.size());
    cur.bytes += consumed;
    idle = consumed == 0 ? idle + 1 : 0;
    // MessageComplete may consume nothing, once; anything more is a livelock.
    CHECK(idle <= 2);

    switch (ev) {
      case Event::NeedMore:
        CHECK(consumed == buf.size());
        buf.clear();
        if (nextPiece == ends.size()) {
          if (sawHead) out.messages.push_back(cur);
          return out;
        }
        buf.append(data + fed, ends[nextPiece] - fed);
        fed = ends[nextPiece++];
        idle = 0;
        continue;

      case Event::HeadComplete: {
        CHECK(!sawHead);
        CHECK(consumed > 0);
        sawHead = true;
        const auto &h = p.head();
        CHECK(!h.method.isEmpty() && !h.target.isEmpty());
        CHECK(h.versionMajor == 1 && (h.versionMinor == 0 || h.versionMinor == 1));
        CHECK(h.contentLength >= 0);
        CHECK(!(h.chunked && h.contentLength != 0));
        CHECK(!(h.chunked && h.versionMinor == 0));
        CHECK(h.headers.size() <= limits.maxHeaderCount);
        CHECK(h.versionMinor == 0 || h.headers.count("host") == 1);
        cur.method = h.method;
        cur.target = h.target;
        cur.versionMinor = h.versionMinor;
        cur.chunked = h.chunked;
        cur.contentLength = h.contentLength;
        cur.keepAlive = h.keepAlive;
        cur.fields = h.headers.size();
        checkTarget(h.target);
        break;
      }

      case Event::BodyData: {
        CHECK(sawHead);
        const QByteArrayView b = p.bodyData();
        CHECK(!b.isEmpty() && consumed > 0);
        CHECK(b.data() >= buf.constData() && b.data() + b.size() <= buf.constData() + consumed);
        cur.body.append(b.data(), b.size());
        CHECK(cur.chunked || cur.body.size() <= cur.contentLength);
        break;
      }

      case Event::MessageComplete:
        CHECK(sawHead);
        CHECK(cur.chunked || cur.body.size() == cur.contentLength);
        cur.complete = true;
        out.messages.push_back(cur);
        cur = {};
        sawHead = false;
        p.reset();
        break;

      case Event::Error: {
        const int s = p.errorStatus();
        CHECK(s == 400 || s == 414 || s == 431 || s == 501 || s == 505);
        CHECK(!p.errorMessage().isEmpty());
        out.errorStatus = s;
        if (sawHead) out.messages.push_back(cur);
        // Sticky, whatever comes next.
        qsizetype again = -1;
        CHECK(p.feed(data, size, &again) == Event::Error && again == 0);
        CHECK(p.feed(nullptr, 0, &again) == Event::Error && again == 0);
        CHECK(p.errorStatus() == s);
        return out;
      }
    }
    buf.remove(0, consumed);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *raw, size_t rawSize) {
  if (rawSize == 0) return 0;
  const uint8_t control = raw[0];
  const char *data = reinterpret_cast<const char *>(raw + 1);
  const auto size = qsizetype(rawSize - 1);

  ParserLimits limits;
  if (control & 0x80) {
    limits.maxRequestLine = 48;
    limits.maxHeaderBytes = 160;
    limits.maxHeaderCount = 6;
    limits.maxChunkLine = 24;
  }
  const qsizetype split = size * (control & 0x7f) / 0x7f;

  const RunSummary whole = run(data, size, {size}, limits);
  const RunSummary pieces = run(data, size, {split, size}, limits);
  std::vector<qsizetype> everyByte(static_cast<size_t>(size));
  for (qsizetype i = 0; i < size; ++i) everyByte[size_t(i)] = i + 1;
  const RunSummary bytes = run(data, size, everyByte, limits);
  // Byte counts of an unfinished or failed message legitimately depend on where the
  // input stopped being consumed; everything else must not.
  auto comparable = [](RunSummary s) {
    if (!s.messages.empty() && !s.messages.back().complete) s.messages.back().bytes = 0;
    return s;
  };
  CHECK(comparable(whole) == comparable(pieces));
  CHECK(comparable(whole) == comparable(bytes));

  // The normalizer sees more than the parser lets through (raw bytes, spaces, '#').
  checkTarget(QByteArray(data, size));
  return 0;
}
