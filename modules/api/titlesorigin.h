#pragma once
// Where published titles are served: the origin in this process, or else the first
// live origin in control's instance list, remembered for a few seconds so listing
// titles does not cost a registry lookup each time.

#include "core/http/request.h"

#include <QUrl>
#include <functional>
#include <memory>
#include <mutex>

namespace rs::net { class HttpClient; }
namespace rs::roles { class RoleHost; }

namespace rs::api {

class OriginLocator : public std::enable_shared_from_this<OriginLocator> {
 public:
  struct Origin {
    QUrl publicUrl;  // goes into the URLs players get
    QUrl callUrl;    // for api's own calls (loopback when in this process)
    bool isValid() const { return publicUrl.isValid() && !publicUrl.isEmpty(); }
  };

  // `local` is the origin of this process (empty when origin runs elsewhere).
  OriginLocator(net::HttpClient *client, QUrl control, Origin local, int cacheMs = 5000)
      : client_(client), control_(std::move(control)), local_(std::move(local)), cacheMs_(cacheMs) {}

  // `done` gets the origin, or an invalid one when none is known; it runs on the
  // client's thread (or at once, from the cache).
  void find(const http::TraceContext &trace, std::function<void(Origin)> done);

 private:
  net::HttpClient *client_;
  QUrl control_;
  Origin local_;
  int cacheMs_;
  std::mutex mutex_;
  Origin cached_;
  qint64 cachedUntilMs_ = 0;
};

// The origin of this process when there is one, else control's live origins.
std::shared_ptr<OriginLocator> makeOriginLocator(roles::RoleHost &host, const QUrl &control);

}  // namespace rs::api
