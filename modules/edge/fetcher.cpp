#include "edge/fetcher.h"

#include "edge/edgestats.h"
#include "edge/fetch.h"
#include "edge/freshness.h"
#include "edge/healthchecker.h"
#include "edge/upstreampool.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QHash>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QTimer>
#include <deque>
#include <unordered_map>

namespace rs::edge {

namespace {
// QNetworkAccessManager opens at most 6 connections per host and queues the rest
// internally, where a request would spend its connect timeout waiting for a slot.
// Holding the surplus here instead keeps the timeouts about the upstream.
constexpr int kConnectionsPerUpstream = 6;

// Upstream headers an edge keeps with the object and sends again (docs/delivery.md).
constexpr const char *kKeptHeaders[] = {"Content-Type", "Cache-Control", "ETag", "Last-Modified"};
}  // namespace

class Fetcher::Worker : public QObject {
 public:
  Worker(UpstreamPool &pool, EdgeStats &stats, FetchTimeouts t, FetchHooks hooks)
      : pool_(pool), stats_(stats), t_(t), hooks_(std::move(hooks)) {}

  void init() {
    nam_ = new QNetworkAccessManager(this);
    nam_->setProxy(QNetworkProxy::NoProxy);
    nam_->setAutoDeleteReplies(false);
  }

  void add(std::shared_ptr<Fetch> fetch) {
    auto job = std::make_unique<Job>();
    job->fetch = std::move(fetch);
    job->order = pool_.fetchOrder();
    Job *j = job.get();
    jobs_[j] = std::move(job);
    if (stopping_) {
      finishFailed(j, Status(ErrorCode::Unavailable, QStringLiteral("the edge is shutting down")));
      return;
    }
    if (j->order.isEmpty()) {
      finishFailed(j, Status(ErrorCode::BadGateway, QStringLiteral("no upstream is known yet")));
      return;
    }
    j->timer = new QTimer(this);
    j->timer->setSingleShot(true);
    connect(j->timer, &QTimer::timeout, this, [this, j] { onTimeout(j); });
    next(j);
  }

  void stopAll() {
    stopping_ = true;
    waiting_.clear();
    std::vector<Job *> all;
    for (auto &[j, owned] : jobs_) all.push_back(j);
    for (Job *j : all) finishFailed(j, Status(ErrorCode::Unavailable, QStringLiteral("the edge is shutting down")));
    delete nam_;
    nam_ = nullptr;
  }

 private:
  enum class Phase { Queued, Connecting, Head, Body };
  struct Job {
    std::shared_ptr<Fetch> fetch;
    QList<QUrl> order;
    int index = 0;
    QUrl url;
    Phase phase = Phase::Queued;
    bool holdsSlot = false;
    bool anyTimeout = false;
    bool completed = false;  // every byte is here; the reply is kept until it finishes (keep-alive)
    QStringList errors;
    QNetworkReply *reply = nullptr;
    QTimer *timer = nullptr;
    QElapsedTimer attempt;  // this upstream, for the time to the last byte
  };

  void next(Job *j) {
    if (j->index >= j->order.size()) {
      const QString why = QStringLiteral("no upstream delivered %1: %2").arg(j->fetch->key(), j->errors.join(QStringLiteral("; ")));
      finishFailed(j, Status(j->anyTimeout ? ErrorCode::GatewayTimeout : ErrorCode::BadGateway, why));
      return;
    }
    j->url = j->order[j->index];
    const QString k = j->url.toString();
    if (active_.value(k) >= kConnectionsPerUpstream) {
      j->phase = Phase::Queued;
      waiting_[k].push_back(j);
      return;
    }
    launch(j);
  }

  void launch(Job *j) {
    ++active_[j->url.toString()];
    j->holdsSlot = true;
    QNetworkRequest req(objectUrl(j->url, j->fetch->key()));
    req.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
    req.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    // One edge serves many viewers: never store or replay anyone's cookies.
    req.setAttribute(QNetworkRequest::CookieLoadControlAttribute, QNetworkRequest::Manual);
    req.setAttribute(QNetworkRequest::CookieSaveControlAttribute, QNetworkRequest::Manual);
    // The cache stores what the upstream sent; no transparent decompression.
    req.setRawHeader("Accept-Encoding", "identity");
    req.setRawHeader("User-Agent", "ReelStack-edge/" REELSTACK_VERSION);
    if (hooks_.authorization) {
      if (const QByteArray a = hooks_.authorization(); !a.isEmpty()) req.setRawHeader("Authorization", a);
    }
    j->reply = nam_->get(req);
    j->phase = Phase::Connecting;
    j->attempt.start();
    j->timer->start(t_.connectMs);
    QNetworkReply *r = j->reply;
    connect(r, &QNetworkReply::requestSent, this, [this, j] {
      if (j->phase != Phase::Connecting) return;
      j->phase = Phase::Head;
      j->timer->start(t_.firstByteMs);
    });
    connect(r, &QNetworkReply::metaDataChanged, this, [this, j] { onHead(j); });
    connect(r, &QNetworkReply::readyRead, this, [this, j] {
      if (j->phase != Phase::Body && !onHead(j)) return;
      readBody(j);
    });
    connect(r, &QNetworkReply::finished, this, [this, j] { onFinished(j); });
  }

  // True when the job continues with this reply's body; false when the head ended the
  // attempt (failover) or the fetch, or is not complete yet.
  bool onHead(Job *j) {
    if (j->phase == Phase::Body) return true;
    QNetworkReply *r = j->reply;
    const QVariant sv = r->attribute(QNetworkRequest::HttpStatusCodeAttribute);
    if (!sv.isValid()) return false;
    const int status = sv.toInt();
    if (status >= 500) {
      stats_.upstreamAttempt(j->url, "error");
      attemptFailed(j, QStringLiteral("HTTP %1").arg(status));
      return false;
    }
    if (status == 401 || status == 403) {
      // The upstream does not take this edge's service credential (another stack's
      // cluster key, or none): that upstream's fault, not the viewer's; try the next.
      stats_.upstreamAttempt(j->url, "error");
      attemptFailed(j, QStringLiteral("HTTP %1: the upstream refused this edge's service credential").arg(status));
      return false;
    }
    // It answered as a working upstream does: up, whatever its last check said (it
    // may have been checked before it was listening).
    pool_.markUp(j->url);
    if (status == 404 || status == 410) {
      stats_.upstreamAttempt(j->url, "not_found");
      finishFailed(j, Status(ErrorCode::NotFound, QStringLiteral("%1 is not on the upstream").arg(j->fetch->key())));
      return false;
    }
    if (status != 200) {
      stats_.upstreamAttempt(j->url, "error");
      const ErrorCode code = status >= 400 && status < 500 ? errorCodeForHttpStatus(status) : ErrorCode::BadGateway;
      finishFailed(j, Status(code, QStringLiteral("upstream %1 answered HTTP %2").arg(j->url.toString()).arg(status)));
      return false;
    }
    const QVariant cl = r->header(QNetworkRequest::ContentLengthHeader);
    const qint64 length = cl.isValid() ? cl.toLongLong() : -1;
    if (length > kMaxObjectBytes) {
      stats_.upstreamAttempt(j->url, "error");
      finishFailed(j, Status(ErrorCode::BadGateway, QStringLiteral("%1 has %2 bytes, more than an edge holds").arg(j->fetch->key()).arg(length)));
      return false;
    }
    edgecache::ObjectMeta meta;
    meta.status = 200;
    for (const char *name : kKeptHeaders)
      if (r->hasRawHeader(name)) meta.headers.append({QByteArray(name), r->rawHeader(name)});
    const Freshness f = parseCacheControl(r->rawHeader("Cache-Control"));
    // Age counts from when the upstream's copy was fetched, as RFC 9111 §4.2.3 has it.
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    meta.storedMs = now - parseAge(r->rawHeader("Age")) * 1000;
    meta.expiresMs = meta.storedMs + f.maxAgeSeconds * 1000;
    j->phase = Phase::Body;
    j->timer->start(t_.betweenBytesMs);
    j->fetch->setStorable(f.storable);
    j->fetch->begin(std::move(meta), length, r->rawHeader("X-Cache"), j->url);
    return true;
  }

  void readBody(Job *j) {
    QNetworkReply *r = j->reply;
    qint64 got = 0;
    while (r->bytesAvailable() > 0) {
      qint64 room = 0;
      if (char *to = j->fetch->writeArea(&room)) {
        const qint64 n = room > 0 ? r->read(to, qMin(room, r->bytesAvailable())) : 0;
        if (n <= 0) {
          r->skip(r->bytesAvailable());  // beyond Content-Length: not ours
          break;
        }
        j->fetch->commit(n);
        got += n;
      } else {
        const QByteArray chunk = r->readAll();
        got += chunk.size();
        j->fetch->append(chunk.constData(), chunk.size());
        if (j->fetch->received() > kMaxObjectBytes) {
          stats_.fetchedBytes(got, j->fetch->startedByPrefetch());
          stats_.upstreamAttempt(j->url, "error");
          finishFailed(j, Status(ErrorCode::BadGateway, QStringLiteral("%1 is larger than an edge holds").arg(j->fetch->key())));
          return;
        }
      }
    }
    stats_.fetchedBytes(got, j->fetch->startedByPrefetch());
    if (j->fetch->state() == Fetch::State::Complete && !j->completed) {
      // The last byte arrived: store and serve it now, not when the reply reports
      // the end a loop iteration later.
      j->completed = true;
      j->timer->stop();
      stats_.upstreamAttempt(j->url, "ok");
      stats_.upstreamTimeToLastByte(j->url, double(j->attempt.nsecsElapsed()) / 1e9);
      if (hooks_.completed) hooks_.completed(j->fetch);
      return;
    }
    j->timer->start(t_.betweenBytesMs);
  }

  void onFinished(Job *j) {
    QNetworkReply *r = j->reply;
    if (j->phase != Phase::Body && r->attribute(QNetworkRequest::HttpStatusCodeAttribute).isValid()) {
      if (!onHead(j)) return;
    }
    if (j->phase == Phase::Body) {
      readBody(j);
      if (jobs_.find(j) == jobs_.end()) return;
      if (j->completed) {
        release(j);
        take(j);
        return;
      }
      const qint64 length = j->fetch->contentLength();
      if (r->error() != QNetworkReply::NoError || (length >= 0 && j->fetch->received() < length)) {
        stats_.upstreamAttempt(j->url, "error");
        finishFailed(j, Status(ErrorCode::BadGateway, QStringLiteral("upstream %1 broke off %2 after %3 of %4 bytes: %5")
                                                          .arg(j->url.toString(), j->fetch->key())
                                                          .arg(j->fetch->received())
                                                          .arg(length)
                                                          .arg(r->errorString())));
        return;
      }
      stats_.upstreamAttempt(j->url, "ok");
      stats_.upstreamTimeToLastByte(j->url, double(j->attempt.nsecsElapsed()) / 1e9);
      finishOk(j);
      return;
    }
    // No response at all: connect failure or a connection closed before the head.
    const auto err = r->error();
    if (err == QNetworkReply::ConnectionRefusedError || err == QNetworkReply::HostNotFoundError)
      pool_.markDown(j->url, r->errorString());
    stats_.upstreamAttempt(j->url, "error");
    attemptFailed(j, r->errorString());
  }

  void onTimeout(Job *j) {
    if (jobs_.find(j) == jobs_.end() || !j->reply || j->completed) return;
    stats_.upstreamAttempt(j->url, "timeout");
    if (j->phase == Phase::Body) {
      finishFailed(j, Status(ErrorCode::GatewayTimeout, QStringLiteral("upstream %1 paused more than %2 ms inside %3")
                                                            .arg(j->url.toString())
                                                            .arg(t_.betweenBytesMs)
                                                            .arg(j->fetch->key())));
      return;
    }
    j->anyTimeout = true;
    attemptFailed(j, j->phase == Phase::Connecting ? QStringLiteral("no connection within %1 ms").arg(t_.connectMs)
                                                   : QStringLiteral("no response head within %1 ms").arg(t_.firstByteMs));
  }

  void attemptFailed(Job *j, const QString &why) {
    j->errors << j->url.toString() + QStringLiteral(": ") + why;
    release(j);
    ++j->index;
    next(j);
  }

  // Ends the current attempt: its reply is dropped and its connection slot handed on.
  void release(Job *j) {
    if (j->timer) j->timer->stop();
    if (QNetworkReply *r = j->reply) {
      j->reply = nullptr;
      r->disconnect(this);
      // Deleting a running reply closes its connection. Not abort(): QNetworkReply has
      // often already recorded an error (a 404 is one) and complains when given another.
      r->deleteLater();
    }
    if (j->holdsSlot) {
      j->holdsSlot = false;
      const QString k = j->url.toString();
      --active_[k];
      auto &queue = waiting_[k];
      while (!queue.empty() && active_.value(k) < kConnectionsPerUpstream && !stopping_) {
        Job *nextJob = queue.front();
        queue.pop_front();
        launch(nextJob);
      }
    } else if (j->phase == Phase::Queued) {
      auto &queue = waiting_[j->url.toString()];
      queue.erase(std::remove(queue.begin(), queue.end(), j), queue.end());
    }
  }

  void finishOk(Job *j) {
    release(j);
    auto owned = take(j);
    owned->fetch->complete();
    if (owned->fetch->state() == Fetch::State::Complete) {
      if (hooks_.completed) hooks_.completed(owned->fetch);
    } else if (hooks_.failing) {
      hooks_.failing(owned->fetch, owned->fetch->failure());
    }
  }

  void finishFailed(Job *j, const Status &why) {
    release(j);
    auto owned = take(j);
    if (owned->completed) return;  // a reply that broke after its last byte changes nothing
    if (hooks_.failing) hooks_.failing(owned->fetch, why);
    owned->fetch->fail(why);
  }

  std::unique_ptr<Job> take(Job *j) {
    auto it = jobs_.find(j);
    std::unique_ptr<Job> owned = std::move(it->second);
    jobs_.erase(it);
    if (owned->timer) owned->timer->deleteLater();
    owned->timer = nullptr;
    return owned;
  }

  UpstreamPool &pool_;
  EdgeStats &stats_;
  const FetchTimeouts t_;
  const FetchHooks hooks_;
  QNetworkAccessManager *nam_ = nullptr;
  bool stopping_ = false;
  std::unordered_map<Job *, std::unique_ptr<Job>> jobs_;
  QHash<QString, int> active_;
  QHash<QString, std::deque<Job *>> waiting_;
};

Fetcher::Fetcher(UpstreamPool &pool, EdgeStats &stats, FetchTimeouts timeouts, FetchHooks hooks)
    : pool_(pool), timeouts_(timeouts), hooks_(hooks) {
  thread_.setObjectName(QStringLiteral("edge-fetch"));
  worker_ = new Worker(pool, stats, timeouts, std::move(hooks));
}

Fetcher::~Fetcher() {
  stop();
  delete worker_;
  delete checker_;
}

void Fetcher::start(int healthIntervalMs) {
  if (running_ || checker_) return;
  // A check must answer well within the time it takes to connect and send a head.
  const int checkTimeout = timeouts_.connectMs + qMin(timeouts_.firstByteMs, 1000);
  checker_ = new HealthChecker(pool_, healthIntervalMs, checkTimeout);
  worker_->moveToThread(&thread_);
  checker_->moveToThread(&thread_);
  thread_.start();
  QMetaObject::invokeMethod(worker_, [w = worker_, c = checker_] {
    w->init();
    c->start();
  }, Qt::BlockingQueuedConnection);
  running_ = true;
}

void Fetcher::stop() {
  if (!running_) return;
  running_ = false;
  QMetaObject::invokeMethod(worker_, [this] {
    checker_->stop();
    worker_->stopAll();
    // Back to no thread's affinity so the destructor may delete them from here.
    worker_->moveToThread(nullptr);
    checker_->moveToThread(nullptr);
  }, Qt::BlockingQueuedConnection);
  thread_.quit();
  thread_.wait();
}

void Fetcher::run(std::shared_ptr<Fetch> fetch) {
  if (!running_) {
    const Status why(ErrorCode::Unavailable, QStringLiteral("the edge is not running"));
    if (hooks_.failing) hooks_.failing(fetch, why);
    fetch->fail(why);
    return;
  }
  QMetaObject::invokeMethod(worker_, [w = worker_, f = std::move(fetch)]() mutable { w->add(std::move(f)); },
                            Qt::QueuedConnection);
}

}  // namespace rs::edge
