#pragma once
// The encoder's work runs on its own thread and talks to control and origin in
// sequence; this turns the shared asynchronous client into plain calls for that
// thread. Never call it from the client's own thread: it would wait on itself.

#include "core/net/httpclient.h"

#include <atomic>
#include <future>

namespace rs::encode {

// `abandon` lets a shutting-down role stop waiting: the client's thread may be the
// one that is about to join this thread, and would never deliver the reply.
inline net::ClientReply callBlocking(net::HttpClient *client, const QByteArray &method, const QUrl &url,
                                     const QByteArray &body, const net::ClientOptions &options,
                                     const std::atomic<bool> *abandon = nullptr) {
  auto promise = std::make_shared<std::promise<net::ClientReply>>();
  std::future<net::ClientReply> result = promise->get_future();
  client->request(method, url, body, options, [promise](net::ClientReply r) { promise->set_value(std::move(r)); });
  while (result.wait_for(std::chrono::milliseconds(50)) != std::future_status::ready) {
    if (abandon && abandon->load()) {
      net::ClientReply r;
      r.error = QStringLiteral("abandoned: the encoder is stopping");
      return r;
    }
  }
  return result.get();
}

}  // namespace rs::encode
