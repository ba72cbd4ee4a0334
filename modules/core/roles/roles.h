#pragma once
// What a role is to the process: its place in the architecture (name, port, what it
// needs), the interface a role module implements, and the registry that turns a
// --role list into the modules to start, in dependency order.

#include "core/http/router.h"
#include "core/status.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>
#include <QUrl>
#include <functional>
#include <memory>
#include <vector>

namespace rs::auth { class ListenerAuth; }
namespace rs::config { class Config; }
namespace rs::metrics { class Registry; }

namespace rs::roles {

struct RoleInfo {
  QString name;
  quint16 defaultPort = 0;  // 0: no listener of its own
  QString mountsOn;         // a role whose listener carries this one's routes
  QStringList needs;        // roles that must be reachable: local, or through --control
  QString summary;
};

// The architecture's roles (BRIEF.md), in the order they start.
const std::vector<RoleInfo> &knownRoles();
QStringList roleNames();
const RoleInfo *findRole(QStringView name);

class RoleHost;

// Everything a role gets when it starts. Roles never reach for globals.
struct RoleContext {
  const config::Config &config;
  QString dataDir;
  QString instanceId;
  QUrl controlUrl;          // where control is, local or remote
  http::Router *router;     // the role's listener (or the one it mounts on); null if none
  metrics::Registry *metrics;
  auth::ListenerAuth *auth;  // that listener's authenticator, for the api's accounts and media gates
  RoleHost *host;           // to look up the URLs of other local roles
};

class Role {
 public:
  virtual ~Role() = default;
  // Opens state and declares routes. Runs before the listener accepts connections.
  virtual Status start(RoleContext &context) = 0;
  // Called on shutdown after listeners stopped accepting; close databases here.
  virtual void stop() {}
  // Reported to control with every heartbeat.
  virtual QJsonObject load() const { return {}; }
  // /readyz: false while the role cannot serve yet (e.g. migrations running).
  virtual bool ready() const { return true; }
};

using RoleFactory = std::function<std::unique_ptr<Role>()>;

class RoleRegistry {
 public:
  void provide(const QString &name, RoleFactory factory);
  bool isBuilt(const QString &name) const;
  std::unique_ptr<Role> create(const QString &name) const;

  // "all" or a comma list → the roles to run, dependencies first. Errors name the
  // unknown role, or the missing dependency and how to satisfy it. Control is never
  // missing: a process without it reaches one through --control (or the default URL).
  Result<QStringList> resolve(const QString &roleList) const;

 private:
  QHash<QString, RoleFactory> factories_;
};

}  // namespace rs::roles
