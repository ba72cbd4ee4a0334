#pragma once
// One routed HTTP request as a handler sees it: the parsed head, the normalized path,
// route parameters, the body, and the ids that tie it to logs and traces.

#include "core/http/access.h"
#include "core/http/requesthead.h"

#include <QByteArray>
#include <QHash>
#include <QHostAddress>
#include <QString>

namespace rs::http {

struct TraceContext {
  QByteArray traceId;  // 32 lowercase hex
  QByteArray spanId;   // 16 lowercase hex, this server's span
  QByteArray parentId; // the caller's span, empty if we started the trace
  QByteArray flags = "01";
  QByteArray traceparent() const { return "00-" + traceId + '-' + spanId + '-' + flags; }
};

struct Request {
  RequestHead head;
  QString path;      // percent-decoded once, dot-segments resolved
  QByteArray query;  // raw query string without '?'
  QHash<QString, QString> params;  // from the route pattern ({id}, {*rest})
  QByteArray body;
  QHostAddress peer;
  QByteArray requestId;
  TraceContext trace;
  Principal principal;      // who is calling, as the listener's Authenticator found
  qint64 receivedAtNs = 0;  // monotonic clock, for durations

  const QByteArray &method() const { return head.method; }
  QByteArray header(QByteArrayView name) const { return head.headers.value(name); }
  QString param(const QString &name) const { return params.value(name); }
  // Decoded value of one query parameter; empty if absent.
  QString queryValue(QStringView name) const;
  bool isHead() const { return head.method == "HEAD"; }
};

}  // namespace rs::http
