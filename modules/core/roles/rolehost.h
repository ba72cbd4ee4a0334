#pragma once
// Runs a set of roles in this process: one listener per role that has a port (with
// /healthz, /readyz and /metrics on each), the roles themselves, and their
// registration and heartbeats with control. The desktop shell and the headless
// server both run exactly this.

#include "core/config/config.h"
#include "core/roles/roles.h"

#include <QObject>
#include <QTimer>
#include <QUrl>
#include <map>
#include <memory>

namespace rs::auth { class ClusterKeys; class ListenerAuth; class MediaGate; class ServiceCredential; }
namespace rs::http { class HttpServer; class Router; }
namespace rs::log { class AccessLog; }
namespace rs::metrics { class Registry; }
namespace rs::net { class HttpClient; }

namespace rs::roles {

class RoleHost : public QObject {
  Q_OBJECT
 public:
  RoleHost(const config::Config &config, const RoleRegistry &registry, QObject *parent = nullptr);
  ~RoleHost() override;

  Status start();
  // Stops accepting, lets in-flight requests finish within the deadline, stops roles.
  void shutdown(int deadlineMs);

  QStringList runningRoles() const { return order_; }
  // Base URL of a role running in this process (loopback, actual port), or empty.
  QUrl localUrl(const QString &role) const;
  // The URL this process advertises for a role (public host, actual port).
  QUrl publicUrl(const QString &role) const;
  // "https" or "http": of the local listener, else what this process's TLS settings
  // would give that role's listener (a split deployment shares its settings).
  QString schemeFor(const QString &role) const;
  // Re-reads every TLS listener's certificate and key (SIGHUP); open connections
  // stay on the old pair. The first failure, if any; failed listeners keep the old one.
  Status reloadTls();
  QUrl controlUrl() const { return controlUrl_; }
  QString dataDir() const { return dataDir_; }
  QString instanceId(const QString &role) const;
  // Calls the stack's own roles with this process's service credential.
  net::HttpClient *client() const { return client_; }
  // The cluster key ring (empty when this process has none) and the credential minted
  // from it; authorization() is thread-safe (other threads' own HTTP clients use it).
  const auth::ClusterKeys &keys() const { return *keys_; }
  const auth::ServiceCredential &serviceCredential() const { return *credential_; }
  // The process's one gate for /media (edge and origin share it), created on first use;
  // it learns the public titles from control.
  std::shared_ptr<auth::MediaGate> mediaGate();

 Q_SIGNALS:
  void heartbeatFailed(const QString &role, const QString &error);

 private:
  struct Listener;
  struct Running;
  void heartbeat();
  void refreshPublicTitles();
  Status openKeys();
  void addProbes(Listener &l);
  void logTlsAdvice(const QString &caFile) const;
  Status writeEndpointsFile() const;

  const config::Config &config_;
  const RoleRegistry &registry_;
  QString dataDir_;
  QString processId_;
  QUrl controlUrl_;
  QStringList order_;
  std::map<QString, std::unique_ptr<Listener>> listeners_;  // by role with a port
  std::map<QString, std::unique_ptr<Running>> running_;     // by role
  std::unique_ptr<log::AccessLog> accessLog_;
  net::HttpClient *client_ = nullptr;
  auth::ClusterKeys *keys_ = nullptr;
  std::unique_ptr<auth::ServiceCredential> credential_;
  std::shared_ptr<auth::MediaGate> mediaGate_;
  QTimer publicTitlesTimer_;
  QTimer heartbeatTimer_;
  int expiryHeartbeats_ = 3;
  bool stopped_ = false;
};

// Expands "~" and makes the path absolute.
QString resolveDataDir(const QString &configured);

}  // namespace rs::roles
