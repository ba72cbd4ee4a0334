#pragma once
// The engine's Transport over QNetworkAccessManager, for `platform play`: one manager,
// so requests reuse its keep-alive connections (six per host), media bodies counted
// and dropped as they arrive, the first read timed for the bandwidth estimate.

#include "player/engine/clock.h"
#include "player/engine/transport.h"

#include <QObject>
#include <functional>
#include <unordered_map>

class QNetworkAccessManager;
class QNetworkReply;

namespace rs::player {

// Turns the URL the engine asks for into the one sent (playback tokens in the path are
// renewed this way; see urlrewriter.h).
using UrlRewriter = std::function<QUrl(const QUrl &)>;

class QnamTransport final : public QObject, public Transport {
  Q_OBJECT
 public:
  explicit QnamTransport(Clock &clock, QObject *parent = nullptr);
  ~QnamTransport() override;
  void setUrlRewriter(UrlRewriter rewriter) { rewrite_ = std::move(rewriter); }

  FetchId fetch(const FetchRequest &request, std::function<void(FetchResult)> done) override;
  FetchProgress progress(FetchId id) override;
  void abort(FetchId id) override;

 private:
  struct InFlight {
    QNetworkReply *reply = nullptr;
    FetchResult result;
    std::int64_t total = -1;
    bool wantBody = false;
    std::function<void(FetchResult)> done;
  };
  Clock &clock_;
  QNetworkAccessManager *nam_;
  UrlRewriter rewrite_;
  std::unordered_map<FetchId, InFlight> inFlight_;
  FetchId next_ = 1;
};

}  // namespace rs::player
