#include "edge/freshness.h"

#include <QByteArray>
#include <QList>

namespace rs::edge {

namespace {
// Delta-seconds: digits only; values past a year of years are clamped, not rejected.
bool deltaSeconds(QByteArrayView text, qint64 *out) {
  if (text.startsWith('"') && text.endsWith('"') && text.size() >= 2) text = text.sliced(1, text.size() - 2);
  if (text.isEmpty()) return false;
  qint64 v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    v = qMin<qint64>(v * 10 + (c - '0'), qint64(1) << 40);
  }
  *out = v;
  return true;
}
}  // namespace

Freshness parseCacheControl(QByteArrayView cacheControl) {
  Freshness f;
  qint64 maxAge = -1, sMaxAge = -1;
  bool noCache = false;
  for (const QByteArray &raw : cacheControl.toByteArray().split(',')) {
    const QByteArray d = raw.trimmed().toLower();
    const qsizetype eq = d.indexOf('=');
    const QByteArrayView name = eq < 0 ? QByteArrayView(d) : QByteArrayView(d).first(eq).trimmed();
    const QByteArrayView value = eq < 0 ? QByteArrayView() : QByteArrayView(d).sliced(eq + 1).trimmed();
    qint64 v = 0;
    if (name == "no-store" || name == "private") f.storable = false;
    else if (name == "no-cache") noCache = true;
    else if (name == "max-age" && deltaSeconds(value, &v)) maxAge = v;
    else if (name == "s-maxage" && deltaSeconds(value, &v)) sMaxAge = v;
  }
  f.maxAgeSeconds = noCache ? 0 : sMaxAge >= 0 ? sMaxAge : qMax<qint64>(0, maxAge);
  return f;
}

qint64 parseAge(QByteArrayView age) {
  qint64 v = 0;
  return deltaSeconds(age.trimmed(), &v) ? v : 0;
}

}  // namespace rs::edge
