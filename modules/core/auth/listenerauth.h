#pragma once
// The Authenticator every listener of a RoleHost runs: service tokens (the cluster
// key) everywhere; accounts (sessions, API tokens) where the api plugs its verifier
// in; playback tokens and public titles where edge or origin plug a MediaGate in.

#include "core/auth/clusterkeys.h"
#include "core/http/access.h"
#include "core/http/request.h"

#include <QReadWriteLock>
#include <QSet>
#include <memory>
#include <optional>

namespace rs::auth {

// An Authorization header or cookie larger than this is refused unread.
inline constexpr qsizetype kMaxCredentialBytes = 4096;

// Accounts: implemented by the api's identity module.
class UserVerifier {
 public:
  virtual ~UserVerifier() = default;
  // nullopt: the request carries no account credential (no session cookie, no API
  // token); otherwise the principal, or why the credential is refused.
  virtual std::optional<Result<http::Principal>> verify(const http::Request &request) const = 0;
};

// Who may fetch /media/{title}/… and /m/{token}/{title}/…: a service (an edge filling
// from its upstream), a playback token for that title, or anyone for a title an admin
// made public. `enabled = false` (--media-auth=off) lets everyone through.
class MediaGate {
 public:
  MediaGate(const ClusterKeys &keys, bool enabled) : keys_(keys), enabled_(enabled) {}
  bool enabled() const { return enabled_; }
  // From control's list (refreshed by the RoleHost); any thread.
  void setPublicTitles(QSet<QString> titles);
  bool isPublic(const QString &title) const;
  // Route params: "path" (title first), and "token" on /m/ routes.
  Status check(http::Request &request) const;

 private:
  const ClusterKeys &keys_;
  const bool enabled_;
  mutable QReadWriteLock lock_;
  QSet<QString> public_;
};

class ListenerAuth final : public http::Authenticator {
 public:
  explicit ListenerAuth(const ClusterKeys &keys) : keys_(keys) {}
  // Both before the listener's workers start; read-only afterwards.
  void setUserVerifier(std::shared_ptr<const UserVerifier> v) { users_ = std::move(v); }
  void setMediaGate(std::shared_ptr<const MediaGate> g) { media_ = std::move(g); }
  bool acceptsAccounts() const { return users_ != nullptr; }

  Status authorize(http::Request &request, http::Access access) const override;

 private:
  Status identify(http::Request &request) const;
  const ClusterKeys &keys_;
  std::shared_ptr<const UserVerifier> users_;
  std::shared_ptr<const MediaGate> media_;
};

}  // namespace rs::auth
