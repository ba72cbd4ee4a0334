#include "core/http/trace.h"

#include <QRandomGenerator>

namespace rs::http {

namespace {
QByteArray randomHex(int bytes) {
  // One generator per thread, seeded from the system's: ids need to be unique, not
  // secret, and the global generator's lock would be shared by every worker.
  thread_local QRandomGenerator64 rng(QRandomGenerator::system()->generate64());
  static const char digits[] = "0123456789abcdef";
  QByteArray out(bytes * 2, Qt::Uninitialized);
  quint64 v = 0;
  for (int i = 0; i < bytes; ++i) {
    if (i % 8 == 0) v = rng.generate64();
    const unsigned b = unsigned(v & 0xff);
    v >>= 8;
    out[2 * i] = digits[b >> 4];
    out[2 * i + 1] = digits[b & 0xf];
  }
  return out;
}

bool isLowerHex(QByteArrayView s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

bool allZero(QByteArrayView s) {
  for (char c : s) {
    if (c != '0') return false;
  }
  return true;
}
}  // namespace

bool parseTraceparent(QByteArrayView h, TraceContext *out) {
  // version(2)-trace-id(32)-parent-id(16)-flags(2)
  if (h.size() < 55 || h[2] != '-' || h[35] != '-' || h[52] != '-') return false;
  const auto version = h.sliced(0, 2), trace = h.sliced(3, 32), parent = h.sliced(36, 16), flags = h.sliced(53, 2);
  if (!isLowerHex(version) || version == "ff" || !isLowerHex(trace) || !isLowerHex(parent) || !isLowerHex(flags))
    return false;
  if (version == "00" && h.size() != 55) return false;
  if (allZero(trace) || allZero(parent)) return false;
  out->traceId = trace.toByteArray();
  out->parentId = parent.toByteArray();
  out->flags = flags.toByteArray();
  out->spanId = randomHex(8);
  return true;
}

TraceContext newTrace() {
  TraceContext t;
  t.traceId = randomHex(16);
  t.spanId = randomHex(8);
  return t;
}

TraceContext childContext(const TraceContext &parent) {
  TraceContext t = parent.traceId.isEmpty() ? newTrace() : parent;
  t.parentId = parent.spanId;
  t.spanId = randomHex(8);
  return t;
}

void applyTraceHeaders(Request &request) {
  if (!parseTraceparent(request.header("traceparent"), &request.trace)) request.trace = newTrace();
  // A caller's request id is kept only if it is short and printable, so it can go
  // into logs and headers unescaped.
  QByteArray id = request.header("x-request-id");
  bool ok = !id.isEmpty() && id.size() <= 64;
  for (char c : id) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')) ok = false;
  }
  request.requestId = ok ? id : request.trace.spanId;
}

}  // namespace rs::http
