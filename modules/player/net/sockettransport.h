#pragma once
// The engine's Transport as a viewer's own HTTP/1.1 client, for the load generator:
// each transport keeps its own keep-alive connections (at most two per host, like a
// player fetching audio beside video), so thousands of simulated viewers hold
// thousands of real connections on one event loop, where a shared
// QNetworkAccessManager would funnel them all through six per host and a thread.
// Responses are read with http_parser (Debian's libhttp-parser).

#include "player/engine/clock.h"
#include "player/engine/transport.h"
#include "player/net/qnamtransport.h"

#include <QObject>
#include <deque>
#include <map>
#include <memory>
#include <vector>

namespace rs::player {

struct ParserCallbacks;

class SocketTransport final : public QObject, public Transport {
  Q_OBJECT
 public:
  explicit SocketTransport(Clock &clock, int connectionsPerHost = 2, QObject *parent = nullptr);
  ~SocketTransport() override;
  void setUrlRewriter(UrlRewriter rewriter) { rewrite_ = std::move(rewriter); }

  FetchId fetch(const FetchRequest &request, std::function<void(FetchResult)> done) override;
  FetchProgress progress(FetchId id) override;
  void abort(FetchId id) override;
  int openConnections() const;

 private:
  friend struct ParserCallbacks;
  struct Job;
  struct Connection;
  void dispatch(const QString &hostKey);
  void start(Connection *c, std::unique_ptr<Job> job);
  void finish(Connection *c, const QString &error);
  void drop(Connection *c);
  Connection *connectionOf(FetchId id) const;

  Clock &clock_;
  int perHost_;
  UrlRewriter rewrite_;
  std::map<QString, std::deque<std::unique_ptr<Job>>> queues_;  // by "host:port"
  std::vector<std::unique_ptr<Connection>> connections_;
  FetchId next_ = 1;
};

}  // namespace rs::player
