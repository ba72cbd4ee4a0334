#pragma once
// Who may call a route, and who is calling. Every route declares an Access next to its
// handler; the listener's Authenticator decides, before the body is read, whether the
// caller's credential satisfies it (docs/security.md).

#include "core/status.h"

#include <QString>

namespace rs::http {

struct Request;

enum class Access {
  Undeclared,  // a listener with such a route refuses to start
  Public,      // anyone: probes, the UI's files, the login endpoint
  Viewer,      // a signed-in account (viewer or admin): browse and play
  Admin,       // an admin account
  Service,     // another role of this stack (a cluster-key credential)
  Media,       // /media and /m: a playback token for the title, a service, or a public title
};

const char *accessName(Access a);

// The caller as the authenticator established it. Admins satisfy Viewer; a service
// satisfies only Service (and Media): machines and people hold different powers.
struct Principal {
  enum class Kind { Anonymous, Session, ApiToken, Service, Playback };
  enum class Authority { None, Viewer, Admin, Service };
  Kind kind = Kind::Anonymous;
  Authority authority = Authority::None;
  QString name;   // account or token name; for a service its roles ("edge", "control+api")
  QString id;     // public id of the session, token or service instance: never a secret
  QString title;  // playback tokens: the one title they open

  bool isAnonymous() const { return kind == Kind::Anonymous; }
  bool satisfies(Access a) const;
};

const char *authorityName(Principal::Authority a);

// One per listener, shared by its worker threads (so thread-safe). Fills
// request.principal; a refusal is a Status of Unauthorized (no or a bad credential),
// Forbidden (known, not allowed) or TooManyRequests, which the connection answers.
class Authenticator {
 public:
  virtual ~Authenticator() = default;
  virtual Status authorize(Request &request, Access access) const = 0;
};

}  // namespace rs::http
