#include "player/net/tokenrenewer.h"

#include "player/net/urlrewriter.h"

#include <QJsonDocument>
#include <algorithm>

namespace rs::player {

namespace {

// A failed renewal is tried again this soon while the current token still has time:
// the api restarting or a dropped connection must not end a playback.
constexpr double kRetryS = 2;

}  // namespace

std::optional<PlaybackToken> PlaybackToken::fromJson(const QJsonObject &json, const QUrl &api) {
  PlaybackToken t;
  t.value = json.value(QStringLiteral("value")).toString();
  t.renewAfterS = json.value(QStringLiteral("renewAfterSeconds")).toDouble();
  const QString renew = json.value(QStringLiteral("renewUrl")).toString();
  if (t.value.isEmpty() || renew.isEmpty() || t.renewAfterS <= 0) return std::nullopt;
  t.renewUrl = api.resolved(QUrl(renew));
  return t;
}

TokenRenewer::TokenRenewer(Clock &clock, Transport &transport, PlaybackToken token, std::function<void(FetchRequest &)> authorize)
    : clock_(clock), net_(transport), token_(std::move(token)), authorize_(std::move(authorize)), timer_(clock) {}

TokenRenewer::~TokenRenewer() { stop(); }

void TokenRenewer::start() { schedule(token_.renewAfterS); }

void TokenRenewer::stop() {
  timer_.clear();
  if (call_) net_.abort(call_);
  call_ = 0;
}

QUrl TokenRenewer::rewrite(const QUrl &url) const { return withPlaybackToken(url, token_.value); }

void TokenRenewer::schedule(double afterS) {
  timer_.after(std::max(0.5, afterS), [this] { renew(); });
}

void TokenRenewer::renew() {
  FetchRequest req;
  req.method = "POST";
  req.url = token_.renewUrl;
  req.wantBody = true;
  req.timeoutMs = 10000;
  req.contentType = "application/json";
  req.body = "{}";
  if (authorize_) authorize_(req);
  call_ = net_.fetch(req, [this](FetchResult r) {
    call_ = 0;
    const QJsonObject json = QJsonDocument::fromJson(r.body).object();
    const auto fresh = r.ok() ? PlaybackToken::fromJson(json, token_.renewUrl) : std::nullopt;
    if (fresh) {
      token_.value = fresh->value;
      token_.renewAfterS = fresh->renewAfterS;
      ++renewals_;
      lastError_.clear();
      schedule(token_.renewAfterS);
    } else {
      ++failures_;
      const QString message = json.value(QStringLiteral("error")).toObject().value(QStringLiteral("message")).toString();
      lastError_ = r.ok() ? QStringLiteral("the renewal answer has no token")
                          : r.describe() + (message.isEmpty() ? QString() : QStringLiteral(": ") + message);
      // 401/403: the viewer is signed out or may not play this any more; the media
      // stop when the token does. Anything else may pass.
      if (r.status != 401 && r.status != 403) schedule(kRetryS);
    }
    if (onRenewed) onRenewed(lastError_);
  });
}

}  // namespace rs::player
