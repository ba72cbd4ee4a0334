#pragma once
// First start and local access. With no admin account, the api creates "admin" with a
// random password written to <data-dir>/run/admin-password (0600) and says where (the
// Jenkins/Grafana first-run pattern). And it keeps a local bootstrap credential, an
// admin API token in <data-dir>/secrets/local-admin.token (0600), which the desktop
// window, `platform ingest --data-dir` and the run script use so nobody on this
// machine is asked for a password; whoever can read the data directory owns the stack
// anyway.

#include "core/status.h"

#include <QString>

namespace rs::identity {

class AccountStore;

QString adminPasswordPath(const QString &dataDir);
QString localTokenPath(const QString &dataDir);

// Creates the first admin when no admin exists. `created` says whether it did.
Status ensureFirstAdmin(AccountStore &store, const QString &dataDir, bool *created = nullptr);
// Keeps local-admin.token valid: a missing file, or a token the database no longer
// accepts (revoked, or a restored database), is replaced by a fresh one.
Status ensureLocalToken(AccountStore &store, const QString &dataDir);
// The local token of a data directory, for clients on this machine.
Result<QByteArray> readLocalToken(const QString &dataDir);
// After a password change: the first-run file no longer holds the password.
void forgetGeneratedPassword(const QString &dataDir, const QString &user);

}  // namespace rs::identity
