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
  QUrl controlUrl() const { return controlUrl_; }
  QString dataDir() const { return dataDir_; }
  QString instanceId(const QString &role) const;
  net::HttpClient *client() const { return client_; }

 Q_SIGNALS:
  void heartbeatFailed(const QString &role, const QString &error);

 private:
  struct Listener;
  struct Running;
  void heartbeat();
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
  QTimer heartbeatTimer_;
  int expiryHeartbeats_ = 3;
  bool stopped_ = false;
};

// Expands "~" and makes the path absolute.
QString resolveDataDir(const QString &configured);

}  // namespace rs::roles
