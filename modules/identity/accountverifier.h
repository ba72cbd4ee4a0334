#pragma once
// The api listener's account credentials, for core/auth's ListenerAuth: an API token
// ("Authorization: Bearer rst_…") or the session cookie. Cookie-authenticated requests
// that change something must also carry "X-ReelStack-CSRF: 1" (a header no other
// site's form or image can add without a CORS preflight we never grant) and, when the
// browser names an Origin, come from this one: SameSite=Strict plus a required header.

#include "core/auth/listenerauth.h"

#include <memory>

namespace rs::identity {

class AccountStore;

inline constexpr QByteArrayView kCsrfHeader = "X-ReelStack-CSRF";

class AccountVerifier final : public auth::UserVerifier {
 public:
  explicit AccountVerifier(std::shared_ptr<AccountStore> store) : store_(std::move(store)) {}
  std::optional<Result<http::Principal>> verify(const http::Request &request) const override;

 private:
  std::shared_ptr<AccountStore> store_;
};

// The CSRF rule on its own, for handlers that take no session yet (login).
Status checkCsrf(const http::Request &request);

}  // namespace rs::identity
