#pragma once
// The session cookie: its name, the Set-Cookie lines that issue and clear it, and a
// strict parser for the Cookie header (the libFuzzer target fuzz_credentials runs it).

#include <QByteArray>
#include <QByteArrayView>
#include <optional>

namespace rs::identity {

inline constexpr QByteArrayView kSessionCookie = "rs_session";

struct CookieLookup {
  enum Kind { Absent, Found, Malformed } kind = Absent;
  QByteArray value;  // Found: 43 base64url characters (256 bits)
};
// Looks for rs_session among the header's cookies. Two of them, a value of the wrong
// length or alphabet, or a header that is not "name=value; …" is Malformed: a
// credential we cannot read is refused, never guessed at.
CookieLookup findSessionCookie(QByteArrayView cookieHeader);

// HttpOnly (no script reads it), SameSite=Strict (no other site's page sends it),
// Secure on TLS listeners, Path=/ and a Max-Age of the session's absolute lifetime.
QByteArray sessionSetCookie(QByteArrayView value, qint64 maxAgeSeconds, bool secure);
QByteArray clearSessionCookie(bool secure);

}  // namespace rs::identity
