#pragma once
// A role whose module exists in the process model (listener, probes, metrics,
// registration) but whose own function is not built yet. It says so loudly at start
// and in every heartbeat, so nobody mistakes it for the real thing.

#include "core/roles/roles.h"

namespace rs::roles {

class PendingRole final : public Role {
 public:
  PendingRole(QString name, QString missing) : name_(std::move(name)), missing_(std::move(missing)) {}
  Status start(RoleContext &context) override;
  QJsonObject load() const override;

 private:
  QString name_;
  QString missing_;
};

}  // namespace rs::roles
