#pragma once
// Control's view of the edges in its registry (GET /control/v1/edges): where each
// answers, its region, weight, health and load — all read from the edge's heartbeat
// `load` — and whether it is live: heard from within two of its own heartbeat intervals.

#include "control/instanceregistry.h"
#include "core/status.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>
#include <vector>

namespace rs::control {

// An edge that does not report its capacity weighs what `edge-capacity` defaults to.
constexpr double kDefaultCapacityMbps = 1000;

struct Edge {
  QString instanceId;
  QString url;
  QString region = QStringLiteral("default");
  QJsonValue coordinates;  // {"lat","lon"}, or null when the edge did not say
  double capacityMbps = kDefaultCapacityMbps;
  double bytesPerSecond = 0;  // served over its last heartbeat interval
  bool healthy = true;        // false while every upstream of the edge is down
  bool live = true;
  qint64 lastSeenMs = 0;
  QStringList titles;  // titles it holds anything of
  QJsonObject load;    // the whole heartbeat load

  double servingMbps() const { return bytesPerSecond * 8 / 1e6; }
};

// One instance as InstanceRegistry::list answers it. defaultIntervalMs is for
// instances whose heartbeat did not say how often they beat.
Edge edgeFromInstance(const QJsonObject &instance, qint64 nowMs, qint64 defaultIntervalMs);
QJsonObject edgeToJson(const Edge &edge);
// Every edge the registry has not expired yet, live or not, by instance id.
Result<std::vector<Edge>> listEdges(const InstanceRegistry &registry, qint64 nowMs, qint64 defaultIntervalMs);

}  // namespace rs::control
