#include "core/http/router.h"

namespace rs::http {

namespace {
QStringList splitPath(const QString &path) { return path.split(QLatin1Char('/'), Qt::SkipEmptyParts); }

bool matchSegments(const QStringList &pattern, const QStringList &path, const QString &rawPath,
                   QHash<QString, QString> *params) {
  params->clear();
  for (qsizetype i = 0; i < pattern.size(); ++i) {
    const QString &p = pattern[i];
    if (p.startsWith(QLatin1String("{*")) && p.endsWith(QLatin1Char('}'))) {
      // The rest of the path, as one string without the leading slash.
      QStringList rest = path.mid(i);
      QString value = rest.join(QLatin1Char('/'));
      if (rawPath.endsWith(QLatin1Char('/')) && !value.isEmpty()) value += QLatin1Char('/');
      params->insert(p.mid(2, p.size() - 3), value);
      return true;
    }
    if (i >= path.size()) return false;
    if (p.startsWith(QLatin1Char('{')) && p.endsWith(QLatin1Char('}'))) {
      params->insert(p.mid(1, p.size() - 2), path[i]);
    } else if (p != path[i]) {
      return false;
    }
  }
  return pattern.size() == path.size();
}
}  // namespace

void Router::add(const QByteArray &method, const QString &pattern, Handler h, RouteOptions o) {
  routes_.push_back(Route{method, splitPath(pattern), std::move(h), {}, o});
}

void Router::addAsync(const QByteArray &method, const QString &pattern, AsyncHandler h, RouteOptions o) {
  routes_.push_back(Route{method, splitPath(pattern), {}, std::move(h), o});
}

Router::Match Router::match(const QByteArray &method, const QString &path) const {
  Match m;
  const QStringList segments = splitPath(path);
  QHash<QString, QString> params;
  QByteArrayList allowed;
  for (const Route &r : routes_) {
    if (!matchSegments(r.segments, segments, path, &params)) continue;
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
