#pragma once
// W3C Trace Context (traceparent) and request ids: accepted from the caller when
// well-formed, generated otherwise, echoed in the response and passed on to upstreams.

#include "core/http/request.h"

namespace rs::http {

// Fills request.trace and request.requestId from the traceparent / X-Request-Id headers.
void applyTraceHeaders(Request &request);
// A fresh child context for an outgoing call made while serving `parent`.
TraceContext childContext(const TraceContext &parent);
TraceContext newTrace();
bool parseTraceparent(QByteArrayView header, TraceContext *out);

}  // namespace rs::http
