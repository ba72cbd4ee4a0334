#include "core/http/router.h"

namespace rs::http {

namespace {
QStringList splitPath(const QString &path) { return path.split(QLatin1Char('/'), Qt::SkipEmptyParts); }

// Walks the path's segments as views: matching allocates nothing until a route hits.
bool matchSegments(const QStringList &pattern, QStringView path, QHash<QString, QString> *params) {
  params->clear();
  qsizetype pos = 0;
  auto nextSegment = [&](QStringView *seg) {
    while (pos < path.size() && path[pos] == QLatin1Char('/')) ++pos;
    if (pos >= path.size()) return false;
    qsizetype end = path.indexOf(QLatin1Char('/'), pos);
    if (end < 0) end = path.size();
    *seg = path.mid(pos, end - pos);
    pos = end;
    return true;
  };
  QStringView seg;
  for (const QString &p : pattern) {
    if (p.startsWith(QLatin1String("{*"))) {
      // The rest of the path, without the leading slash, trailing slash kept.
      while (pos < path.size() && path[pos] == QLatin1Char('/')) ++pos;
      params->insert(p.mid(2, p.size() - 3), path.mid(pos).toString());
      return true;
    }
    if (!nextSegment(&seg)) return false;
    if (p.startsWith(QLatin1Char('{'))) params->insert(p.mid(1, p.size() - 2), seg.toString());
    else if (p != seg) return false;
  }
  return !nextSegment(&seg);
}
}  // namespace

void Router::add(const QByteArray &method, const QString &pattern, RouteOptions o, Handler h) {
  routes_.push_back(Route{method, pattern, splitPath(pattern), std::move(h), {}, o});
}

void Router::addAsync(const QByteArray &method, const QString &pattern, RouteOptions o, AsyncHandler h) {
  routes_.push_back(Route{method, pattern, splitPath(pattern), {}, std::move(h), o});
}

std::vector<Router::RouteInfo> Router::routes() const {
  std::vector<RouteInfo> out;
  out.reserve(routes_.size());
  for (const Route &r : routes_) out.push_back({r.method, r.pattern, r.options.access});
  return out;
}

QStringList Router::undeclared() const {
  QStringList out;
  for (const Route &r : routes_) {
    if (r.options.access == Access::Undeclared) out << QString::fromLatin1(r.method) + QLatin1Char(' ') + r.pattern;
  }
  return out;
}

Router::Match Router::match(const QByteArray &method, const QString &path) const {
  Match m;
  QHash<QString, QString> params;
  QByteArrayList allowed;
  for (const Route &r : routes_) {
    if (!matchSegments(r.segments, path, &params)) continue;
    const bool methodOk = r.method == method || (method == "HEAD" && r.method == "GET");
    if (!methodOk) {
      if (!allowed.contains(r.method)) allowed.append(r.method);
      if (r.method == "GET" && !allowed.contains("HEAD")) allowed.append("HEAD");
      continue;
    }
    m.kind = Match::Found;
    m.handler = r.handler ? &r.handler : nullptr;
    m.asyncHandler = r.asyncHandler ? &r.asyncHandler : nullptr;
    m.options = r.options;
    m.params = std::move(params);
    return m;
  }
  if (!allowed.isEmpty()) {
    m.kind = Match::MethodNotAllowed;
    m.allowed = allowed.join(", ");
  }
  return m;
}

}  // namespace rs::http
