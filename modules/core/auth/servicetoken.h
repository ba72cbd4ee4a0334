#pragma once
// Service credentials: what one role of the stack shows another. A short-lived token
// signed with the cluster key, naming the caller's roles, its process instance and an
// expiry, carried as "Authorization: Bearer rss1.…". Holding the cluster key is what
// makes a process part of the stack.

#include "core/auth/clusterkeys.h"

#include <QMutex>
#include <QString>

namespace rs::auth {

struct ServiceIdentity {
  QString roles;     // "edge", or "control+api+…" for a process running several
  QString instance;  // the process's instance id (the suffix of its roles' instance ids)
  qint64 expiresSec = 0;
  QByteArray keyId;
};

inline constexpr QByteArrayView kServiceTokenPrefix = "rss1.";
// Tokens a role mints for itself live this long; a verifier accepts at most this much
// past expiry for clocks that disagree.
inline constexpr qint64 kServiceTokenSeconds = 300;
inline constexpr qint64 kClockSkewSeconds = 60;
inline constexpr qint64 kMaxServiceTokenSeconds = 24 * 3600;

// Empty when the ring has no key that signs (every key expired).
QByteArray mintServiceToken(const KeyRing &ring, const QString &roles, const QString &instance, qint64 ttlSec,
                            qint64 nowSec);
// Unauthorized with the reason (malformed, unknown or expired key, bad signature, expired).
Result<ServiceIdentity> verifyServiceToken(const KeyRing &ring, QByteArrayView token, qint64 nowSec);

// The "Bearer …" value a process sends on its calls: minted on first use and again
// when half its life is gone; thread-safe (the edge's fetch thread uses it too).
class ServiceCredential {
 public:
  ServiceCredential(const ClusterKeys &keys, QString roles, QString instance);
  // Empty when this process has no cluster key: the call then goes out anonymous and
  // the peer says so.
  QByteArray authorization() const;
  const QString &roles() const { return roles_; }
  const QString &instance() const { return instance_; }

 private:
  const ClusterKeys &keys_;
  QString roles_, instance_;
  mutable QMutex mutex_;
  mutable QByteArray cached_;
  mutable qint64 renewAtSec_ = 0;
  mutable quint64 generationSeen_ = 0;
};

}  // namespace rs::auth
