// libFuzzer entry point for the credentials a request carries to a listener: the
// Authorization header and route parameters as ListenerAuth reads them (Bearer parsing,
// service tokens, the media gate's playback tokens and public titles), and the session
// cookie parser (identity/sessioncookie) on the Cookie header.
//
// Input: byte 0 picks the route's Access (mod 6) and, with bit 0x80, a listener whose
// media check is off; the rest is "<Authorization>\n<Cookie>\n<token param>\n<path
// param>", each field absent when its newline is (so "absent" and "empty" both occur).
// Invariants:
// - authorize() answers OK, Unauthorized or Forbidden, nothing else;
// - an undeclared route is never allowed, and this listener (like an edge's: no account
//   verifier) never lets anyone through as a viewer or admin;
// - a service route lets only a service through; a media route only a service, a
//   playback token for the path's own title, or anyone on a public title (or anyone
//   when the check is off);
// - no refusal repeats a signature or the session cookie's value;
// - findSessionCookie finds only 43 base64url characters that are in the header, and
//   finds the same value again in "rs_session=<value>".

#include "core/auth/listenerauth.h"
#include "core/http/request.h"
#include "identity/sessioncookie.h"
#include "fuzzkeys.h"

#include <QDir>
#include <QTemporaryDir>

#include <cstdint>
#include <memory>

using namespace rs;

namespace {
struct Listener {
  QTemporaryDir dir;
  std::unique_ptr<auth::ClusterKeys> keys;
  std::unique_ptr<auth::ListenerAuth> checked, unchecked;
  Listener() {
    const QString path = dir.filePath(QStringLiteral("cluster.key"));
    if (!dir.isValid() || !auth::writeKeyFile(path, fuzz::ring()).isOk()) fuzz::violated("cannot write the key file", __FILE__, __LINE__);
    keys = std::make_unique<auth::ClusterKeys>(path);
    if (!keys->load().isOk()) fuzz::violated("cannot load the key file", __FILE__, __LINE__);
    auto on = std::make_shared<auth::MediaGate>(*keys, true);
    on->setPublicTitles({QStringLiteral("t_public")});
    checked = std::make_unique<auth::ListenerAuth>(*keys);
    checked->setMediaGate(on);
    unchecked = std::make_unique<auth::ListenerAuth>(*keys);
    unchecked->setMediaGate(std::make_shared<auth::MediaGate>(*keys, false));
  }
};

// The part after the last '.', which is a signature in both token kinds.
QByteArrayView signatureOf(QByteArrayView token) {
  const qsizetype dot = token.lastIndexOf('.');
  return dot < 0 ? QByteArrayView() : token.sliced(dot + 1);
}

void checkCookie(QByteArrayView header) {
  const identity::CookieLookup c = identity::findSessionCookie(header);
  if (c.kind != identity::CookieLookup::Found) {
    FUZZ_CHECK(c.value.isEmpty());
    return;
  }
  FUZZ_CHECK(c.value.size() == 43);
  for (const char ch : c.value)
    FUZZ_CHECK((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '_');
  FUZZ_CHECK(header.contains(QByteArrayView(c.value)));
  const identity::CookieLookup again = identity::findSessionCookie(QByteArray("rs_session=" + c.value));
  FUZZ_CHECK(again.kind == identity::CookieLookup::Found && again.value == c.value);
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *raw, size_t rawSize) {
  static Listener listener;
  if (rawSize == 0) return 0;
  const auto access = http::Access(raw[0] % 6);
  const bool mediaOff = raw[0] & 0x80;
  QByteArrayView rest(reinterpret_cast<const char *>(raw + 1), qsizetype(rawSize - 1));
  std::optional<QByteArray> field[4];
  for (auto &f : field) {
    const qsizetype nl = rest.indexOf('\n');
    if (nl < 0) break;
    f = rest.first(nl).toByteArray();
    rest = rest.sliced(nl + 1);
  }
  // Whatever follows the last newline belongs to the last field that is present.
  for (int i = 3; i >= 0; --i) {
    if (field[i]) {
      *field[i] += rest.toByteArray();
      break;
    }
  }

  http::Request req;
  req.head.method = "GET";
  if (field[0]) req.head.headers.add("Authorization", *field[0]);
  if (field[1]) req.head.headers.add("Cookie", *field[1]);
  if (field[2]) req.params.insert(QStringLiteral("token"), QString::fromUtf8(*field[2]));
  if (field[3]) req.params.insert(QStringLiteral("path"), QString::fromUtf8(*field[3]));
  const QString title = req.params.value(QStringLiteral("path")).section(QLatin1Char('/'), 0, 0);

  const auth::ListenerAuth &auth = mediaOff ? *listener.unchecked : *listener.checked;
  const Status s = auth.authorize(req, access);
  if (!s.isOk()) {
    FUZZ_CHECK(s.code() == ErrorCode::Unauthorized || s.code() == ErrorCode::Forbidden);
    const QByteArray msg = s.message().toUtf8();
    if (field[0] && signatureOf(*field[0]).size() >= 16) FUZZ_CHECK(!msg.contains(signatureOf(*field[0])));
    if (field[2] && signatureOf(*field[2]).size() >= 16) FUZZ_CHECK(!msg.contains(signatureOf(*field[2])));
    const identity::CookieLookup c = identity::findSessionCookie(field[1] ? *field[1] : QByteArray());
    if (c.kind == identity::CookieLookup::Found) FUZZ_CHECK(!msg.contains(c.value));
  } else {
    const http::Principal &p = req.principal;
    switch (access) {
      case http::Access::Undeclared:
      case http::Access::Viewer:
      case http::Access::Admin: FUZZ_CHECK(!"allowed without an account verifier"); break;
      case http::Access::Public: break;
      case http::Access::Service: FUZZ_CHECK(p.authority == http::Principal::Authority::Service); break;
      case http::Access::Media:
        FUZZ_CHECK(mediaOff || p.authority == http::Principal::Authority::Service ||
                   (p.kind == http::Principal::Kind::Playback && p.title == title) ||
                   (!field[2] && title == QLatin1String("t_public")));
        break;
    }
  }
  if (field[1]) checkCookie(*field[1]);
  return 0;
}
