#pragma once
// GET|HEAD /media/{*path}: the cache as clients see it. Answers hits at once, joins or
// starts the key's fetch on a miss and answers when the upstream's head arrives
// (never blocking a worker thread on upstream I/O), serves STALE while the upstreams
// are down or a refetch failed, and fails fast when nothing can be served.

#include "core/http/router.h"
#include "core/http/server.h"
#include "edge/cache.h"
#include "edge/edgestats.h"

#include <QByteArray>
#include <memory>

namespace rs::edge {

class Fetch;
class Fetcher;
class UpstreamPool;
struct Ask;

class MediaHandler {
 public:
  MediaHandler(Cache &cache, Fetcher &fetcher, UpstreamPool &pool, EdgeStats &stats, const QString &instanceId);
  void handle(http::Request &request, http::Responder responder);

 private:
  QByteArray xcache(const char *state, const char *tier) const;
  // `stale`: an expired copy held while its refetch runs, served if the refetch fails.
  void answerFromFetch(const std::shared_ptr<Fetch> &fetch, const Ask &ask, const http::Responder &responder,
                       const std::shared_ptr<const Cache::Found> &stale);
  void send(const http::Responder &responder, http::Response response, EdgeStats::Result result, bool head);

  Cache &cache_;
  Fetcher &fetcher_;
  UpstreamPool &pool_;
  EdgeStats &stats_;
  const QByteArray edgeId_;
};

}  // namespace rs::edge
