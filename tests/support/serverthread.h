#pragma once
// Runs an HttpServer on a thread of its own, so a test can talk to it with blocking
// client sockets from the test thread.

#include "core/http/server.h"

#include <QSemaphore>
#include <QThread>

namespace rs::test {

class ServerThread : public QThread {
 public:
  ServerThread(http::ServerOptions options, std::shared_ptr<http::Router> router)
      : options_(std::move(options)), router_(std::move(router)) {}
  ~ServerThread() override { stop(); }

  // Starts the thread and waits until the server listens (or failed to).
  Status startAndWait() {
    start();
    ready_.acquire();
    return status_;
  }
  void stop() {
    if (!isRunning()) return;
    quit();
    wait();
  }
  quint16 port() const { return port_; }

 protected:
  void run() override {
    http::HttpServer server(options_, router_);
    status_ = server.start();
    port_ = server.boundPort();
    ready_.release();
    if (!status_.isOk()) return;
    exec();
    server.shutdown(1000);
  }

 private:
  http::ServerOptions options_;
  std::shared_ptr<http::Router> router_;
  Status status_;
  quint16 port_ = 0;
  QSemaphore ready_;
};

}  // namespace rs::test
