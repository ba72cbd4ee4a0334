#pragma once
// Active health checks: every interval, GET <upstream>/healthz on each upstream (never
// two at once to one upstream); 200 within the timeout is healthy, anything else marks
// it down until a later check passes. Lives on the fetcher's thread with its own
// network manager, so checks never wait behind downloads for a connection.

#include <QObject>
#include <QSet>
#include <QTimer>

class QNetworkAccessManager;

namespace rs::edge {

class UpstreamPool;

class HealthChecker : public QObject {
  Q_OBJECT
 public:
  HealthChecker(UpstreamPool &pool, int intervalMs, int timeoutMs);
  // On the thread the checker lives on.
  void start();
  void stop();

 private:
  void tick();
  UpstreamPool &pool_;
  const int intervalMs_, timeoutMs_;
  QNetworkAccessManager *nam_ = nullptr;
  QTimer *timer_ = nullptr;
  QSet<QString> checking_;
};

}  // namespace rs::edge
