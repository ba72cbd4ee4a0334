#pragma once
// The control plane's record of every running role instance: what it is, where it
// answers, its load, and when it last heartbeated. Silent instances expire.

#include "control/controlschema.h"
#include "core/status.h"
#include "core/store/database.h"

#include <QJsonArray>
#include <QJsonObject>
#include <functional>
#include <memory>

namespace rs::control {

class InstanceRegistry {
 public:
  // defaultExpiryMs: for instances whose heartbeat does not say how often they beat.
  InstanceRegistry(store::Database &db, qint64 defaultExpiryMs) : db_(db), defaultExpiryMs_(defaultExpiryMs) {}

  // Who may register what: called with the validated instance id and role before
  // anything is stored; an error refuses the heartbeat.
  using Admit = std::function<Status(const QString &instanceId, const QString &role)>;
  // Upserts from a heartbeat body; validates the fields it relies on.
  Status heartbeat(const QJsonObject &body, qint64 nowMs, const Admit &admit = {});
  // Live instances (heard from within their expiry), optionally of one role.
  Result<QJsonArray> list(qint64 nowMs, const QString &role = {}, bool includeExpired = false) const;
  // Deletes instances silent for ten of their expiry periods, so the table stays small.
  Status prune(qint64 nowMs);

 private:
  store::Database &db_;
  qint64 defaultExpiryMs_;
};

}  // namespace rs::control
