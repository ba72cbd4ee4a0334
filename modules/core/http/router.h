#pragma once
// Routes declared next to their handlers: method + pattern + who may call it → handler.
// Patterns are literal segments, "{name}" for one segment, and a final "{*name}" for
// the rest.

#include "core/http/access.h"
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
  RouteOptions() = default;
  // Implicit, so a route reads `router.get(path, Access::Admin, handler)`.
  RouteOptions(Access a, qint64 maxBody = 0) : access(a), maxBodyBytes(maxBody) {}
  Access access = Access::Undeclared;
  qint64 maxBodyBytes = 0;  // 413 over this; 0 = the server's default (ServerOptions)
};

class Router {
 public:
  void get(const QString &pattern, RouteOptions o, Handler h) { add("GET", pattern, o, std::move(h)); }
  void post(const QString &pattern, RouteOptions o, Handler h) { add("POST", pattern, o, std::move(h)); }
  void put(const QString &pattern, RouteOptions o, Handler h) { add("PUT", pattern, o, std::move(h)); }
  void del(const QString &pattern, RouteOptions o, Handler h) { add("DELETE", pattern, o, std::move(h)); }
  void add(const QByteArray &method, const QString &pattern, RouteOptions o, Handler h);
  void addAsync(const QByteArray &method, const QString &pattern, RouteOptions o, AsyncHandler h);

  // The route table, for the listing at /debug/v1/routes and the tests that walk it.
  struct RouteInfo {
    QByteArray method;
    QString pattern;
    Access access;
  };
  std::vector<RouteInfo> routes() const;
  // Routes that never said who may call them; a listener with any refuses to start.
  QStringList undeclared() const;

  struct Match {
    enum Kind { Found, NotFound, MethodNotAllowed } kind = NotFound;
    const Handler *handler = nullptr;
    const AsyncHandler *asyncHandler = nullptr;
    RouteOptions options;  // options.access: who may call it
    QHash<QString, QString> params;
    QByteArray allowed;  // for 405: "GET, HEAD"
  };
  // GET routes also answer HEAD.
  Match match(const QByteArray &method, const QString &path) const;

 private:
  struct Route {
    QByteArray method;
    QString pattern;
    QStringList segments;
    Handler handler;
    AsyncHandler asyncHandler;
    RouteOptions options;
  };
  std::vector<Route> routes_;
};

}  // namespace rs::http
