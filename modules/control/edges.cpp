#include "control/edges.h"

#include <QJsonArray>
#include <cmath>

namespace rs::control {

namespace {

QJsonValue coordinatesOf(const QJsonObject &load) {
  const QJsonObject c = load.value(QStringLiteral("coordinates")).toObject();
  const QJsonValue lat = c.value(QStringLiteral("lat")), lon = c.value(QStringLiteral("lon"));
  if (!lat.isDouble() || !lon.isDouble()) return QJsonValue::Null;
  return QJsonObject{{QStringLiteral("lat"), lat}, {QStringLiteral("lon"), lon}};
}

}  // namespace

Edge edgeFromInstance(const QJsonObject &instance, qint64 nowMs, qint64 defaultIntervalMs) {
  Edge e;
  e.instanceId = instance.value(QStringLiteral("instanceId")).toString();
  e.url = instance.value(QStringLiteral("url")).toString();
  e.lastSeenMs = instance.value(QStringLiteral("lastSeenMs")).toInteger();
  qint64 intervalMs = instance.value(QStringLiteral("heartbeatIntervalMs")).toInteger();
  if (intervalMs <= 0) intervalMs = defaultIntervalMs;
  e.live = nowMs - e.lastSeenMs <= 2 * intervalMs;

  e.load = instance.value(QStringLiteral("load")).toObject();
  const QString region = e.load.value(QStringLiteral("region")).toString().trimmed();
  if (!region.isEmpty()) e.region = region;
  e.coordinates = coordinatesOf(e.load);
  // A capacity of zero or less would make the edge weightless (never first) yet still
  // "overloaded" by any traffic; such a report is treated as absent.
  const double capacity = e.load.value(QStringLiteral("capacityMbps")).toDouble(0);
  if (std::isfinite(capacity) && capacity > 0) e.capacityMbps = capacity;
  const double bps = e.load.value(QStringLiteral("bytesPerSecond")).toDouble(0);
  if (std::isfinite(bps) && bps > 0) e.bytesPerSecond = bps;
  e.healthy = e.load.value(QStringLiteral("healthy")).toBool(true);
  for (const QJsonValue &t : e.load.value(QStringLiteral("titles")).toArray())
    if (t.isString()) e.titles << t.toString();
  return e;
}

QJsonObject edgeToJson(const Edge &e) {
  return QJsonObject{
      {QStringLiteral("instanceId"), e.instanceId},
      {QStringLiteral("url"), e.url},
      {QStringLiteral("region"), e.region},
      {QStringLiteral("coordinates"), e.coordinates},
      {QStringLiteral("capacityMbps"), e.capacityMbps},
      {QStringLiteral("healthy"), e.healthy},
      {QStringLiteral("live"), e.live},
      {QStringLiteral("lastSeenMs"), e.lastSeenMs},
      {QStringLiteral("load"), e.load},
  };
}

Result<std::vector<Edge>> listEdges(const InstanceRegistry &registry, qint64 nowMs, qint64 defaultIntervalMs) {
  auto instances = registry.list(nowMs, QStringLiteral("edge"));
  RS_RETURN_IF_ERROR(instances.status());
  std::vector<Edge> out;
  out.reserve(size_t(instances->size()));
  for (const QJsonValue &v : *instances) out.push_back(edgeFromInstance(v.toObject(), nowMs, defaultIntervalMs));
  return out;
}

}  // namespace rs::control
