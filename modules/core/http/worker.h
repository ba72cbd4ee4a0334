#pragma once
// A worker thread's share of the server: the connections it owns and their timers.
// Everything a connection does happens on its worker's thread.

#include "core/http/server.h"

#include <QHash>
#include <QObject>
#include <functional>

class QTimer;

namespace rs::http {

class Connection;

struct Responder::Exchange {
  Worker *worker = nullptr;
  quint64 connectionId = 0;
  std::atomic<bool> clientGone{false};
  std::atomic<bool> answered{false};
};

class Worker : public QObject {
  Q_OBJECT
 public:
  Worker(HttpServer *server, int index);

  // Takes ownership of an accepted descriptor; called through a queued invocation.
  void adopt(int fd);
  // Runs fn with the connection if it still exists, on this worker's thread.
  void post(quint64 connectionId, std::function<void(Connection *)> fn);
  // The same, but always through the event queue, also from this thread, so a caller
  // deep inside a connection's own code never re-enters it.
  void postQueued(quint64 connectionId, std::function<void(Connection *)> fn);
  void drain();
  void forceCloseAll();
  int connectionCount() const { return int(connections_.size()); }

  HttpServer *server() const { return server_; }
  const ServerOptions &options() const { return server_->options_; }
  const Router &router() const { return *server_->router_; }
  void connectionClosed(Connection *c);
  void recordRequest(const Request &req, int status, qint64 bytes, qint64 nowNs);

 private:
  void tick();
  HttpServer *server_;
  int index_;
  quint64 nextId_ = 1;
  QHash<quint64, Connection *> connections_;
  QTimer *timer_ = nullptr;
  bool draining_ = false;
};

qint64 monotonicNs();
// The current time as an IMF-fixdate, cached per second per thread.
const QByteArray &httpDateNow();

}  // namespace rs::http
