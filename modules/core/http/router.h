#pragma once
// Routes declared next to their handlers: method + pattern → handler. Patterns are
// literal segments, "{name}" for one segment, and a final "{*name}" for the rest.

#include "core/http/request.h"
#include "core/http/response.h"

#include <QString>
#include <functional>
#include <memory>
#include <vector>

namespace rs::http {

class Responder;

// A handler that answers now.
using Handler = std::function<Response(Request &)>;
// A handler that answers later (after an upstream call, a database wait...) through
// the Responder, from any thread.
using AsyncHandler = std::function<void(Request &, Responder)>;

struct RouteOptions {
  qint64 maxBodyBytes = 0;  // 413 over this; 0 = the server's default (ServerOptions)
};

class Router {
 public:
  void get(const QString &pattern, Handler h, RouteOptions o = {}) { add("GET", pattern, std::move(h), o); }
  void post(const QString &pattern, Handler h, RouteOptions o = {}) { add("POST", pattern, std::move(h), o); }
  void put(const QString &pattern, Handler h, RouteOptions o = {}) { add("PUT", pattern, std::move(h), o); }
  void del(const QString &pattern, Handler h, RouteOptions o = {}) { add("DELETE", pattern, std::move(h), o); }
  void add(const QByteArray &method, const QString &pattern, Handler h, RouteOptions o = {});
  void addAsync(const QByteArray &method, const QString &pattern, AsyncHandler h, RouteOptions o = {});

  struct Match {
    enum Kind { Found, NotFound, MethodNotAllowed } kind = NotFound;
    const Handler *handler = nullptr;
    const AsyncHandler *asyncHandler = nullptr;
    RouteOptions options;
    QHash<QString, QString> params;
    QByteArray allowed;  // for 405: "GET, HEAD"
  };
  // GET routes also answer HEAD.
  Match match(const QByteArray &method, const QString &path) const;

 private:
  struct Route {
    QByteArray method;
    QStringList segments;
    Handler handler;
    AsyncHandler asyncHandler;
    RouteOptions options;
  };
  std::vector<Route> routes_;
};

}  // namespace rs::http
