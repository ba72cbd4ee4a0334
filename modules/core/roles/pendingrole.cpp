#include "core/roles/pendingrole.h"

#include "core/log/log.h"

namespace rs::roles {

Status PendingRole::start(RoleContext &context) {
  qCWarning(lcCore).noquote() << QStringLiteral("role %1: NOT BUILT YET - %2. It runs its listener, probes and"
                                                " registration only.")
                                     .arg(name_, missing_);
  if (context.router) {
    const QString name = name_, missing = missing_;
    context.router->get(QStringLiteral("/%1/v1/{*rest}").arg(name_), http::Access::Service, [name, missing](http::Request &) {
      return http::Response::error(ErrorCode::NotImplemented, QStringLiteral("the %1 role is not built yet: %2").arg(name, missing));
    });
  }
  return Status::ok();
}

QJsonObject PendingRole::load() const {
  return QJsonObject{{QStringLiteral("implemented"), false}, {QStringLiteral("missing"), missing_}};
}

}  // namespace rs::roles
