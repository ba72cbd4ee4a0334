#include "identity/bootstrap.h"

#include "core/auth/secretfile.h"
#include "identity/accountstore.h"

#include <QFile>

namespace rs::identity {

namespace {
const QString kFirstAdmin = QStringLiteral("admin");
}

QString adminPasswordPath(const QString &dataDir) { return dataDir + QStringLiteral("/run/admin-password"); }
QString localTokenPath(const QString &dataDir) { return dataDir + QStringLiteral("/secrets/local-admin.token"); }

Status ensureFirstAdmin(AccountStore &store, const QString &dataDir, bool *created) {
  if (created) *created = false;
  auto admins = store.adminCount();
  RS_RETURN_IF_ERROR(admins.status());
  if (*admins > 0) return Status::ok();
  // An "admin" viewer someone made by hand is promoted rather than shadowed.
  const QString password = generatePassword();
  if (auto existing = store.user(kFirstAdmin)) {
    RS_RETURN_IF_ERROR(store.setRole(kFirstAdmin, QStringLiteral("admin")));
    RS_RETURN_IF_ERROR(store.setPassword(kFirstAdmin, password));
  } else {
    RS_RETURN_IF_ERROR(store.addUser(kFirstAdmin, QStringLiteral("admin"), password).status());
  }
  // The file first: a crash between the two must not leave an admin nobody can know.
  RS_RETURN_IF_ERROR(auth::writeSecretFile(adminPasswordPath(dataDir), password.toUtf8() + '\n'));
  store.audit({QStringLiteral("system"), QStringLiteral("user_added"), kFirstAdmin, {}, true,
               QStringLiteral("first start: generated password in %1").arg(adminPasswordPath(dataDir))});
  if (created) *created = true;
  return Status::ok();
}

Status ensureLocalToken(AccountStore &store, const QString &dataDir) {
  const QString path = localTokenPath(dataDir);
  if (auto existing = auth::readSecretFile(path); existing && store.tokenPrincipal(*existing)) return Status::ok();
  auto issued = store.createToken(QStringLiteral("local (this machine's desktop window and CLI)"), QStringLiteral("admin"), 0,
                                  QStringLiteral("system"), kBootstrapKind);
  RS_RETURN_IF_ERROR(issued.status());
  RS_RETURN_IF_ERROR(auth::writeSecretFile(path, issued->secret.toLatin1() + '\n'));
  store.audit({QStringLiteral("system"), QStringLiteral("token_created"), issued->id, {}, true,
               QStringLiteral("local bootstrap token in %1").arg(path)});
  return Status::ok();
}

Result<QByteArray> readLocalToken(const QString &dataDir) { return auth::readSecretFile(localTokenPath(dataDir), 1024); }

void forgetGeneratedPassword(const QString &dataDir, const QString &user) {
  if (user == kFirstAdmin) QFile::remove(adminPasswordPath(dataDir));
}

}  // namespace rs::identity
