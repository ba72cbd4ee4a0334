#include "api/webui.h"

#include "core/http/fileserver.h"

#include <QCryptographicHash>
#include <QDirIterator>
#include <QFile>
#include <QHash>
#include <memory>

namespace rs::api {

namespace {

// The UI's own code, styles and libraries come only from this origin ('self'; no
// inline script or style, no eval). What it plays and shows does not: manifests,
// segments, posters and thumbnails come from origin or edge on another port or host
// (the API hands out their public URLs), so
//   connect-src *        Shaka fetches manifests/segments and the thumbnail VTT,
//   media-src * blob:    MSE plays through a blob: URL (and a plain src may be remote),
//   img-src * data: blob: posters and thumbnail sprites; data: for the empty favicon.
// Nothing here can run code from elsewhere, which is what the policy protects.
constexpr char kContentSecurityPolicy[] =
    "default-src 'self'; script-src 'self'; style-src 'self'; connect-src *; media-src * blob:; "
    "img-src * data: blob:; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'self'";

struct Asset {
  QByteArray body;
  QByteArray etag;
  QByteArray contentType;
};
using Assets = QHash<QString, Asset>;

// The resources never change while the process runs: read them once, so handlers on
// any worker thread only look up an immutable table.
std::shared_ptr<const Assets> loadAssets() {
  auto assets = std::make_shared<Assets>();
  const QString root = QStringLiteral(":/ui/");
  QDirIterator it(root, QDir::Files, QDirIterator::Subdirectories);
  while (it.hasNext()) {
    const QString path = it.next();
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) continue;
    Asset a;
    a.body = f.readAll();
    a.etag = '"' + QCryptographicHash::hash(a.body, QCryptographicHash::Sha1).toHex().left(20) + '"';
    const QString rel = path.mid(root.size());
    a.contentType = http::contentTypeFor(rel);
    assets->insert(rel, std::move(a));
  }
  return assets;
}

http::Response serve(const Assets &assets, const http::Request &req, const QString &rel) {
  const auto it = assets.constFind(rel);
  if (it == assets.constEnd()) return http::Response::error(ErrorCode::NotFound, QStringLiteral("no such file in the web UI"));
  http::Response r;
  const QByteArray inm = req.header("if-none-match");
  if (!inm.isNull() && http::etagMatches(inm, it->etag)) {
    r.status = 304;
  } else {
    r = http::Response::text(200, it->body, it->contentType);
  }
  // Names carry no content hash, so the browser revalidates every time (a 304 when
  // unchanged) and never runs a UI older than the binary.
  r.headers.add("Cache-Control", "no-cache");
  r.headers.add("ETag", it->etag);
  r.headers.add("Content-Security-Policy", kContentSecurityPolicy);
  r.headers.add("X-Content-Type-Options", "nosniff");
  r.headers.add("Referrer-Policy", "same-origin");
  return r;
}

}  // namespace

void mountWebUi(http::Router &router) {
  const std::shared_ptr<const Assets> assets = loadAssets();
  // The page and its scripts are public; everything they show comes from the API,
  // which asks who is calling.
  router.get(QStringLiteral("/"), http::Access::Public, [assets](http::Request &req) { return serve(*assets, req, QStringLiteral("index.html")); });
  router.get(QStringLiteral("/ui/{*path}"), http::Access::Public,
             [assets](http::Request &req) { return serve(*assets, req, req.param(QStringLiteral("path"))); });
}

}  // namespace rs::api
