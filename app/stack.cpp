#include "stack.h"

#include "api/apirole.h"
#include "control/controlrole.h"
#include "edge/edgerole.h"
#include "encode/encoderole.h"
#include "ingest/ingestrole.h"
#include "license/licenserole.h"
#include "monitor/monitorrole.h"
#include "origin/originrole.h"
#include "player/playerrole.h"

namespace rs::app {

void provideBuiltRoles(roles::RoleRegistry &r) {
  r.provide(QStringLiteral("control"), control::createControlRole);
  r.provide(QStringLiteral("origin"), origin::createOriginRole);
  r.provide(QStringLiteral("edge"), edge::createEdgeRole);
  r.provide(QStringLiteral("license"), license::createLicenseRole);
  r.provide(QStringLiteral("monitor"), monitor::createMonitorRole);
  r.provide(QStringLiteral("api"), api::createApiRole);
  r.provide(QStringLiteral("ingest"), ingest::createIngestRole);
  r.provide(QStringLiteral("encode"), encode::createEncodeRole);
  r.provide(QStringLiteral("player"), player::createPlayerRole);
}

}  // namespace rs::app
