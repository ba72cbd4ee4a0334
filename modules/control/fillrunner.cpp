#include "control/fillrunner.h"

#include "core/log/log.h"
#include "core/net/httpclient.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <atomic>

namespace rs {
Q_DECLARE_LOGGING_CATEGORY(lcControl)
}

namespace rs::control {

namespace {

// The edge's job as its latest heartbeat reports it, or null once it fell out of
// the edge's list (or the edge is gone).
QJsonValue progressOf(const FillSend &s, const std::vector<Edge> &edges) {
  if (s.jobId.isEmpty()) return QJsonValue::Null;
  for (const Edge &e : edges) {
    if (e.instanceId != s.instanceId) continue;
    for (const QJsonValue &job : e.load.value(QStringLiteral("prefetch")).toArray()) {
      if (job.toObject().value(QStringLiteral("id")).toString() == s.jobId) return job.toObject();
    }
  }
  return QJsonValue::Null;
}

QJsonObject runToJson(const FillRun &run, const std::vector<Edge> &edges) {
  QJsonArray sends;
  for (const FillSend &s : run.sends) {
    sends.append(QJsonObject{
        {QStringLiteral("instanceId"), s.instanceId},
        {QStringLiteral("url"), s.url},
        {QStringLiteral("region"), s.region},
        {QStringLiteral("titles"), QJsonArray::fromStringList(s.titles)},
        {QStringLiteral("status"), s.sent ? QStringLiteral("sent") : QStringLiteral("failed")},
        {QStringLiteral("error"), s.error},
        {QStringLiteral("jobId"), s.jobId.isEmpty() ? QJsonValue::Null : QJsonValue(s.jobId)},
        {QStringLiteral("progress"), progressOf(s, edges)},
    });
  }
  return QJsonObject{{QStringLiteral("startedMs"), run.startedMs},
                     {QStringLiteral("finishedMs"), run.finishedMs},
                     {QStringLiteral("trigger"), run.trigger},
                     {QStringLiteral("sends"), sends}};
}

}  // namespace

FillRunner::FillRunner(InstanceRegistry &registry, FillPlanner &planner, net::HttpClient *client, Options options,
                       Clock clock)
    : registry_(registry), planner_(planner), client_(client), options_(options), clock_(std::move(clock)) {
  QObject::connect(&timer_, &QTimer::timeout, [this] {
    run(QStringLiteral("schedule"), [](Result<QJsonObject> r) {
      if (!r) qCWarning(lcControl).noquote() << "scheduled fill failed:" << r.status().message();
    });
  });
}

FillRunner::~FillRunner() { timer_.stop(); }

void FillRunner::schedule(int intervalSeconds) {
  timer_.stop();
  if (intervalSeconds <= 0) return;
  timer_.setInterval(intervalSeconds * 1000);
  timer_.start();
}

std::vector<Edge> FillRunner::edgesNow() const {
  auto edges = listEdges(registry_, clock_(), options_.defaultIntervalMs);
  return edges ? std::move(*edges) : std::vector<Edge>{};
}

Result<FillPlan> FillRunner::planFor(const std::vector<Edge> &edges) {
  QStringList regions;
  for (const Edge &e : edges)
    if (e.live && !regions.contains(e.region)) regions << e.region;
  return planner_.plan(regions, options_.topN);
}

Result<FillPlan> FillRunner::currentPlan() {
  auto edges = listEdges(registry_, clock_(), options_.defaultIntervalMs);
  RS_RETURN_IF_ERROR(edges.status());
  return planFor(*edges);
}

void FillRunner::run(const QString &trigger, std::function<void(Result<QJsonObject>)> done) {
  auto run = std::make_shared<FillRun>();
  run->startedMs = clock_();
  run->trigger = trigger;
  auto edges = listEdges(registry_, run->startedMs, options_.defaultIntervalMs);
  if (!edges) return done(edges.status());
  auto plan = planFor(*edges);
  if (!plan) return done(plan.status());
  for (const Edge &e : *edges) {
    if (!e.live || !e.healthy) continue;
    const auto it = plan->find(e.region);
    // An empty plan is nothing to send (and an edge may refuse an empty job).
    if (it == plan->end() || it->second.empty()) continue;
    run->sends.push_back(FillSend{e.instanceId, e.url, e.region, planTitles(it->second), false, {}, {}});
  }

  std::weak_ptr<Shared> weak = shared_;
  // Runs on the client's thread, the thread that also destroys the runner: a live
  // `weak` means `this` is alive too.
  auto finish = [this, weak, run, done] {
    auto shared = weak.lock();
    if (!shared) return;
    run->finishedMs = clock_();
    {
      std::lock_guard lock(shared->mutex);
      if (!shared->last || shared->last->startedMs <= run->startedMs) shared->last = *run;
    }
    int failed = 0;
    for (const FillSend &s : run->sends) failed += s.sent ? 0 : 1;
    qCInfo(lcControl).noquote() << run->trigger << "fill: prefetch sent to" << run->sends.size() << "edge(s)," << failed
                                << "failed";
    done(runToJson(*run, edgesNow()));
  };
  if (run->sends.empty()) return finish();

  // run() may be called on a request's thread while replies arrive on the client's.
  auto left = std::make_shared<std::atomic<int>>(int(run->sends.size()));
  net::ClientOptions o;
  o.timeoutMs = options_.sendTimeoutMs;
  for (size_t i = 0; i < run->sends.size(); ++i) {
    FillSend &s = run->sends[i];
    const QUrl base(s.url);
    if (s.url.isEmpty() || !base.isValid() || base.host().isEmpty()) {
      s.error = QStringLiteral("the edge registered no URL");
      if (--*left == 0) finish();
      continue;
    }
    const QUrl url = base.resolved(QUrl(QStringLiteral("/edge/v1/prefetch")));
    const QJsonObject job{{QStringLiteral("titles"), QJsonArray::fromStringList(s.titles)}};
    const QByteArray body = QJsonDocument(job).toJson(QJsonDocument::Compact);
    client_->post(url, body, o, [run, i, left, finish](net::ClientReply r) {
      FillSend &s = run->sends[i];
      if (r.ok()) {
        s.jobId = r.json().object().value(QStringLiteral("job")).toObject().value(QStringLiteral("id")).toString();
        s.sent = true;
        if (s.jobId.isEmpty()) s.error = QStringLiteral("the edge accepted the job but named no job id");
      } else {
        s.error = r.describe();
      }
      if (--*left == 0) finish();
    });
  }
}

QJsonValue FillRunner::lastRun() {
  std::optional<FillRun> last;
  {
    std::lock_guard lock(shared_->mutex);
    last = shared_->last;
  }
  if (!last) return QJsonValue::Null;
  return runToJson(*last, edgesNow());
}

}  // namespace rs::control
