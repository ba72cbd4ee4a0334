#pragma once
// A strict, incremental HTTP/1.1 request parser (RFC 9112). It never allocates more
// than the configured limits allow and refuses anything ambiguous, because a lenient
// parser in front of a cache is how request smuggling happens.

#include "core/http/requesthead.h"

#include <QByteArray>

namespace rs::http {

struct ParserLimits {
  qsizetype maxRequestLine = 8 * 1024;    // over → 414
  qsizetype maxHeaderBytes = 32 * 1024;   // all field lines together; over → 431
  int maxHeaderCount = 100;               // over → 431
  qsizetype maxChunkLine = 1024;          // chunk-size line incl. extensions; over → 400
};

class RequestParser {
 public:
  enum class Event {
    NeedMore,      // consumed everything given; feed more bytes
    HeadComplete,  // head() is valid; body (if any) follows
    BodyData,      // bodyData() holds the next piece of the (de-chunked) body
    MessageComplete,  // the request is complete; call reset() before the next one
    Error,         // errorStatus()/errorMessage() set; the connection must be closed
  };

  explicit RequestParser(ParserLimits limits = {});

  // Parses from data[0..len). Sets *consumed to the number of bytes used; the caller
  // drops those and calls again with the rest (and more data) until NeedMore.
  // HeadComplete, BodyData and MessageComplete are each returned once per occurrence.
  Event feed(const char *data, qsizetype len, qsizetype *consumed);

  const RequestHead &head() const { return head_; }
  RequestHead takeHead();
  QByteArrayView bodyData() const { return body_; }

  int errorStatus() const { return errorStatus_; }      // 400, 414, 431, 501, 505
  const QByteArray &errorMessage() const { return errorMessage_; }

  // Ready for the next request on the same connection.
  void reset();

 private:
  // implementation detail, see requestparser.cpp
  enum class State;
  enum class LineStatus { Line, Partial, TooLong, BareLf };
  Event fail(int status, QByteArray message);
  Event parse(const char *data, qsizetype len, qsizetype &pos);
  LineStatus takeLine(const char *data, qsizetype len, qsizetype &pos, qsizetype maxContent,
                      QByteArrayView *line);
  bool parseRequestLine(QByteArrayView line);
  bool parseField(QByteArrayView line, bool trailer);
  Event finishHead();
  bool parseChunkSize(QByteArrayView line);

  ParserLimits limits_;
  int state_ = 0;
  RequestHead head_;
  QByteArrayView body_;
  QByteArray line_;           // partial line being accumulated
  qsizetype headerBytes_ = 0;
  int fieldCount_ = 0;        // header + trailer fields, against maxHeaderCount
  int leadingEmptyLines_ = 0;
  qint64 remaining_ = 0;      // body bytes left in message or current chunk
  int errorStatus_ = 0;
  QByteArray errorMessage_;
};

}  // namespace rs::http
