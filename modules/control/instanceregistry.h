#pragma once
// The control plane's record of every running role instance: what it is, where it
// answers, its load, and when it last heartbeated. Silent instances expire.

#include "core/status.h"
#include "core/store/database.h"

#include <QJsonArray>
#include <QJsonObject>
#include <memory>

namespace rs::control {

// Schema of the control database (instances now; catalogue and jobs join later).
const std::vector<store::Migration> &controlMigrations();

class InstanceRegistry {
 public:
  // expiryMs: an instance not heard from for this long is no longer listed.
  InstanceRegistry(store::Database &db, qint64 expiryMs) : db_(db), expiryMs_(expiryMs) {}

  // Upserts from a heartbeat body; validates the fields it relies on.
  Status heartbeat(const QJsonObject &body, qint64 nowMs);
  // Live instances (heard from within the expiry), optionally of one role.
  Result<QJsonArray> list(qint64 nowMs, const QString &role = {}, bool includeExpired = false) const;
  // Deletes instances silent for ten expiry periods, so the table stays small.
  Status prune(qint64 nowMs);

 private:
  store::Database &db_;
  qint64 expiryMs_;
};

}  // namespace rs::control
