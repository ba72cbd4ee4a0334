#include "monitor/monitorrole.h"

#include "core/roles/pendingrole.h"

namespace rs::monitor {

std::unique_ptr<roles::Role> createMonitorRole() {
  return std::make_unique<roles::PendingRole>(QStringLiteral("monitor"), QStringLiteral("scraping, QoE beacons and alert rules are not implemented"));
}

}  // namespace rs::monitor
