#pragma once
// Prefetch jobs (POST /edge/v1/prefetch): titles expand to their manifests, every
// playlist, init and segment the HLS playlists name, and the poster and thumbnails;
// objects are fetched through the cache one at a time within a byte rate, and go to
// disk whatever admission says. Lives on the main thread; submit() and the JSON views
// may be called from any thread.

#include "core/status.h"
#include "edge/tokenbucket.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QObject>
#include <QSet>
#include <QStringList>
#include <QTimer>
#include <deque>
#include <memory>
#include <mutex>

namespace rs::edge {

class Cache;
class Fetch;
class Fetcher;

class Prefetcher : public QObject {
 public:
  Prefetcher(Cache &cache, Fetcher &fetcher, double bytesPerSecond);

  // Validates and queues a job; its JSON view.
  Result<QJsonObject> submit(const QStringList &titles, const QStringList &paths);
  QJsonArray jobs() const;     // the last 20, newest first (GET /edge/v1/prefetch)
  QJsonArray progress() const; // the same, short (heartbeat load)
  void stop();

 private:
  struct Item {
    QString key;
    bool playlist = false;  // expand what it names
    bool essential = false; // the job fails without it (a title's master playlist)
  };
  struct Job {
    QString id, state = QStringLiteral("queued"), error;
    QStringList titles;
    int total = 0, done = 0, failed = 0;
    qint64 bytes = 0, createdMs = 0, finishedMs = 0;
    std::deque<Item> todo;
    QSet<QString> seen;
    QStringList failures;
    bool essentialFailed = false;
  };
  void step();
  void fetchEnded(const Item &item, const std::shared_ptr<Fetch> &fetch);
  void itemEnded(const Item &item, bool ok, qint64 bytes, const QByteArray &body, const QString &error);
  void finishCurrent();
  static QJsonObject toJson(const Job &job, bool brief);
  void scheduleStep(int ms = 0);

  Cache &cache_;
  Fetcher &fetcher_;
  TokenBucket bucket_;
  QTimer timer_;
  mutable std::mutex mutex_;
  std::deque<std::shared_ptr<Job>> jobs_;  // oldest first
  std::shared_ptr<Job> current_;
  bool busy_ = false;
  bool stopped_ = false;
};

}  // namespace rs::edge
