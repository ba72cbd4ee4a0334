#pragma once
// The accounts API on the api listener (docs/security.md): POST/GET/DELETE
// /api/v1/session (login, who am I, logout), /api/v1/users and /api/v1/tokens (admins
// manage accounts and API tokens), GET /api/v1/audit. scrypt runs on a thread pool, so
// a login never holds an HTTP worker.

#include "core/http/router.h"
#include "identity/loginthrottle.h"

#include <QThreadPool>
#include <memory>

namespace rs::identity { class AccountStore; }

namespace rs::api {

struct AccountRoutesOptions {
  QString dataDir;          // for the first-run password file
  bool secureCookies = false;  // the listener speaks TLS
  identity::LoginThrottle::Options throttle;
};

class AccountRoutes {
 public:
  AccountRoutes(std::shared_ptr<identity::AccountStore> store, AccountRoutesOptions options);
  void mount(http::Router &router);
  // Waits for logins and password changes in flight (on stop, before the store closes).
  void drain();

 private:
  void login(http::Request &req, http::Responder r);
  http::Response logout(http::Request &req);
  void addUser(http::Request &req, http::Responder r);
  void patchUser(http::Request &req, http::Responder r);
  http::Response createToken(http::Request &req);

  std::shared_ptr<identity::AccountStore> store_;
  AccountRoutesOptions options_;
  identity::LoginThrottle throttle_;
  QThreadPool kdf_;
};

}  // namespace rs::api
