#include "edge/edgerole.h"

#include "core/auth/listenerauth.h"
#include "core/auth/servicetoken.h"
#include "core/metrics/metrics.h"
#include "core/roles/rolehost.h"
#include "edge/answer.h"
#include "edge/cache.h"
#include "edge/edgeconfig.h"
#include "edge/edgelog.h"
#include "edge/edgestats.h"
#include "edge/fetcher.h"
#include "edge/mediahandler.h"
#include "edge/origindiscovery.h"
#include "edge/prefetcher.h"
#include "edge/upstreampool.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>

namespace rs {
Q_LOGGING_CATEGORY(lcEdge, "rs.edge")
}

namespace rs::edge {

namespace {

class EdgeRole final : public roles::Role {
 public:
  Status start(roles::RoleContext &ctx) override {
    if (!ctx.router) return Status(ErrorCode::Internal, QStringLiteral("the edge role needs its own listener"));
    auto parsed = parseEdgeConfig(ctx.config);
    if (!parsed) return parsed.status();
    config_ = *parsed;
    instanceId_ = ctx.instanceId;
    if (!ctx.metrics) ownMetrics_ = std::make_unique<metrics::Registry>();
    metrics::Registry &registry = ctx.metrics ? *ctx.metrics : *ownMetrics_;
    stats_ = std::make_unique<EdgeStats>(registry);

    Cache::Options co;
    co.memoryMaxBytes = config_.memoryMaxBytes;
    co.memoryObjectMaxBytes = config_.memoryObjectMaxBytes;
    co.diskMaxBytes = config_.diskMaxBytes;
    co.diskDir = ctx.dataDir + QStringLiteral("/edge/cache");
    co.policy = config_.policy;
    co.admission = config_.admission;
    co.negativeTtlMs = config_.negativeTtlMs;
    cache_ = std::make_unique<Cache>(co);
    RS_RETURN_IF_ERROR(cache_->open());
    registerCacheMetrics(registry);

    pool_.onAdded([this, &registry](const QUrl &url) {
      registry.gaugeCallback("reelstack_edge_upstream_healthy", "1 while the upstream passes its health checks.",
                             [this, url] { return pool_.isHealthy(url) ? 1.0 : 0.0; }, {{"upstream", url.toString()}});
    });
    const QUrl localOrigin = ctx.host ? ctx.host->localUrl(QStringLiteral("origin")) : QUrl();
    if (!config_.upstreams.isEmpty()) pool_.setUrls(config_.upstreams);
    else if (!localOrigin.isEmpty()) pool_.setUrls({localOrigin});

    FetchHooks hooks;
    Cache *cache = cache_.get();
    hooks.completed = [cache](const std::shared_ptr<Fetch> &f) { cache->completed(f); };
    hooks.failing = [cache](const std::shared_ptr<Fetch> &f, const Status &why) { cache->failing(f, why); };
    if (ctx.host) hooks.authorization = [cred = &ctx.host->serviceCredential()] { return cred->authorization(); };
    fetcher_ = std::make_unique<Fetcher>(pool_, *stats_,
                                         FetchTimeouts{config_.connectTimeoutMs, config_.firstByteTimeoutMs, config_.betweenBytesTimeoutMs},
                                         std::move(hooks));
    fetcher_->start(config_.healthIntervalMs);
    media_ = std::make_unique<MediaHandler>(*cache_, *fetcher_, pool_, *stats_, instanceId_);
    prefetcher_ = std::make_unique<Prefetcher>(*cache_, *fetcher_, config_.prefetchBytesPerSecond);

    if (config_.upstreams.isEmpty() && localOrigin.isEmpty() && ctx.host && ctx.host->client()) {
      discovery_ = std::make_unique<OriginDiscovery>(ctx.host->client(), ctx.controlUrl, pool_);
      discovery_->start();
    }
    if (ctx.auth && ctx.host) ctx.auth->setMediaGate(ctx.host->mediaGate());
    declareRoutes(*ctx.router);
    loadClock_.start();
    qCInfo(lcEdge).noquote() << "edge" << instanceId_ << "region" << config_.region << "| upstreams:"
                             << (pool_.empty() ? QStringLiteral("from control") : QUrl::toStringList(pool_.urls()).join(QStringLiteral(", ")))
                             << "| memory" << config_.memoryMaxBytes << "disk" << config_.diskMaxBytes << "bytes |"
                             << config_.policy << "/" << cache_->admissionName();
    ready_ = true;
    return Status::ok();
  }

  void stop() override {
    ready_ = false;
    if (discovery_) discovery_->stop();
    if (prefetcher_) prefetcher_->stop();
    if (fetcher_) fetcher_->stop();
    if (cache_) cache_->close();
  }

  bool ready() const override { return ready_; }

  QJsonObject load() const override {
    QJsonObject o{{QStringLiteral("region"), config_.region},
                  {QStringLiteral("capacityMbps"), config_.capacityMbps},
                  {QStringLiteral("bytesPerSecond"), bytesPerSecond()},
                  {QStringLiteral("healthy"), pool_.anyHealthy()},
                  {QStringLiteral("objectHitRatio"), stats_->objectHitRatio()},
                  {QStringLiteral("byteHitRatio"), stats_->byteHitRatio()},
                  {QStringLiteral("memoryBytes"), cache_->memory().bytes()},
                  {QStringLiteral("memoryMaxBytes"), cache_->memory().maxBytes()},
                  {QStringLiteral("diskBytes"), cache_->disk() ? cache_->disk()->bytes() : 0},
                  {QStringLiteral("diskMaxBytes"), cache_->diskMaxBytes()},
                  {QStringLiteral("titles"), QJsonArray::fromStringList(cache_->titles(500))},
                  {QStringLiteral("prefetch"), prefetcher_->progress()}};
    if (config_.hasCoordinates)
      o.insert(QStringLiteral("coordinates"), QJsonObject{{QStringLiteral("lat"), config_.latitude}, {QStringLiteral("lon"), config_.longitude}});
    return o;
  }

 private:
  // Bytes served since the previous heartbeat, per second of that interval.
  double bytesPerSecond() const {
    const qint64 bytes = stats_->bytesServed();
    const qint64 ms = loadClock_.restart();
    const double rate = ms > 0 ? double(bytes - lastLoadBytes_) * 1000.0 / double(ms) : 0.0;
    lastLoadBytes_ = bytes;
    return rate;
  }

  void registerCacheMetrics(metrics::Registry &r) {
    edgecache::MemoryTier *mem = &cache_->memory();
    edgecache::DiskTier *disk = cache_->disk();
    const qint64 diskMax = cache_->diskMaxBytes();
    r.gaugeCallback("reelstack_edge_cache_bytes", "Bytes held per tier.", [mem] { return double(mem->bytes()); }, {{"tier", "memory"}});
    r.gaugeCallback("reelstack_edge_cache_bytes", "Bytes held per tier.", [disk] { return disk ? double(disk->bytes()) : 0.0; }, {{"tier", "disk"}});
    r.gaugeCallback("reelstack_edge_cache_objects", "Objects held per tier.", [mem] { return double(mem->objects()); }, {{"tier", "memory"}});
    r.gaugeCallback("reelstack_edge_cache_objects", "Objects held per tier.", [disk] { return disk ? double(disk->objects()) : 0.0; }, {{"tier", "disk"}});
    r.gaugeCallback("reelstack_edge_cache_max_bytes", "Configured size per tier.", [mem] { return double(mem->maxBytes()); }, {{"tier", "memory"}});
    r.gaugeCallback("reelstack_edge_cache_max_bytes", "Configured size per tier.", [diskMax] { return double(diskMax); }, {{"tier", "disk"}});
    r.counterCallback("reelstack_edge_evictions_total", "Objects evicted per tier.", [mem] { return double(mem->evictions()); }, {{"tier", "memory"}});
    r.counterCallback("reelstack_edge_evictions_total", "Objects evicted per tier.", [disk] { return disk ? double(disk->evictions()) : 0.0; }, {{"tier", "disk"}});
  }

  void declareRoutes(http::Router &router) {
    MediaHandler *media = media_.get();
    // /m/<playback token>/<title>/… and /media/<title>/… are one object: the cache key
    // is the path without the token, so every viewer shares one cached copy.
    auto serve = [media](http::Request &req, http::Responder responder) { media->handle(req, std::move(responder)); };
    auto preflight = [](http::Request &) {
      http::Response r = http::Response::noContent();
      addCors(r.headers);
      r.headers.add("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS");
      r.headers.add("Access-Control-Allow-Headers", "Range, If-None-Match");
      r.headers.add("Access-Control-Max-Age", "86400");
      return r;
    };
    for (const QString &pattern : {QStringLiteral("/media/{*path}"), QStringLiteral("/m/{token}/{*path}")}) {
      router.addAsync("GET", pattern, http::Access::Media, serve);
      router.add("OPTIONS", pattern, http::Access::Public, preflight);
    }
    // Control (fill, steering's view) and operators with the cluster key; never viewers.
    const http::Access service = http::Access::Service;
    router.get(QStringLiteral("/edge/v1/stats"), service, [this](http::Request &) { return http::Response::json(statsJson()); });
    router.post(QStringLiteral("/edge/v1/prefetch"), {service, 16 << 20}, [this](http::Request &req) { return submitPrefetch(req); });
    router.get(QStringLiteral("/edge/v1/prefetch"), service, [this](http::Request &) {
      return http::Response::json(QJsonObject{{QStringLiteral("jobs"), prefetcher_->jobs()}});
    });
    router.del(QStringLiteral("/edge/v1/cache"), service, [this](http::Request &req) {
      const QString prefix = req.queryValue(u"prefix");
      if (!prefix.startsWith(QLatin1Char('/')))
        return http::Response::error(ErrorCode::BadRequest, QStringLiteral("prefix=/media/… is required (prefix=/ purges everything)"));
      const int n = cache_->purge(prefix);
      qCInfo(lcEdge).noquote() << "purged" << n << "objects under" << prefix;
      return http::Response::json(QJsonObject{{QStringLiteral("purged"), n}});
    });
  }

  http::Response submitPrefetch(const http::Request &req) {
    QJsonParseError err;
    const QJsonDocument doc = QJsonDocument::fromJson(req.body, &err);
    if (err.error != QJsonParseError::NoError || !doc.isObject())
      return http::Response::error(ErrorCode::BadRequest, QStringLiteral("body must be {\"titles\":[…],\"paths\":[…]}"));
    QStringList lists[2];
    const QString names[2] = {QStringLiteral("titles"), QStringLiteral("paths")};
    for (int i = 0; i < 2; ++i) {
      const QJsonValue v = doc.object().value(names[i]);
      if (v.isUndefined() || v.isNull()) continue;
      if (!v.isArray()) return http::Response::error(ErrorCode::BadRequest, QStringLiteral("\"%1\" must be an array of strings").arg(names[i]));
      for (const QJsonValue &s : v.toArray()) {
        if (!s.isString()) return http::Response::error(ErrorCode::BadRequest, QStringLiteral("\"%1\" must be an array of strings").arg(names[i]));
        lists[i] << s.toString();
      }
    }
    auto job = prefetcher_->submit(lists[0], lists[1]);
    if (!job) return http::Response::error(job.status());
    return http::Response::json(QJsonObject{{QStringLiteral("job"), *job}}, 202);
  }

  QJsonObject statsJson() const {
    QJsonArray upstreams;
    for (const UpstreamPool::Upstream &u : pool_.snapshot())
      upstreams.append(QJsonObject{{QStringLiteral("url"), u.url.toString()},
                                   {QStringLiteral("healthy"), u.healthy},
                                   {QStringLiteral("lastCheckMs"), u.lastCheckMs},
                                   {QStringLiteral("lastError"), u.lastError}});
    const edgecache::MemoryTier &mem = cache_->memory();
    const edgecache::DiskTier *disk = cache_->disk();
    return QJsonObject{
        {QStringLiteral("instanceId"), instanceId_},
        {QStringLiteral("region"), config_.region},
        {QStringLiteral("upstreams"), upstreams},
        {QStringLiteral("memory"), QJsonObject{{QStringLiteral("bytes"), mem.bytes()},
                                               {QStringLiteral("maxBytes"), mem.maxBytes()},
                                               {QStringLiteral("objects"), qint64(mem.objects())}}},
        {QStringLiteral("disk"), QJsonObject{{QStringLiteral("bytes"), disk ? disk->bytes() : 0},
                                             {QStringLiteral("maxBytes"), cache_->diskMaxBytes()},
                                             {QStringLiteral("objects"), disk ? qint64(disk->objects()) : 0}}},
        {QStringLiteral("requests"), stats_->requests()},
        {QStringLiteral("hits"), stats_->hits()},
        {QStringLiteral("misses"), stats_->misses()},
        {QStringLiteral("stale"), stats_->stale()},
        {QStringLiteral("objectHitRatio"), stats_->objectHitRatio()},
        {QStringLiteral("byteHitRatio"), stats_->byteHitRatio()},
        {QStringLiteral("bytesServed"), stats_->bytesServed()},
        {QStringLiteral("bytesFetched"), stats_->bytesFetched()},
        {QStringLiteral("inFlight"), cache_->inFlight()},
        {QStringLiteral("policy"), cache_->policyName()},
        {QStringLiteral("admission"), cache_->admissionName()},
    };
  }

  EdgeConfig config_;
  QString instanceId_;
  std::unique_ptr<metrics::Registry> ownMetrics_;
  std::unique_ptr<EdgeStats> stats_;
  UpstreamPool pool_;
  std::unique_ptr<Cache> cache_;
  std::unique_ptr<Fetcher> fetcher_;
  std::unique_ptr<MediaHandler> media_;
  std::unique_ptr<Prefetcher> prefetcher_;
  std::unique_ptr<OriginDiscovery> discovery_;
  std::atomic<bool> ready_{false};
  mutable QElapsedTimer loadClock_;
  mutable qint64 lastLoadBytes_ = 0;
};

}  // namespace

std::unique_ptr<roles::Role> createEdgeRole() { return std::make_unique<EdgeRole>(); }

}  // namespace rs::edge
