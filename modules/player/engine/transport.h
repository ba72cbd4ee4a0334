#pragma once
// How the engine gets bytes: one interface for real HTTP (QNetworkAccessManager for
// `platform play`, raw keep-alive sockets for the load generator) and for the
// trace-driven simulated network. Requests for media name it by MediaRef; transports
// that speak HTTP turn that into a URL, the simulator looks its size up.

#include "player/manifest/presentation.h"

#include <QByteArray>
#include <QString>
#include <QUrl>
#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

namespace rs::player {

struct FetchRequest {
  QByteArray method = "GET";
  QUrl url;                                  // manifests, playlists, API calls; empty for media
  const Presentation *presentation = nullptr;  // with `media`, for media requests
  MediaRef media;
  bool wantBody = false;                     // media bodies are counted, not kept
  QByteArray authorization;                  // "Bearer …", or empty
  int timeoutMs = 15000;                     // no byte for this long: the request fails
  QByteArray body;                           // API calls (with contentType)
  QByteArray contentType;
  // Further request headers: a signed-in viewer's Cookie and X-ReelStack-CSRF.
  std::vector<std::pair<QByteArray, QByteArray>> headers;

  QUrl resolvedUrl() const { return presentation ? urlOf(*presentation, media) : url; }
};

struct FetchResult {
  int status = 0;           // HTTP status; 0 when none arrived
  QString error;            // transport failure or timeout; empty on any HTTP answer
  QByteArray body;          // when asked for
  std::int64_t bytes = 0;   // body bytes received
  double requestedAt = 0;   // clock times, seconds
  double firstByteAt = 0;   // the first body bytes (or the head, for an empty body)
  double finishedAt = 0;
  std::int64_t firstChunkBytes = 0;  // bytes that arrived with the first read
  QByteArray xCache;        // the edge's X-Cache, when there is one
  std::vector<QByteArray> setCookies;  // the Set-Cookie values (the login's session cookie)

  bool ok() const { return error.isEmpty() && status >= 200 && status < 300; }
  QString describe() const { return error.isEmpty() ? QStringLiteral("HTTP %1").arg(status) : error; }
};

struct FetchProgress {
  std::int64_t bytes = 0;
  std::int64_t total = -1;  // Content-Length, -1 unknown
  double firstByteAt = -1;  // -1 before the first byte
  std::int64_t firstChunkBytes = 0;
};

class Transport {
 public:
  using FetchId = std::uint64_t;
  virtual ~Transport() = default;
  // `done` runs later from the event loop (never inside fetch()), unless aborted.
  virtual FetchId fetch(const FetchRequest &request, std::function<void(FetchResult)> done) = 0;
  virtual FetchProgress progress(FetchId id) = 0;
  // Drops the request; its `done` never runs.
  virtual void abort(FetchId id) = 0;
};

}  // namespace rs::player
