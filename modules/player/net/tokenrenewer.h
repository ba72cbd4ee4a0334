#pragma once
// Keeps a playback's media URLs working past the playback token's lifetime, as the web
// player does (ui/playbacktoken.js): every `renewAfterSeconds` it asks the api for a
// fresh token (POST renewUrl, as the viewer) and from then on the transport sends every
// URL with the new value in its /m/<token>/ segment (rewrite()), so segments still to
// be fetched, retries and fallback sources all use it. After a logout or a revoked
// credential the renewals fail and the media stop within one lifetime, by design.

#include "player/engine/clock.h"
#include "player/engine/transport.h"

#include <QJsonObject>
#include <QString>
#include <QUrl>
#include <functional>
#include <optional>

namespace rs::player {

// The playback answer's "playbackToken" object.
struct PlaybackToken {
  QString value;
  double renewAfterS = 0;
  QUrl renewUrl;  // absolute
  // From {"value","renewAfterSeconds","renewUrl"}, the renew URL resolved against the
  // api; nullopt when the answer has none (a stack without media auth).
  static std::optional<PlaybackToken> fromJson(const QJsonObject &json, const QUrl &api);
};

class TokenRenewer {
 public:
  // `authorize` adds the viewer's api credential to the renew request.
  TokenRenewer(Clock &clock, Transport &transport, PlaybackToken token, std::function<void(FetchRequest &)> authorize);
  ~TokenRenewer();
  TokenRenewer(const TokenRenewer &) = delete;
  TokenRenewer &operator=(const TokenRenewer &) = delete;

  void start();  // schedules the first renewal
  void stop();
  QUrl rewrite(const QUrl &url) const;
  const QString &token() const { return token_.value; }
  int renewals() const { return renewals_; }
  int failures() const { return failures_; }
  const QString &lastError() const { return lastError_; }
  // After each renewal attempt: the error, or empty on success.
  std::function<void(const QString &error)> onRenewed;

 private:
  void renew();
  void schedule(double afterS);

  Clock &clock_;
  Transport &net_;
  PlaybackToken token_;
  std::function<void(FetchRequest &)> authorize_;
  TimerSlot timer_;
  Transport::FetchId call_ = 0;
  int renewals_ = 0, failures_ = 0;
  QString lastError_;
};

}  // namespace rs::player
