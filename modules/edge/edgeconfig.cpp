#include "edge/edgeconfig.h"

#include "core/config/config.h"
#include "edgecache/admission.h"
#include "edgecache/policy.h"

namespace rs::edge {

namespace {

Status badValue(QStringView key, const QString &value, const QString &why) {
  return Status(ErrorCode::BadRequest, QStringLiteral("--%1 '%2': %3").arg(key, value, why));
}

// Config::integer stops at int; tier sizes are bytes and go well past 2 GiB.
Status bytesOption(const config::Config &c, QStringView key, qint64 min, qint64 *out) {
  const QString text = c.value(key).trimmed();
  bool ok = false;
  const qint64 v = text.toLongLong(&ok);
  if (!ok) return badValue(key, text, QStringLiteral("not a whole number of bytes"));
  if (v < min) return badValue(key, text, QStringLiteral("must be at least %1").arg(min));
  *out = v;
  return Status::ok();
}

Status secondsOption(const config::Config &c, QStringView key, double min, double max, int *outMs) {
  auto v = c.number(key, min, max);
  if (!v) return v.status();
  *outMs = int(*v * 1000);
  return Status::ok();
}

Status parseUpstreams(const QString &text, QList<QUrl> *out) {
  for (const QString &part : text.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
    const QString s = part.trimmed();
    if (s.isEmpty()) continue;
    QUrl u(s, QUrl::StrictMode);
    if (!u.isValid() || (u.scheme() != QLatin1String("http") && u.scheme() != QLatin1String("https")) || u.host().isEmpty())
      return badValue(u"upstream", s, QStringLiteral("not an http(s) base URL"));
    if (u.hasQuery() || u.hasFragment())
      return badValue(u"upstream", s, QStringLiteral("a base URL has no query or fragment"));
    // A base URL names a directory: keys ("/media/...") are appended to its path.
    QString path = u.path();
    while (path.endsWith(QLatin1Char('/'))) path.chop(1);
    u.setPath(path);
    if (!out->contains(u)) out->append(u);
  }
  return Status::ok();
}

Status parseCoordinates(const QString &text, EdgeConfig *c) {
  if (text.trimmed().isEmpty()) return Status::ok();
  const QStringList parts = text.split(QLatin1Char(','));
  bool okLat = false, okLon = false;
  const double lat = parts.size() == 2 ? parts[0].trimmed().toDouble(&okLat) : 0;
  const double lon = parts.size() == 2 ? parts[1].trimmed().toDouble(&okLon) : 0;
  if (!okLat || !okLon || lat < -90 || lat > 90 || lon < -180 || lon > 180)
    return badValue(u"edge-coordinates", text, QStringLiteral("expected LAT,LON with -90 ≤ LAT ≤ 90 and -180 ≤ LON ≤ 180"));
  c->hasCoordinates = true;
  c->latitude = lat;
  c->longitude = lon;
  return Status::ok();
}

}  // namespace

Result<EdgeConfig> parseEdgeConfig(const config::Config &config) {
  EdgeConfig c;
  RS_RETURN_IF_ERROR(parseUpstreams(config.value(u"upstream"), &c.upstreams));
  c.region = config.value(u"edge-region").trimmed();
  if (c.region.isEmpty()) return badValue(u"edge-region", c.region, QStringLiteral("must not be empty"));
  RS_RETURN_IF_ERROR(parseCoordinates(config.value(u"edge-coordinates"), &c));
  auto capacity = config.number(u"edge-capacity", 0.001, 1e9);
  if (!capacity) return capacity.status();
  c.capacityMbps = *capacity;

  RS_RETURN_IF_ERROR(bytesOption(config, u"edge-memory-max", 0, &c.memoryMaxBytes));
  RS_RETURN_IF_ERROR(bytesOption(config, u"edge-memory-object-max", 0, &c.memoryObjectMaxBytes));
  RS_RETURN_IF_ERROR(bytesOption(config, u"edge-disk-max", 0, &c.diskMaxBytes));

  c.policy = config.value(u"edge-policy").trimmed().toLower();
  if (!edgecache::makePolicy(c.policy))
    return badValue(u"edge-policy", c.policy, QStringLiteral("expected one of: ") + edgecache::policyNames().join(QStringLiteral(", ")));
  c.admission = config.value(u"edge-admission").trimmed().toLower();
  if (!edgecache::makeAdmission(c.admission, 1))
    return badValue(u"edge-admission", c.admission, QStringLiteral("expected 'always' or 'second-hit'"));

  RS_RETURN_IF_ERROR(secondsOption(config, u"edge-connect-timeout", 0.01, 3600, &c.connectTimeoutMs));
  RS_RETURN_IF_ERROR(secondsOption(config, u"edge-first-byte-timeout", 0.01, 3600, &c.firstByteTimeoutMs));
  RS_RETURN_IF_ERROR(secondsOption(config, u"edge-between-bytes-timeout", 0.01, 3600, &c.betweenBytesTimeoutMs));
  RS_RETURN_IF_ERROR(secondsOption(config, u"edge-health-interval", 0.05, 3600, &c.healthIntervalMs));
  RS_RETURN_IF_ERROR(secondsOption(config, u"edge-negative-ttl", 0, 86400, &c.negativeTtlMs));
  auto rate = config.number(u"edge-prefetch-rate", 1, 1e12);
  if (!rate) return rate.status();
  c.prefetchBytesPerSecond = *rate;
  return c;
}

}  // namespace rs::edge
