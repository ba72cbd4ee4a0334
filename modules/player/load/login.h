#pragma once
// How a simulated viewer proves who it is to the api (docs/security.md): an API token
// (`--player-token`, "Authorization: Bearer rst_…") or, like a person in the web UI, a
// login: POST /api/v1/session {"username","password"} with X-ReelStack-CSRF: 1 sets the
// rs_session cookie; every later api call sends it back (and X-ReelStack-CSRF: 1 on
// anything but GET/HEAD), and DELETE /api/v1/session ends it. Only the api ever sees
// these credentials: media go to edges with the playback token in their path.

#include "core/status.h"
#include "player/engine/transport.h"

#include <QByteArray>
#include <QString>
#include <QUrl>

namespace rs::player {

struct Credentials {
  QString user;
  QString password;
};

// What a viewer's api requests carry.
struct ViewerCredential {
  QByteArray authorization;  // "Bearer rst_…", or empty
  QByteArray cookie;         // "rs_session=…" after a login, or empty
  bool empty() const { return authorization.isEmpty() && cookie.isEmpty(); }
  // Adds the credential to an api request (and the CSRF header a cookie needs).
  void apply(FetchRequest &request) const;
};

// The login request for `credentials` at the api `target`.
FetchRequest loginRequest(const QUrl &target, const Credentials &credentials);

// The session cookie ("rs_session=<value>") the login answer set, or why there is none:
// wrong credentials (401), throttled (429, with the wait), or another answer.
Result<QByteArray> sessionCookieOf(const FetchResult &login);

// The logout request for a session cookie.
FetchRequest logoutRequest(const QUrl &target, const QByteArray &cookie);

}  // namespace rs::player
