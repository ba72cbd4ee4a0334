#include "core/http/requestparser.h"

#include <QRandomGenerator>
#include <QTest>

#include <algorithm>
#include <functional>
#include <iterator>
#include <limits>

using rs::http::Headers;
using rs::http::ParserLimits;
using rs::http::RequestHead;
using rs::http::RequestParser;
using Event = RequestParser::Event;

namespace {

struct Message {
  bool sawHead = false;
  RequestHead head;
  QByteArray body;
  bool complete = false;
  qsizetype bytes = 0;  // consumed while this message was being parsed
};

struct Outcome {
  QList<Message> messages;  // complete messages, in order
  Message partial;          // the message in progress when input ran out or failed
  int errorStatus = 0;
  bool endedInNeedMore = false;
};

// Feeds `input` in pieces chosen by nextPiece(remaining), the way a connection would:
// bytes not consumed stay in the buffer and more are appended on NeedMore. Checks the
// parser's contract on every call.
void runParser(const QByteArray &input, const std::function<qsizetype(qsizetype)> &nextPiece,
               const ParserLimits &limits, Outcome *out) {
  *out = {};
  RequestParser p(limits);
  QByteArray buf;
  qsizetype fed = 0;
  Message cur;
  for (int guard = 0;; ++guard) {
    QVERIFY2(guard < 50'000'000, "parser made no progress");
    qsizetype consumed = -1;
    const Event ev = p.feed(buf.constData(), buf.size(), &consumed);
    QVERIFY(consumed >= 0);
    QVERIFY(consumed <= buf.size());
    cur.bytes += consumed;
    switch (ev) {
      case Event::NeedMore:
        QCOMPARE(consumed, buf.size());
        buf.clear();
        if (fed == input.size()) {
          out->partial = cur;
          out->endedInNeedMore = true;
          return;
        }
        {
          const qsizetype n = std::clamp<qsizetype>(nextPiece(input.size() - fed), 1,
                                                    input.size() - fed);
          buf.append(input.constData() + fed, n);
          fed += n;
        }
        continue;
      case Event::HeadComplete:
        QVERIFY(!cur.sawHead);
        cur.sawHead = true;
        cur.head = p.head();
        break;
      case Event::BodyData: {
        QVERIFY(cur.sawHead);
        const QByteArrayView body = p.bodyData();
        QVERIFY(!body.isEmpty());
        // Zero-copy: the slice must lie inside the bytes just given to feed().
        QVERIFY(body.data() >= buf.constData());
        QVERIFY(body.data() + body.size() <= buf.constData() + consumed);
        cur.body.append(body.data(), body.size());
        break;
      }
      case Event::MessageComplete:
        QVERIFY(cur.sawHead);
        cur.complete = true;
        out->messages.append(cur);
        cur = {};
        p.reset();
        break;
      case Event::Error: {
        out->errorStatus = p.errorStatus();
        QVERIFY(out->errorStatus >= 400);
        QVERIFY(!p.errorMessage().isEmpty());
        out->partial = cur;
        // Sticky: nothing is consumed and the status does not change.
        qsizetype again = -1;
        QCOMPARE(p.feed("GET / HTTP/1.1\r\n", 16, &again), Event::Error);
        QCOMPARE(again, qsizetype(0));
        QCOMPARE(p.errorStatus(), out->errorStatus);
        return;
      }
    }
    buf.remove(0, consumed);
  }
}

void compareHeads(const RequestHead &a, const RequestHead &b) {
  QCOMPARE(a.method, b.method);
  QCOMPARE(a.target, b.target);
  QCOMPARE(a.versionMajor, b.versionMajor);
  QCOMPARE(a.versionMinor, b.versionMinor);
  QVERIFY(a.headers.fields() == b.headers.fields());
  QCOMPARE(a.chunked, b.chunked);
  QCOMPARE(a.contentLength, b.contentLength);
  QCOMPARE(a.keepAlive, b.keepAlive);
  QCOMPARE(a.expectContinue, b.expectContinue);
}

void compareMessages(const Message &a, const Message &b) {
  QCOMPARE(a.sawHead, b.sawHead);
  if (a.sawHead) {
    compareHeads(a.head, b.head);
    if (QTest::currentTestFailed()) return;
  }
  QCOMPARE(a.body, b.body);
  QCOMPARE(a.complete, b.complete);
}

void compareOutcomes(const Outcome &a, const Outcome &b) {
  QCOMPARE(a.errorStatus, b.errorStatus);
  QCOMPARE(a.endedInNeedMore, b.endedInNeedMore);
  QCOMPARE(a.messages.size(), b.messages.size());
  for (qsizetype i = 0; i < a.messages.size(); ++i) {
    compareMessages(a.messages[i], b.messages[i]);
    if (QTest::currentTestFailed()) return;
    // Per-message byte counts are exact for complete messages whatever the split.
    QCOMPARE(a.messages[i].bytes, b.messages[i].bytes);
  }
  compareMessages(a.partial, b.partial);
}

// Parses in one piece, byte by byte, and in pseudo-random splits, and requires the
// same outcome every time. *out receives the one-piece outcome.
void parseAllWays(const QByteArray &input, Outcome *out, const ParserLimits &limits = {}) {
  runParser(input, [](qsizetype remaining) { return remaining; }, limits, out);
  if (QTest::currentTestFailed()) return;

  Outcome other;
  runParser(input, [](qsizetype) { return qsizetype(1); }, limits, &other);
  if (QTest::currentTestFailed()) return;
  compareOutcomes(*out, other);
  if (QTest::currentTestFailed()) {
    qWarning("outcome differs when fed byte by byte");
    return;
  }

  for (quint32 seed = 1; seed <= 12; ++seed) {
    QRandomGenerator gen(seed);
    static constexpr int kMaxPiece[] = {2, 3, 5, 17, 64, 1000};
    runParser(input,
              [&](qsizetype remaining) {
                const int cap = kMaxPiece[gen.bounded(int(std::size(kMaxPiece)))];
                return qsizetype(gen.bounded(1, int(std::min<qsizetype>(cap, remaining)) + 1));
              },
              limits, &other);
    if (QTest::currentTestFailed()) return;
    compareOutcomes(*out, other);
    if (QTest::currentTestFailed()) {
      qWarning("outcome differs for random split seed %u", seed);
      return;
    }
  }
}

int errorFor(const QByteArray &input, const ParserLimits &limits = {}) {
  Outcome o;
  parseAllWays(input, &o, limits);
  if (QTest::currentTestFailed()) return -1;
  return o.errorStatus;
}

QByteArray withHeaders(const QByteArray &fields, const QByteArray &body = {},
                       const QByteArray &requestLine = "POST /upload HTTP/1.1") {
  return requestLine + "\r\nHost: example.com\r\n" + fields + "\r\n" + body;
}

}  // namespace

#define PARSE_ALL_WAYS(input, out, ...)             \
  do {                                              \
    parseAllWays((input), (out) __VA_OPT__(,) __VA_ARGS__);    \
    if (QTest::currentTestFailed()) return;         \
  } while (0)

#define EXPECT_ERROR(input, status, ...)                        \
  do {                                                          \
    const int got_ = errorFor((input) __VA_OPT__(,) __VA_ARGS__);          \
    if (QTest::currentTestFailed()) return;                     \
    QCOMPARE(got_, (status));                                   \
  } while (0)

class TestRequestParser : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void simpleGet() {
    const QByteArray req =
        "GET /index.html?x=1 HTTP/1.1\r\nHost: example.com\r\nUser-Agent:  curl/8 \t\r\n"
        "Accept:*/*\r\n\r\n";
    Outcome o;
    PARSE_ALL_WAYS(req, &o);
    QCOMPARE(o.errorStatus, 0);
    QCOMPARE(o.messages.size(), 1);
    const RequestHead &h = o.messages[0].head;
    QCOMPARE(h.method, QByteArray("GET"));
    QCOMPARE(h.target, QByteArray("/index.html?x=1"));
    QCOMPARE(h.versionMajor, 1);
    QCOMPARE(h.versionMinor, 1);
    QCOMPARE(h.headers.size(), 3);
    QCOMPARE(h.headers.value("host"), QByteArray("example.com"));
    QCOMPARE(h.headers.value("USER-AGENT"), QByteArray("curl/8"));
    QCOMPARE(h.headers.value("Accept"), QByteArray("*/*"));
    QVERIFY(h.headers.value("Missing").isNull());
    QVERIFY(!h.chunked);
    QCOMPARE(h.contentLength, qint64(0));
    QVERIFY(h.keepAlive);
    QVERIFY(!h.expectContinue);
    QVERIFY(o.messages[0].body.isEmpty());
    QCOMPARE(o.messages[0].bytes, req.size());
  }

  void eventSequenceWithoutBody() {
    const QByteArray req = "GET / HTTP/1.1\r\nHost: h\r\n\r\n";
    RequestParser p;
    qsizetype consumed = -1;
    QCOMPARE(p.feed(req.constData(), req.size(), &consumed), Event::HeadComplete);
    QCOMPARE(consumed, req.size());
    QCOMPARE(p.feed(req.constData() + consumed, 0, &consumed), Event::MessageComplete);
    QCOMPARE(consumed, qsizetype(0));
    // Feeding on without reset() is a caller bug and must not parse a new request.
    QCOMPARE(p.feed(req.constData(), req.size(), &consumed), Event::Error);
    p.reset();
    QCOMPARE(p.feed(req.constData(), req.size(), &consumed), Event::HeadComplete);
    const RequestHead taken = p.takeHead();
    QCOMPARE(taken.target, QByteArray("/"));
    QVERIFY(p.head().target.isEmpty());
  }

  void head() {
    Outcome o;
    PARSE_ALL_WAYS(QByteArray("HEAD /media/x.mp4 HTTP/1.1\r\nHost: h\r\nRange: bytes=0-99\r\n\r\n"),
                   &o);
    QCOMPARE(o.messages.size(), 1);
    QCOMPARE(o.messages[0].head.method, QByteArray("HEAD"));
    QCOMPARE(o.messages[0].head.headers.value("range"), QByteArray("bytes=0-99"));
  }

  void leadingEmptyLines() {
    Outcome o;
    PARSE_ALL_WAYS(QByteArray("\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n"), &o);
    QCOMPARE(o.errorStatus, 0);
    QCOMPARE(o.messages.size(), 1);
    EXPECT_ERROR(QByteArray("\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n"), 400);
    EXPECT_ERROR(QByteArray(200, '\r').replace("\r", "\r\n") + "GET / HTTP/1.1\r\nHost: h\r\n\r\n",
                 400);
  }

  void postWithContentLength() {
    const QByteArray head = "POST /api/items HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\n";
    const QByteArray req = head + "hello world";
    Outcome o;
    PARSE_ALL_WAYS(req, &o);
    QCOMPARE(o.messages.size(), 1);
    QCOMPARE(o.messages[0].head.contentLength, qint64(11));
    QCOMPARE(o.messages[0].body, QByteArray("hello world"));
    QCOMPARE(o.messages[0].bytes, req.size());

    // Exact event sequence and zero-copy slices in one piece.
    RequestParser p;
    qsizetype consumed = -1;
    QCOMPARE(p.feed(req.constData(), req.size(), &consumed), Event::HeadComplete);
    QCOMPARE(consumed, head.size());
    const char *rest = req.constData() + consumed;
    QCOMPARE(p.feed(rest, 11, &consumed), Event::BodyData);
    QCOMPARE(consumed, qsizetype(11));
    QVERIFY(p.bodyData().data() == rest);
    QCOMPARE(p.bodyData().size(), qsizetype(11));
    QCOMPARE(p.feed(rest + 11, 0, &consumed), Event::MessageComplete);
    QCOMPARE(consumed, qsizetype(0));
  }

  void contentLengthZero() {
    Outcome o;
    PARSE_ALL_WAYS(withHeaders("Content-Length: 0\r\n"), &o);
    QCOMPARE(o.messages.size(), 1);
    QVERIFY(o.messages[0].body.isEmpty());
  }

  void contentLengthMax() {
    // The largest qint64 is accepted; the body simply never arrives here.
    Outcome o;
    PARSE_ALL_WAYS(withHeaders("Content-Length: 9223372036854775807\r\n", "abc"), &o);
    QCOMPARE(o.errorStatus, 0);
    QVERIFY(o.endedInNeedMore);
    QVERIFY(o.partial.sawHead);
    QCOMPARE(o.partial.head.contentLength, std::numeric_limits<qint64>::max());
    QCOMPARE(o.partial.body, QByteArray("abc"));
  }

  void chunkedWithExtensionsAndTrailers() {
    const QByteArray req =
        "POST /upload HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: Chunked\r\n\r\n"
        "5;foo=bar\r\nhello\r\n"
        "6 ; name = \"quoted \\\" value\";flag\r\n world\r\n"
        "00A\r\n0123456789\r\n"
        "0;last=1\r\nX-Checksum: abc\r\nX-Other:  1 \r\n\r\n";
    Outcome o;
    PARSE_ALL_WAYS(req, &o);
    QCOMPARE(o.errorStatus, 0);
    QCOMPARE(o.messages.size(), 1);
    const Message &m = o.messages[0];
    QVERIFY(m.head.chunked);
    QCOMPARE(m.body, QByteArray("hello world0123456789"));
    QCOMPARE(m.bytes, req.size());
    // Trailers are validated but never merged into the head.
    QVERIFY(!m.head.headers.contains("X-Checksum"));
  }

  void chunkedSequence() {
    const QByteArray head = "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n";
    const QByteArray req = head + "3\r\nabc\r\n0\r\n\r\nGET";
    RequestParser p;
    qsizetype consumed = -1;
    const char *d = req.constData();
    qsizetype left = req.size();
    QCOMPARE(p.feed(d, left, &consumed), Event::HeadComplete);
    QCOMPARE(consumed, head.size());
    d += consumed; left -= consumed;
    QCOMPARE(p.feed(d, left, &consumed), Event::BodyData);
    QCOMPARE(consumed, qsizetype(6));  // "3\r\nabc"
    QVERIFY(p.bodyData().data() == d + 3);
    QCOMPARE(p.bodyData().toByteArray(), QByteArray("abc"));
    d += consumed; left -= consumed;
    QCOMPARE(p.feed(d, left, &consumed), Event::MessageComplete);
    QCOMPARE(consumed, qsizetype(7));  // "\r\n0\r\n\r\n", not the next request's bytes
    QCOMPARE(left - consumed, qsizetype(3));
  }

  void pipelined() {
    const QByteArray r1 = "GET /a HTTP/1.1\r\nHost: h\r\n\r\n";
    const QByteArray r2 = "POST /b HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\n\r\nbody";
    const QByteArray r3 =
        "PUT /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nxy\r\n0\r\n\r\n";
    const QByteArray r4 = "GET /d HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n";
    Outcome o;
    PARSE_ALL_WAYS(r1 + r2 + r3 + r4, &o);
    QCOMPARE(o.errorStatus, 0);
    QCOMPARE(o.messages.size(), 4);
    QCOMPARE(o.messages[0].head.target, QByteArray("/a"));
    QCOMPARE(o.messages[0].bytes, r1.size());
    QCOMPARE(o.messages[1].head.target, QByteArray("/b"));
    QCOMPARE(o.messages[1].body, QByteArray("body"));
    QCOMPARE(o.messages[1].bytes, r2.size());
    QCOMPARE(o.messages[2].head.target, QByteArray("/c"));
    QCOMPARE(o.messages[2].body, QByteArray("xy"));
    QCOMPARE(o.messages[2].bytes, r3.size());
    QCOMPARE(o.messages[3].head.target, QByteArray("/d"));
    QVERIFY(!o.messages[3].head.keepAlive);
    QCOMPARE(o.messages[3].bytes, r4.size());
    QVERIFY(o.endedInNeedMore);
    QVERIFY(!o.partial.sawHead);

    // By hand, in one buffer: the first message stops exactly at its own end.
    const QByteArray both = r1 + r2;
    RequestParser p;
    qsizetype consumed = -1;
    QCOMPARE(p.feed(both.constData(), both.size(), &consumed), Event::HeadComplete);
    QCOMPARE(consumed, r1.size());
    qsizetype c2 = -1;
    QCOMPARE(p.feed(both.constData() + consumed, both.size() - consumed, &c2), Event::MessageComplete);
    QCOMPARE(c2, qsizetype(0));
    p.reset();
    QCOMPARE(p.feed(both.constData() + consumed, both.size() - consumed, &c2), Event::HeadComplete);
    QCOMPARE(p.head().target, QByteArray("/b"));
  }

  void requestLineTooLong() {
    const QByteArray longLine = "GET /" + QByteArray(9 * 1024, 'a') + " HTTP/1.1\r\nHost: h\r\n\r\n";
    EXPECT_ERROR(longLine, 414);

    // Without any CRLF: refused once the partial line passes the limit.
    RequestParser p;
    QByteArray chunk = "GET /" + QByteArray(1019, 'a');
    qsizetype total = 0;
    Event ev = Event::NeedMore;
    for (int i = 0; i < 64 && ev == Event::NeedMore; ++i) {
      qsizetype consumed = -1;
      ev = p.feed(chunk.constData(), chunk.size(), &consumed);
      total += chunk.size();
      chunk = QByteArray(1024, 'a');
    }
    QCOMPARE(ev, Event::Error);
    QCOMPARE(p.errorStatus(), 414);
    QVERIFY(total <= 9 * 1024);

    // Exact boundary (the limit counts the line without its CRLF).
    ParserLimits small;
    small.maxRequestLine = 20;
    EXPECT_ERROR(QByteArray("GET /12345 HTTP/1.1\r\nHost: h\r\n\r\n"), 0, small);   // 19
    EXPECT_ERROR(QByteArray("GET /123456 HTTP/1.1\r\nHost: h\r\n\r\n"), 0, small);  // 20
    EXPECT_ERROR(QByteArray("GET /1234567 HTTP/1.1\r\nHost: h\r\n\r\n"), 414, small);
    // An over-long line is 414 whatever its line ending, and however it was split.
    EXPECT_ERROR(QByteArray("GET /1234567 HTTP/1.1\nHost: h\r\n\r\n"), 414, small);
    EXPECT_ERROR(QByteArray("GET /123456 HTTP/1.1\nHost: h\r\n\r\n"), 400, small);
  }

  void malformedRequestLine() {
    EXPECT_ERROR(QByteArray("GET  / HTTP/1.1\r\nHost: h\r\n\r\n"), 400);
    EXPECT_ERROR(QByteArray("GET  HTTP/1.1\r\nHost: h\r\n\r\n"), 400);  // empty target
    EXPECT_ERROR(QByteArray("GET / HTTP/1.1 \r\nHost: h\r\n\r\n"), 400);
    EXPECT_ERROR(QByteArray("GET /  HTTP/1.1\r\nHost: h\r\n\r\n"), 400);
    EXPECT_ERROR(QByteArray(" GET / HTTP/1.1\r\nHost: h\r\n\r\n"), 400);
    EXPECT_ERROR(QByteArray("GET\t/ HTTP/1.1\r\nHost: h\r\n\r\n"), 400);
    EXPECT_ERROR(QByteArray("GE(T / HTTP/1.1\r\nHost: h\r\n\r\n"), 400);
    EXPECT_ERROR(QByteArray("GET /\x01 HTTP/1.1\r\nHost: h\r\n\r\n"), 400);
    EXPECT_ERROR(QByteArray("GET /\xc3\xa9 HTTP/1.1\r\nHost: h\r\n\r\n"), 400);
    EXPECT_ERROR(QByteArray("GET /\r\nHost: h\r\n\r\n"), 400);  // HTTP/0.9
    EXPECT_ERROR(QByteArray("GET / http/1.1\r\nHost: h\r\n\r\n"), 400);
    EXPECT_ERROR(QByteArray("GET / HTTP/1\r\nHost: h\r\n\r\n"), 400);
    EXPECT_ERROR(QByteArray("GET / HTTP/1.10\r\nHost: h\r\n\r\n"), 400);
    EXPECT_ERROR(QByteArray("GET / HTTX/1.1\r\nHost: h\r\n\r\n"), 400);
  }

  void unsupportedVersion() {
    EXPECT_ERROR(QByteArray("GET / HTTP/2.0\r\nHost: h\r\n\r\n"), 505);
    EXPECT_ERROR(QByteArray("GET / HTTP/0.9\r\nHost: h\r\n\r\n"), 505);
    EXPECT_ERROR(QByteArray("GET / HTTP/1.2\r\nHost: h\r\n\r\n"), 505);
  }

  void headersTooLarge() {
    QByteArray fields;
    for (int i = 0; i < 40; ++i)
      fields += "X-Filler-" + QByteArray::number(i) + ": " + QByteArray(1024, 'v') + "\r\n";
    EXPECT_ERROR(withHeaders(fields), 431);

    // One endless field line, never terminated: refused before its LF arrives.
    RequestParser p;
    const QByteArray start = "GET / HTTP/1.1\r\nHost: h\r\nX-Big: ";
    qsizetype consumed = -1;
    QCOMPARE(p.feed(start.constData(), start.size(), &consumed), Event::NeedMore);
    const QByteArray more(4096, 'x');
    Event ev = Event::NeedMore;
    qsizetype total = start.size();
    for (int i = 0; i < 64 && ev == Event::NeedMore; ++i) {
      ev = p.feed(more.constData(), more.size(), &consumed);
      total += more.size();
    }
    QCOMPARE(ev, Event::Error);
    QCOMPARE(p.errorStatus(), 431);
    QVERIFY(total <= 36 * 1024 + start.size());

    // Boundary: the budget counts field lines with their CRLF, not the request line.
    ParserLimits small;
    small.maxHeaderBytes = 20;  // "Host: h\r\n" (9) + "X-A: 123456\r\n" (13) = 22
    EXPECT_ERROR(QByteArray("GET / HTTP/1.1\r\nHost: h\r\nX-A: 123456\r\n\r\n"), 431, small);
    small.maxHeaderBytes = 22;
    EXPECT_ERROR(QByteArray("GET / HTTP/1.1\r\nHost: h\r\nX-A: 123456\r\n\r\n"), 0, small);
  }

  void tooManyHeaders() {
    QByteArray fields;
    for (int i = 0; i < 100; ++i) fields += "X-" + QByteArray::number(i) + ": v\r\n";
    EXPECT_ERROR(withHeaders(fields, {}, "GET / HTTP/1.1"), 431);  // 101 with Host
    fields.clear();
    for (int i = 0; i < 99; ++i) fields += "X-" + QByteArray::number(i) + ": v\r\n";
    EXPECT_ERROR(withHeaders(fields, {}, "GET / HTTP/1.1"), 0);
  }

  void trailersCountTowardLimits() {
    ParserLimits small;
    small.maxHeaderBytes = 64;
    const QByteArray head = "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n";  // 37
    EXPECT_ERROR(head + "0\r\nX-T: 123456789012345678901234567890\r\n\r\n", 431, small);
    EXPECT_ERROR(head + "0\r\nX-T: 1\r\n\r\n", 0, small);
  }

  void contentLengthAndTransferEncoding() {
    EXPECT_ERROR(withHeaders("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n",
                             "0\r\n\r\n"),
                 400);
    EXPECT_ERROR(withHeaders("Transfer-Encoding: chunked\r\nContent-Length: 5\r\n",
                             "0\r\n\r\n"),
                 400);
  }

  void duplicateContentLength() {
    EXPECT_ERROR(withHeaders("Content-Length: 5\r\nContent-Length: 5\r\n", "hello"), 400);
    EXPECT_ERROR(withHeaders("Content-Length: 5\r\nContent-Length: 6\r\n", "hello!"), 400);
    EXPECT_ERROR(withHeaders("Content-Length: 1,1\r\n", "x"), 400);
    EXPECT_ERROR(withHeaders("Content-Length: 1, 1\r\n", "x"), 400);
  }

  void invalidContentLength() {
    EXPECT_ERROR(withHeaders("Content-Length: +5\r\n", "hello"), 400);
    EXPECT_ERROR(withHeaders("Content-Length: -1\r\n"), 400);
    EXPECT_ERROR(withHeaders("Content-Length: 99999999999999999999\r\n"), 400);
    EXPECT_ERROR(withHeaders("Content-Length: 9223372036854775808\r\n"), 400);
    EXPECT_ERROR(withHeaders("Content-Length: 1 2\r\n"), 400);
    EXPECT_ERROR(withHeaders("Content-Length: 0x5\r\n"), 400);
    EXPECT_ERROR(withHeaders("Content-Length: 5a\r\n"), 400);
    EXPECT_ERROR(withHeaders("Content-Length:\r\n"), 400);
    // Surrounding OWS is not part of the value.
    EXPECT_ERROR(withHeaders("Content-Length:  5 \r\n", "hello"), 0);
  }

  void transferEncodings() {
    EXPECT_ERROR(withHeaders("Transfer-Encoding: gzip, chunked\r\n", "0\r\n\r\n"), 501);
    EXPECT_ERROR(withHeaders("Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n",
                             "0\r\n\r\n"),
                 501);
    EXPECT_ERROR(withHeaders("Transfer-Encoding: gzip\r\n", "x"), 501);
    EXPECT_ERROR(withHeaders("Transfer-Encoding: identity\r\n", "x"), 501);
    EXPECT_ERROR(withHeaders("Transfer-Encoding: chunked, chunked\r\n", "0\r\n\r\n"), 400);
    EXPECT_ERROR(withHeaders("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n",
                             "0\r\n\r\n"),
                 400);
    EXPECT_ERROR(withHeaders("Transfer-Encoding: chunked, gzip\r\n", "0\r\n\r\n"), 400);
    EXPECT_ERROR(withHeaders("Transfer-Encoding: chunked;q=1\r\n", "0\r\n\r\n"), 400);
    EXPECT_ERROR(withHeaders("Transfer-Encoding: chunked\x0b\r\n", "0\r\n\r\n"), 400);
    EXPECT_ERROR(withHeaders("Transfer-Encoding: \"chunked\"\r\n", "0\r\n\r\n"), 400);
    EXPECT_ERROR(withHeaders("Transfer-Encoding:\r\n", "0\r\n\r\n"), 400);
    EXPECT_ERROR(withHeaders("Transfer-Encoding: chunked\r\n", "0\r\n\r\n",
                             "POST / HTTP/1.0"),
                 400);
    EXPECT_ERROR(withHeaders("Transfer-Encoding: CHUNKED\r\n", "0\r\n\r\n"), 0);
  }

  void bareLineEndingsInHead() {
    EXPECT_ERROR(QByteArray("GET / HTTP/1.1\nHost: h\r\n\r\n"), 400);
    EXPECT_ERROR(QByteArray("GET / HTTP/1.1\r\nHost: h\nX: y\r\n\r\n"), 400);
    EXPECT_ERROR(QByteArray("GET / HTTP/1.1\r\nHost: h\r\n\n"), 400);
    EXPECT_ERROR(QByteArray("GET / HTTP/1.1\r\nHost: h\rX: y\r\n\r\n"), 400);
    EXPECT_ERROR(QByteArray("GET / HTTP/1.1\r\r\nHost: h\r\n\r\n"), 400);
    EXPECT_ERROR(QByteArray("GET / HTTP/1.1\r\nHost: h\r\n\r\r\n"), 400);
  }

  void bareLineEndingsInChunks() {
    const QByteArray head = "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n";
    EXPECT_ERROR(head + "5\nhello\r\n0\r\n\r\n", 400);
    EXPECT_ERROR(head + "5\r\nhello\n0\r\n\r\n", 400);
    EXPECT_ERROR(head + "5\r\nhello\r0\r\n\r\n", 400);
    EXPECT_ERROR(head + "5\r\nhelloXY0\r\n\r\n", 400);  // missing CRLF after data
    EXPECT_ERROR(head + "5\r\nhello\r\n0\n\r\n", 400);
    EXPECT_ERROR(head + "5\r\nhello\r\n0\r\n\n", 400);
    EXPECT_ERROR(head + "5\r\nhello\r\n0\r\nX: y\n\r\n", 400);

    // The body delivered before the framing error is what every split sees.
    Outcome o;
    PARSE_ALL_WAYS(head + "5\r\nhello\n0\r\n\r\n", &o);
    QCOMPARE(o.partial.body, QByteArray("hello"));
  }

  void invalidChunkSizes() {
    const QByteArray head = "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n";
    EXPECT_ERROR(head + "-5\r\nhello\r\n0\r\n\r\n", 400);
    EXPECT_ERROR(head + "+5\r\nhello\r\n0\r\n\r\n", 400);
    EXPECT_ERROR(head + " 5\r\nhello\r\n0\r\n\r\n", 400);
    EXPECT_ERROR(head + "5 \r\nhello\r\n0\r\n\r\n", 400);
    EXPECT_ERROR(head + "0x5\r\nhello\r\n0\r\n\r\n", 400);
    EXPECT_ERROR(head + "\r\nhello\r\n0\r\n\r\n", 400);
    EXPECT_ERROR(head + "5;\r\nhello\r\n0\r\n\r\n", 400);
    EXPECT_ERROR(head + "5;a=\"x\r\nhello\r\n0\r\n\r\n", 400);
    EXPECT_ERROR(head + "8000000000000000\r\n", 400);
    EXPECT_ERROR(head + "FFFFFFFFFFFFFFFFFFFF\r\n", 400);
    EXPECT_ERROR(head + "5;x=" + QByteArray(2000, 'y') + "\r\nhello\r\n0\r\n\r\n", 400);
    // Largest representable size: accepted, the data just never finishes here.
    Outcome o;
    PARSE_ALL_WAYS(head + "7fffffffffffffff\r\nabc", &o);
    QCOMPARE(o.errorStatus, 0);
    QCOMPARE(o.partial.body, QByteArray("abc"));
  }

  void obsFold() {
    EXPECT_ERROR(QByteArray("GET / HTTP/1.1\r\nHost: h\r\nX-A: a\r\n b\r\n\r\n"), 400);
    EXPECT_ERROR(QByteArray("GET / HTTP/1.1\r\nHost: h\r\nX-A: a\r\n\tb\r\n\r\n"), 400);
    EXPECT_ERROR(QByteArray("GET / HTTP/1.1\r\n Host: h\r\n\r\n"), 400);
  }

  void malformedFieldNames() {
    EXPECT_ERROR(QByteArray("GET / HTTP/1.1\r\nHost : h\r\n\r\n"), 400);
    EXPECT_ERROR(QByteArray("GET / HTTP/1.1\r\nHost: h\r\nContent-Length\t: 0\r\n\r\n"), 400);
    EXPECT_ERROR(QByteArray("GET / HTTP/1.1\r\nHost: h\r\n: empty\r\n\r\n"), 400);
    EXPECT_ERROR(QByteArray("GET / HTTP/1.1\r\nHost: h\r\nNoColon\r\n\r\n"), 400);
    EXPECT_ERROR(QByteArray("GET / HTTP/1.1\r\nHost: h\r\nX(y): z\r\n\r\n"), 400);
  }

  void controlCharactersInValues() {
    QByteArray withNul = "GET / HTTP/1.1\r\nHost: h\r\nX-A: a";
    withNul.append('\0');
    withNul.append("b\r\n\r\n");
    EXPECT_ERROR(withNul, 400);
    EXPECT_ERROR(QByteArray("GET / HTTP/1.1\r\nHost: h\r\nX-A: a\x01" "b\r\n\r\n"), 400);
    EXPECT_ERROR(QByteArray("GET / HTTP/1.1\r\nHost: h\r\nX-A: a\x7f\r\n\r\n"), 400);
    // HTAB inside a value and obs-text are allowed.
    Outcome o;
    PARSE_ALL_WAYS(QByteArray("GET / HTTP/1.1\r\nHost: h\r\nX-A: a\tb \xe9\r\n\r\n"), &o);
    QCOMPARE(o.errorStatus, 0);
    QCOMPARE(o.messages[0].head.headers.value("x-a"), QByteArray("a\tb \xe9"));
  }

  void hostRules() {
    EXPECT_ERROR(QByteArray("GET / HTTP/1.1\r\nAccept: */*\r\n\r\n"), 400);
    EXPECT_ERROR(QByteArray("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"), 400);
    EXPECT_ERROR(QByteArray("GET / HTTP/1.0\r\nHost: a\r\nhost: a\r\n\r\n"), 400);
    Outcome o;
    PARSE_ALL_WAYS(QByteArray("GET / HTTP/1.0\r\nAccept: */*\r\n\r\n"), &o);
    QCOMPARE(o.errorStatus, 0);
    QCOMPARE(o.messages.size(), 1);
    QCOMPARE(o.messages[0].head.versionMinor, 0);
  }

  void connectionFlags_data() {
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<bool>("keepAlive");
    QTest::addColumn<bool>("expectContinue");
    QTest::newRow("1.1 default") << QByteArray("GET / HTTP/1.1\r\nHost: h\r\n\r\n") << true << false;
    QTest::newRow("1.1 close")
        << QByteArray("GET / HTTP/1.1\r\nHost: h\r\nConnection: Close\r\n\r\n") << false << false;
    QTest::newRow("1.1 list close")
        << QByteArray("GET / HTTP/1.1\r\nHost: h\r\nConnection: upgrade, close\r\n\r\n") << false
        << false;
    QTest::newRow("1.1 second field close")
        << QByteArray("GET / HTTP/1.1\r\nHost: h\r\nConnection: te\r\nConnection: close\r\n\r\n")
        << false << false;
    QTest::newRow("1.1 not-close token")
        << QByteArray("GET / HTTP/1.1\r\nHost: h\r\nConnection: closed\r\n\r\n") << true << false;
    QTest::newRow("1.0 default") << QByteArray("GET / HTTP/1.0\r\n\r\n") << false << false;
    QTest::newRow("1.0 keep-alive")
        << QByteArray("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n") << true << false;
    QTest::newRow("1.0 keep-alive and close")
        << QByteArray("GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n") << false << false;
    QTest::newRow("1.1 expect")
        << QByteArray("PUT / HTTP/1.1\r\nHost: h\r\nExpect: 100-Continue\r\nContent-Length: 1\r\n\r\nx")
        << true << true;
    QTest::newRow("1.0 expect ignored")
        << QByteArray("PUT / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\nx")
        << false << false;
    QTest::newRow("1.1 other expectation")
        << QByteArray("GET / HTTP/1.1\r\nHost: h\r\nExpect: 200-ok\r\n\r\n") << true << false;
  }

  void connectionFlags() {
    QFETCH(QByteArray, request);
    QFETCH(bool, keepAlive);
    QFETCH(bool, expectContinue);
    Outcome o;
    PARSE_ALL_WAYS(request, &o);
    QCOMPARE(o.errorStatus, 0);
    QCOMPARE(o.messages.size(), 1);
    QCOMPARE(o.messages[0].head.keepAlive, keepAlive);
    QCOMPARE(o.messages[0].head.expectContinue, expectContinue);
  }

  void errorIsSticky() {
    RequestParser p;
    const QByteArray bad = "GET / HTTP/1.1\r\nHost : h\r\n\r\n";
    qsizetype consumed = -1;
    QCOMPARE(p.feed(bad.constData(), bad.size(), &consumed), Event::Error);
    QCOMPARE(p.errorStatus(), 400);
    QVERIFY(consumed <= bad.size());
    const QByteArray good = "GET / HTTP/1.1\r\nHost: h\r\n\r\n";
    for (int i = 0; i < 3; ++i) {
      QCOMPARE(p.feed(good.constData(), good.size(), &consumed), Event::Error);
      QCOMPARE(consumed, qsizetype(0));
      QCOMPARE(p.errorStatus(), 400);
    }
    QCOMPARE(p.feed(nullptr, 0, &consumed), Event::Error);
    // reset() starts over for callers that deliberately reuse the object.
    p.reset();
    QCOMPARE(p.feed(good.constData(), good.size(), &consumed), Event::HeadComplete);
  }

  void headersClass() {
    Headers h;
    h.add("Accept", "a");
    h.add("X-Dup", "1");
    h.add("x-dup", "2");
    QCOMPARE(h.count("X-DUP"), 2);
    QCOMPARE(h.value("x-Dup"), QByteArray("1"));
    QVERIFY(h.contains("ACCEPT"));
    QVERIFY(!h.contains("Accep"));
    h.set("X-DUP", "3");
    QCOMPARE(h.count("x-dup"), 1);
    QCOMPARE(h.value("x-dup"), QByteArray("3"));
    h.set("New", "n");
    QCOMPARE(h.size(), 3);
    h.remove("accept");
    QVERIFY(!h.contains("Accept"));
    QCOMPARE(h.size(), 2);
    QVERIFY(h.value("Accept").isNull());
    h.add("Empty", "");
    QVERIFY(!h.value("empty").isNull());
  }
};

QTEST_GUILESS_MAIN(TestRequestParser)
#include "tst_requestparser.moc"
