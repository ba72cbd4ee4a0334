#include "edge/origindiscovery.h"

#include "edge/edgelog.h"
#include "core/net/httpclient.h"
#include "edge/upstreampool.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QPointer>

namespace rs::edge {

namespace {
constexpr int kPollMs = 5000;
constexpr int kPollWhileEmptyMs = 1000;  // nothing to serve from yet: look sooner
}  // namespace

OriginDiscovery::OriginDiscovery(net::HttpClient *client, QUrl controlUrl, UpstreamPool &pool)
    : client_(client), controlUrl_(std::move(controlUrl)), pool_(pool) {
  timer_.setSingleShot(true);
  connect(&timer_, &QTimer::timeout, this, &OriginDiscovery::poll);
}

void OriginDiscovery::start() { poll(); }

void OriginDiscovery::poll() {
  QUrl url = controlUrl_.resolved(QUrl(QStringLiteral("/control/v1/instances")));
  url.setQuery(QStringLiteral("role=origin"));
  net::ClientOptions o;
  o.timeoutMs = 3000;
  QPointer<OriginDiscovery> self(this);
  client_->get(url, o, [self](net::ClientReply reply) {
    if (!self) return;
    if (reply.ok()) {
      QList<QUrl> urls;
      for (const QJsonValue &v : reply.json().object().value(QStringLiteral("instances")).toArray()) {
        const QJsonObject i = v.toObject();
        const QUrl u(i.value(QStringLiteral("url")).toString());
        if (i.value(QStringLiteral("state")).toString() != QLatin1String("live") || !u.isValid() || u.host().isEmpty()) continue;
        QUrl base = u;
        QString path = base.path();
        while (path.endsWith(QLatin1Char('/'))) path.chop(1);
        base.setPath(path);
        if (!urls.contains(base)) urls.append(base);
      }
      if (urls != self->pool_.urls())
        qCInfo(lcEdge).noquote() << "upstream origins from control:" << (urls.isEmpty() ? QStringLiteral("none") : QUrl::toStringList(urls).join(QStringLiteral(", ")));
      self->pool_.setUrls(urls);
      self->warned_ = false;
    } else if (!self->warned_) {
      // Keep the last known list: control being away is no reason to forget origins.
      qCWarning(lcEdge).noquote() << "cannot ask control for origins:" << reply.describe();
      self->warned_ = true;
    }
    self->timer_.start(self->pool_.empty() ? kPollWhileEmptyMs : kPollMs);
  });
}

}  // namespace rs::edge
