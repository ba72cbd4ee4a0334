#pragma once
// Upstreams when none are configured and no origin runs in this process: the live
// origins in control's registry (GET /control/v1/instances?role=origin), asked again
// every few seconds so origins that come and go are followed. Main thread.

#include <QObject>
#include <QTimer>
#include <QUrl>

namespace rs::net { class HttpClient; }

namespace rs::edge {

class UpstreamPool;

class OriginDiscovery : public QObject {
 public:
  OriginDiscovery(net::HttpClient *client, QUrl controlUrl, UpstreamPool &pool);
  void start();
  void stop() { timer_.stop(); }

 private:
  void poll();
  net::HttpClient *client_;
  const QUrl controlUrl_;
  UpstreamPool &pool_;
  QTimer timer_;
  bool warned_ = false;
};

}  // namespace rs::edge
