#include "edge/mediahandler.h"

#include "edge/answer.h"
#include "edge/cache.h"
#include "edge/edgestats.h"
#include "edge/fetch.h"
#include "edge/fetcher.h"
#include "edge/upstreampool.h"

#include <QDateTime>

namespace rs::edge {

namespace {
qint64 nowMs() { return QDateTime::currentMSecsSinceEpoch(); }
// join() asks for another look when a fetch ended between lookup and join; more than
// a few in a row would mean the key completes faster than it can be looked up.
constexpr int kLookupRounds = 5;
}  // namespace

MediaHandler::MediaHandler(Cache &cache, Fetcher &fetcher, UpstreamPool &pool, EdgeStats &stats, const QString &instanceId)
    : cache_(cache), fetcher_(fetcher), pool_(pool), stats_(stats), edgeId_(instanceId.toUtf8()) {}

QByteArray MediaHandler::xcache(const char *state, const char *tier) const {
  return QByteArray(state) + " tier=" + tier + " edge=" + edgeId_;
}

void MediaHandler::send(const http::Responder &responder, http::Response response, EdgeStats::Result result, bool head) {
  const bool ok = response.status == 200 || response.status == 206;
  stats_.answered(result, ok && !head ? response.contentLength() : 0);
  responder.send(std::move(response));
}

namespace {
BodyRef bodyOf(const Cache::Found &f) {
  BodyRef b;
  if (f.memory) b.bytes = f.memory->body;
  else b.file = f.file;
  return b;
}
}  // namespace

void MediaHandler::handle(http::Request &request, http::Responder responder) {
  const QString key = QStringLiteral("/media/") + request.param(QStringLiteral("path"));
  const Ask ask = Ask::of(request);
  cache_.recordRequest(key);

  for (int round = 0; round < kLookupRounds; ++round) {
    const qint64 now = nowMs();
    const quint64 epoch = cache_.epoch();
    Cache::Found found = cache_.lookup(key, now);
    using Kind = Cache::Found::Kind;
    if (found.kind == Kind::Negative) {
      send(responder, errorAnswer(Status(ErrorCode::NotFound, QStringLiteral("%1 is not on the upstream").arg(key)),
                                  xcache("HIT", "negative")),
           EdgeStats::Result::Negative, ask.head);
      return;
    }
    const bool held = found.kind != Kind::None;
    const char *tier = found.kind == Kind::Disk ? "disk" : "memory";
    const bool upstreamUp = pool_.anyHealthy();
    if (held && found.fresh && upstreamUp) {
      stats_.hit(found.kind == Kind::Disk ? EdgeStats::Tier::Disk : EdgeStats::Tier::Memory);
      send(responder, objectAnswer(ask, found.meta, found.meta.size, bodyOf(found), xcache("HIT", tier), now, true),
           EdgeStats::Result::Hit, ask.head);
      return;
    }
    if (!upstreamUp && held) {
      // Every upstream is down: whatever is held is served STALE (the edge cannot
      // vouch for it, fresh or not), and nobody waits for an upstream's timeouts.
      send(responder, objectAnswer(ask, found.meta, found.meta.size, bodyOf(found), xcache("STALE", tier), now, true),
           EdgeStats::Result::Stale, ask.head);
      return;
    }
    if (pool_.empty()) {
      send(responder, errorAnswer(Status(ErrorCode::BadGateway, QStringLiteral("no upstream is known yet")), xcache("MISS", "upstream")),
           EdgeStats::Result::Error, ask.head);
      return;
    }
    // Not held and every upstream marked down: tried anyway (UpstreamPool::fetchOrder),
    // since the verdict may be a check made before the upstream was listening.

    const Cache::Joined joined = cache_.join(key, false, epoch);
    if (!joined.fetch) continue;
    const std::shared_ptr<Fetch> &fetch = joined.fetch;
    if (!joined.created && fetch->state() == Fetch::State::Complete) {
      // Fetched a moment ago and still being written to disk: it is in memory.
      stats_.hit(EdgeStats::Tier::Memory);
      const edgecache::ObjectMeta meta = fetch->meta();
      BodyRef body;
      body.bytes = fetch->body();
      send(responder, objectAnswer(ask, meta, meta.size, std::move(body), xcache("HIT", "memory"), now, true),
           EdgeStats::Result::Hit, ask.head);
      return;
    }
    if (joined.created) fetcher_.run(fetch);
    else stats_.coalesced();
    std::shared_ptr<const Cache::Found> stale;
    if (held) stale = std::make_shared<const Cache::Found>(std::move(found));
    fetch->onReady([this, fetch, ask, responder, stale] { answerFromFetch(fetch, ask, responder, stale); });
    return;
  }
  send(responder, errorAnswer(Status(ErrorCode::Unavailable, QStringLiteral("%1 is changing too fast to serve").arg(key)), {}),
       EdgeStats::Result::Error, ask.head);
}

void MediaHandler::answerFromFetch(const std::shared_ptr<Fetch> &fetch, const Ask &ask, const http::Responder &responder,
                                   const std::shared_ptr<const Cache::Found> &stale) {
  const qint64 now = nowMs();
  if (fetch->state() == Fetch::State::Failed) {
    const Status why = fetch->failure();
    if (why.code() == ErrorCode::NotFound) {
      send(responder, errorAnswer(why, xcache("MISS", "upstream")), EdgeStats::Result::Miss, ask.head);
      return;
    }
    if (stale) {
      const Cache::Found &f = *stale;
      const char *tier = f.kind == Cache::Found::Kind::Disk ? "disk" : "memory";
      send(responder, objectAnswer(ask, f.meta, f.meta.size, bodyOf(f), xcache("STALE", tier), now, true),
           EdgeStats::Result::Stale, ask.head);
      return;
    }
    send(responder, errorAnswer(why, xcache("MISS", "upstream")), EdgeStats::Result::Error, ask.head);
    return;
  }
  QByteArray chain = xcache("MISS", "upstream");
  const QByteArray upstreamChain = fetch->upstreamXCache();
  if (!upstreamChain.isEmpty()) chain += ", " + upstreamChain;
  BodyRef body;
  body.source = fetch;
  send(responder, objectAnswer(ask, fetch->meta(), fetch->contentLength(), std::move(body), chain, now, false),
       EdgeStats::Result::Miss, ask.head);
}

}  // namespace rs::edge
