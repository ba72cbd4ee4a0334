#pragma once
// The edge's options (docs/delivery.md, "Config options"), read and checked once at
// start so a bad value stops the role with a message naming the option.

#include "core/status.h"

#include <QList>
#include <QString>
#include <QUrl>

namespace rs::config { class Config; }

namespace rs::edge {

struct EdgeConfig {
  QList<QUrl> upstreams;  // empty: the local origin, else the origins control knows
  QString region;
  bool hasCoordinates = false;
  double latitude = 0, longitude = 0;
  double capacityMbps = 1000;
  qint64 memoryMaxBytes = 0;
  qint64 memoryObjectMaxBytes = 0;
  qint64 diskMaxBytes = 0;  // 0: no disk tier
  QString policy;
  QString admission;
  int connectTimeoutMs = 2000;
  int firstByteTimeoutMs = 10000;
  int betweenBytesTimeoutMs = 10000;
  int healthIntervalMs = 2000;
  int negativeTtlMs = 5000;
  double prefetchBytesPerSecond = 20e6;
};

Result<EdgeConfig> parseEdgeConfig(const config::Config &config);

}  // namespace rs::edge
