#include "core/roles/roles.h"

namespace rs::roles {

const std::vector<RoleInfo> &knownRoles() {
  // Order is start order: control first so everyone else can register with it.
  static const std::vector<RoleInfo> roles = {
      {QStringLiteral("control"), 8083, {}, {},
       QStringLiteral("control plane: instance registry and heartbeats, steering, job queue, catalogue")},
      {QStringLiteral("origin"), 8081, {}, {QStringLiteral("control")},
       QStringLiteral("serves packaged manifests and segments (L4 tier)")},
      {QStringLiteral("edge"), 8082, {}, {QStringLiteral("control")},
       QStringLiteral("caching proxy in front of origin (the Open Connect Appliance)")},
      {QStringLiteral("license"), 8084, {}, {QStringLiteral("control")},
       QStringLiteral("ClearKey licenses, HLS keys, key hierarchy and rotation")},
      {QStringLiteral("monitor"), 8085, {}, {QStringLiteral("control")},
       QStringLiteral("scrapes every role, QoE beacons, alert rules, dashboard data")},
      {QStringLiteral("api"), 8080, {}, {QStringLiteral("control")},
       QStringLiteral("web UI, public REST API, login, playback start")},
      {QStringLiteral("ingest"), 0, QStringLiteral("api"), {QStringLiteral("control"), QStringLiteral("api")},
       QStringLiteral("resumable uploads, probe and validate, register titles")},
      {QStringLiteral("encode"), 0, {}, {QStringLiteral("control")},
       QStringLiteral("claims encode jobs: one decode, many encodes, quality, packaging")},
      {QStringLiteral("player"), 0, {}, {QStringLiteral("control")},
       QStringLiteral("ABR client: headless sessions, load generation, trace simulation")},
  };
  return roles;
}

QStringList roleNames() {
  QStringList names;
  for (const RoleInfo &r : knownRoles()) names << r.name;
  return names;
}

const RoleInfo *findRole(QStringView name) {
  for (const RoleInfo &r : knownRoles()) {
    if (r.name == name) return &r;
  }
  return nullptr;
}

void RoleRegistry::provide(const QString &name, RoleFactory factory) { factories_.insert(name, std::move(factory)); }

bool RoleRegistry::isBuilt(const QString &name) const { return factories_.contains(name); }

std::unique_ptr<Role> RoleRegistry::create(const QString &name) const {
  const auto it = factories_.constFind(name);
  return it == factories_.cend() ? nullptr : (*it)();
}

Result<QStringList> RoleRegistry::resolve(const QString &roleList) const {
  QStringList requested;
  for (const QString &part : roleList.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
    const QString name = part.trimmed().toLower();
    if (name == QLatin1String("all")) {
      requested << roleNames();
      continue;
    }
    if (!findRole(name))
      return Status(ErrorCode::BadRequest,
                    QStringLiteral("unknown role '%1'; roles are: all, %2").arg(name, roleNames().join(QStringLiteral(", "))));
    requested << name;
  }
  if (requested.isEmpty()) return Status(ErrorCode::BadRequest, QStringLiteral("--role is empty"));
  requested.removeDuplicates();

  for (const QString &name : requested) {
    if (!isBuilt(name))
      return Status(ErrorCode::NotImplemented,
                    QStringLiteral("role '%1' is not built into this binary; rebuild with its module").arg(name));
    for (const QString &need : findRole(name)->needs) {
      if (requested.contains(need) || need == QLatin1String("control")) continue;
      return Status(ErrorCode::BadRequest,
                    QStringLiteral("role '%1' needs the '%2' role in the same process (add it to --role)").arg(name, need));
    }
  }
  // Known-roles order is dependency order.
  QStringList ordered;
  for (const RoleInfo &r : knownRoles()) {
    if (requested.contains(r.name)) ordered << r.name;
  }
  return ordered;
}

}  // namespace rs::roles
