#include "identity/sessioncookie.h"

#include <QByteArray>
#include <QStringBuilder>

namespace rs::identity {

namespace {
bool isBase64UrlChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}
}  // namespace

CookieLookup findSessionCookie(QByteArrayView header) {
  CookieLookup out;
  qsizetype pos = 0;
  while (pos < header.size()) {
    while (pos < header.size() && (header[pos] == ' ' || header[pos] == '\t')) ++pos;
    qsizetype end = header.indexOf(';', pos);
    if (end < 0) end = header.size();
    QByteArrayView pair = header.sliced(pos, end - pos).trimmed();
    pos = end + 1;
    if (pair.isEmpty()) continue;
    const qsizetype eq = pair.indexOf('=');
    if (eq <= 0) {
      // Somebody else's odd cookie does not concern us unless it is ours.
      if (pair == kSessionCookie) return CookieLookup{CookieLookup::Malformed, {}};
      continue;
    }
    const QByteArrayView name = pair.first(eq).trimmed();
    if (name != kSessionCookie) continue;
    QByteArrayView value = pair.sliced(eq + 1).trimmed();
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.sliced(1, value.size() - 2);
    if (out.kind == CookieLookup::Found || value.size() != 43) return CookieLookup{CookieLookup::Malformed, {}};
    for (const char c : value)
      if (!isBase64UrlChar(c)) return CookieLookup{CookieLookup::Malformed, {}};
    out.kind = CookieLookup::Found;
    out.value = value.toByteArray();
  }
  return out;
}

QByteArray sessionSetCookie(QByteArrayView value, qint64 maxAgeSeconds, bool secure) {
  QByteArray c = kSessionCookie.toByteArray() + '=' + value.toByteArray() + "; Path=/; Max-Age=" +
                 QByteArray::number(maxAgeSeconds) + "; HttpOnly; SameSite=Strict";
  if (secure) c += "; Secure";
  return c;
}

QByteArray clearSessionCookie(bool secure) {
  QByteArray c = kSessionCookie.toByteArray() + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict";
  if (secure) c += "; Secure";
  return c;
}

}  // namespace rs::identity
