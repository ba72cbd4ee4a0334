#pragma once
// What the api's handlers share when they call control: the client, where control is,
// where the origin is, and how a call is made and judged.

#include "api/mediatokens.h"
#include "api/titlesorigin.h"
#include "core/http/trace.h"
#include "core/net/httpclient.h"

#include <QLoggingCategory>
#include <QUrl>
#include <memory>

namespace rs {
Q_DECLARE_LOGGING_CATEGORY(lcApi)
}

namespace rs::api {

struct ControlDeps {
  net::HttpClient *client;
  QUrl control;
  std::shared_ptr<OriginLocator> origins;
  MediaTokens tokens;  // for the media URLs handed to viewers
};

inline net::ClientOptions controlCallOptions(const http::TraceContext &trace, int timeoutMs = 3000) {
  net::ClientOptions o;
  o.timeoutMs = timeoutMs;
  o.trace = trace;
  return o;
}

// Control answered and refused (404 for an unknown title, 400 for a bad region…): the
// caller hears control's own JSON error rather than a gateway error.
inline bool isControlRefusal(const net::ClientReply &r) {
  return r.error.isEmpty() && r.status >= 400 && r.status < 500 && r.json().isObject();
}

}  // namespace rs::api
