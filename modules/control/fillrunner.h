#pragma once
// Runs fills: each live, healthy edge gets its region's plan as one prefetch job
// (POST <edge>/edge/v1/prefetch {"titles":[…]}), on a schedule and on demand. The
// last run is remembered (in memory); each send's progress is read when asked, from
// the job as the edge last reported it in its heartbeat.

#include "control/edges.h"
#include "control/fillplanner.h"
#include "control/instanceregistry.h"
#include "control/records.h"

#include <QJsonObject>
#include <QTimer>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>

namespace rs::net { class HttpClient; }

namespace rs::control {

struct FillSend {
  QString instanceId;
  QString url;
  QString region;
  QStringList titles;
  bool sent = false;
  QString error;
  QString jobId;  // the edge's prefetch job, from its 202 {"job":{"id":…}}
};

struct FillRun {
  qint64 startedMs = 0;
  qint64 finishedMs = 0;
  QString trigger;  // "schedule" or "manual"
  std::vector<FillSend> sends;
};

class FillRunner {
 public:
  struct Options {
    int topN = 10;
    qint64 defaultIntervalMs = 2000;  // heartbeat interval of edges that do not say
    int sendTimeoutMs = 3000;
  };

  // All references must outlive the runner. Callbacks of sends still in flight when
  // the runner goes are dropped.
  FillRunner(InstanceRegistry &registry, FillPlanner &planner, net::HttpClient *client, Options options,
             Clock clock = systemClock());
  ~FillRunner();

  // The plan for the regions of the live edges.
  Result<FillPlan> currentPlan();
  // Plans and sends; `done` gets the finished run as lastRun shows it (on the HTTP
  // client's thread, or at once when there is nothing to send) or why planning failed.
  void run(const QString &trigger, std::function<void(Result<QJsonObject>)> done);
  // The last finished run with each send's progress as of now; null before any.
  QJsonValue lastRun();
  // Fills every intervalSeconds on the calling thread's event loop; 0 = never.
  void schedule(int intervalSeconds);

 private:
  struct Shared {
    std::mutex mutex;
    std::optional<FillRun> last;
  };
  Result<FillPlan> planFor(const std::vector<Edge> &edges);
  std::vector<Edge> edgesNow() const;

  InstanceRegistry &registry_;
  FillPlanner &planner_;
  net::HttpClient *client_;
  Options options_;
  Clock clock_;
  std::shared_ptr<Shared> shared_ = std::make_shared<Shared>();
  QTimer timer_;
};

}  // namespace rs::control
