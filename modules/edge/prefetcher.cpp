#include "edge/prefetcher.h"

#include "edge/edgelog.h"
#include "edge/cache.h"
#include "edge/fetch.h"
#include "edge/fetcher.h"
#include "edge/playlist.h"

#include <QDateTime>
#include <QRandomGenerator>
#include <QRegularExpression>

namespace rs::edge {

namespace {
constexpr int kKeptJobs = 20;
constexpr int kMaxTitles = 1000;
constexpr int kMaxPaths = 100000;
qint64 nowMs() { return QDateTime::currentMSecsSinceEpoch(); }

bool validTitle(const QString &t) {
  static const QRegularExpression re(QStringLiteral("^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,127}$"));
  return re.match(t).hasMatch();
}

bool validPath(const QString &p) {
  if (!p.startsWith(QLatin1String("/media/")) || p.size() > 4096 || p.endsWith(QLatin1Char('/'))) return false;
  if (p.contains(QLatin1Char('?')) || p.contains(QLatin1Char('#')) || p.contains(QLatin1String("//"))) return false;
  for (const QString &seg : p.split(QLatin1Char('/')))
    if (seg == QLatin1String(".") || seg == QLatin1String("..")) return false;
  return true;
}
}  // namespace

Prefetcher::Prefetcher(Cache &cache, Fetcher &fetcher, double bytesPerSecond)
    : cache_(cache), fetcher_(fetcher), bucket_(bytesPerSecond) {
  timer_.setSingleShot(true);
  connect(&timer_, &QTimer::timeout, this, &Prefetcher::step);
}

Result<QJsonObject> Prefetcher::submit(const QStringList &titles, const QStringList &paths) {
  if (titles.isEmpty() && paths.isEmpty())
    return Status(ErrorCode::BadRequest, QStringLiteral("name at least one title or path"));
  if (titles.size() > kMaxTitles || paths.size() > kMaxPaths)
    return Status(ErrorCode::BadRequest, QStringLiteral("at most %1 titles and %2 paths per job").arg(kMaxTitles).arg(kMaxPaths));
  auto job = std::make_shared<Job>();
  for (const QString &t : titles) {
    if (!validTitle(t)) return Status(ErrorCode::BadRequest, QStringLiteral("'%1' is not a title id").arg(t.left(100)));
    if (job->titles.contains(t)) continue;
    job->titles << t;
    const QString base = QStringLiteral("/media/") + t + QLatin1Char('/');
    job->todo.push_back({base + QStringLiteral("master.m3u8"), true, true});
    for (const char *name : {"manifest.mpd", "poster.jpg", "thumbs.jpg", "thumbs.vtt"})
      job->todo.push_back({base + QLatin1String(name), false, false});
  }
  for (const QString &p : paths) {
    if (!validPath(p)) return Status(ErrorCode::BadRequest, QStringLiteral("'%1' is not a /media/ object path").arg(p.left(200)));
    job->todo.push_back({p, false, false});
  }
  std::deque<Item> unique;
  for (Item &i : job->todo)
    if (!job->seen.contains(i.key)) {
      job->seen.insert(i.key);
      unique.push_back(std::move(i));
    }
  job->todo = std::move(unique);
  job->total = int(job->todo.size());
  job->createdMs = nowMs();
  job->id = QStringLiteral("p_") + QString::number(QRandomGenerator::global()->generate64(), 16).rightJustified(16, QLatin1Char('0'));
  QJsonObject view;
  {
    std::lock_guard lock(mutex_);
    jobs_.push_back(job);
    // Keep the last kKeptJobs; jobs not finished are never dropped.
    for (auto it = jobs_.begin(); jobs_.size() > size_t(kKeptJobs) && it != jobs_.end();) {
      const bool finished = (*it)->state == QLatin1String("done") || (*it)->state == QLatin1String("failed");
      it = finished ? jobs_.erase(it) : std::next(it);
    }
    view = toJson(*job, false);
  }
  qCInfo(lcEdge).noquote() << "prefetch" << job->id << "queued:" << job->titles.size() << "titles," << job->total << "objects so far";
  QMetaObject::invokeMethod(this, [this] { step(); }, Qt::QueuedConnection);
  return view;
}

void Prefetcher::scheduleStep(int ms) {
  if (stopped_) return;
  timer_.start(ms);
}

void Prefetcher::step() {
  if (stopped_ || busy_) return;
  Item item;
  {
    std::lock_guard lock(mutex_);
    if (!current_) {
      for (const auto &j : jobs_)
        if (j->state == QLatin1String("queued")) {
          current_ = j;
          current_->state = QStringLiteral("running");
          break;
        }
      if (!current_) return;
    }
    if (current_->todo.empty()) {
      finishCurrent();
      scheduleStep();
      return;
    }
  }
  if (const int wait = bucket_.waitMs(); wait > 0) {
    scheduleStep(wait);
    return;
  }
  {
    std::lock_guard lock(mutex_);
    item = current_->todo.front();
    current_->todo.pop_front();
  }
  busy_ = true;
  for (int round = 0; round < 5; ++round) {
    const quint64 epoch = cache_.epoch();
    const Cache::Found found = cache_.lookup(item.key, nowMs());
    if (found.kind == Cache::Found::Kind::Negative) {
      itemEnded(item, false, 0, {}, QStringLiteral("not found"));
      return;
    }
    if (found.kind != Cache::Found::Kind::None && found.fresh) {
      // Already here: counts as done, and belongs on disk like everything prefetched.
      if (found.memory && !cache_.onDisk(item.key)) cache_.keepOnDisk(found.memory);
      itemEnded(item, true, 0, item.playlist ? Cache::readBody(found) : QByteArray(), {});
      return;
    }
    const Cache::Joined joined = cache_.join(item.key, true, epoch);
    if (!joined.fetch) continue;
    if (joined.created) fetcher_.run(joined.fetch);
    std::shared_ptr<Fetch> fetch = joined.fetch;
    fetch->onDone([this, item, fetch] {
      QMetaObject::invokeMethod(this, [this, item, fetch] { fetchEnded(item, fetch); }, Qt::QueuedConnection);
    });
    return;
  }
  itemEnded(item, false, 0, {}, QStringLiteral("changing too fast"));
}

void Prefetcher::fetchEnded(const Item &item, const std::shared_ptr<Fetch> &fetch) {
  if (fetch->state() != Fetch::State::Complete) {
    itemEnded(item, false, 0, {}, fetch->failure().message());
    return;
  }
  const qint64 size = fetch->contentLength();
  bucket_.spend(size);
  itemEnded(item, true, size, item.playlist ? fetch->body() : QByteArray(), {});
}

void Prefetcher::itemEnded(const Item &item, bool ok, qint64 bytes, const QByteArray &body, const QString &error) {
  busy_ = false;
  if (stopped_) return;
  {
    std::lock_guard lock(mutex_);
    if (!current_) return;
    Job &job = *current_;
    job.bytes += bytes;
    if (ok) {
      ++job.done;
    } else {
      ++job.failed;
      if (job.failures.size() < 5) job.failures << item.key + QStringLiteral(": ") + error;
      if (item.essential) job.essentialFailed = true;
    }
    if (ok && item.playlist) {
      const PlaylistRefs refs = playlistRefs(body, item.key);
      for (const QString &k : refs.playlists)
        if (!job.seen.contains(k)) {
          job.seen.insert(k);
          job.todo.push_back({k, true, false});
          ++job.total;
        }
      for (const QString &k : refs.objects)
        if (!job.seen.contains(k)) {
          job.seen.insert(k);
          job.todo.push_back({k, false, false});
          ++job.total;
        }
    }
  }
  scheduleStep();
}

// Under mutex_.
void Prefetcher::finishCurrent() {
  Job &job = *current_;
  job.finishedMs = nowMs();
  const bool failed = job.essentialFailed || (job.done == 0 && job.failed > 0);
  job.state = failed ? QStringLiteral("failed") : QStringLiteral("done");
  if (job.failed > 0)
    job.error = QStringLiteral("%1 of %2 objects failed: %3").arg(job.failed).arg(job.total).arg(job.failures.join(QStringLiteral("; ")));
  qCInfo(lcEdge).noquote() << "prefetch" << job.id << job.state
                           << QStringLiteral("(%1/%2 objects, %3 bytes)%4").arg(job.done).arg(job.total).arg(job.bytes)
                                  .arg(job.error.isEmpty() ? QString() : QStringLiteral(": ") + job.error);
  current_.reset();
}

void Prefetcher::stop() {
  std::lock_guard lock(mutex_);
  stopped_ = true;
  timer_.stop();
  for (const auto &j : jobs_) {
    if (j->state != QLatin1String("queued") && j->state != QLatin1String("running")) continue;
    j->state = QStringLiteral("failed");
    j->error = QStringLiteral("the edge stopped");
    j->finishedMs = nowMs();
  }
  current_.reset();
}

QJsonObject Prefetcher::toJson(const Job &j, bool brief) {
  QJsonObject o{{QStringLiteral("id"), j.id},        {QStringLiteral("state"), j.state},
                {QStringLiteral("total"), j.total},  {QStringLiteral("done"), j.done},
                {QStringLiteral("failed"), j.failed}, {QStringLiteral("bytes"), j.bytes}};
  if (brief) return o;
  o.insert(QStringLiteral("titles"), QJsonArray::fromStringList(j.titles));
  o.insert(QStringLiteral("error"), j.error);
  o.insert(QStringLiteral("createdMs"), j.createdMs);
  o.insert(QStringLiteral("finishedMs"), j.finishedMs > 0 ? QJsonValue(j.finishedMs) : QJsonValue());
  return o;
}

QJsonArray Prefetcher::jobs() const {
  std::lock_guard lock(mutex_);
  QJsonArray out;
  for (auto it = jobs_.rbegin(); it != jobs_.rend(); ++it) out.append(toJson(**it, false));
  return out;
}

QJsonArray Prefetcher::progress() const {
  std::lock_guard lock(mutex_);
  QJsonArray out;
  for (auto it = jobs_.rbegin(); it != jobs_.rend(); ++it) out.append(toJson(**it, true));
  return out;
}

}  // namespace rs::edge
