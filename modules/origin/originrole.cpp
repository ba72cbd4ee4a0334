#include "origin/originrole.h"

#include "core/http/fileserver.h"
#include "core/log/log.h"

#include <QDir>

namespace rs {
Q_LOGGING_CATEGORY(lcOrigin, "rs.origin")
}

namespace rs::origin {

QByteArray cacheControlFor(QStringView rel) {
  if (rel.endsWith(u".mpd") || rel.endsWith(u".m3u8")) return QByteArrayLiteral("public, max-age=2");
  return QByteArrayLiteral("public, max-age=31536000, immutable");
}

namespace {
class OriginRole final : public roles::Role {
 public:
  Status start(roles::RoleContext &ctx) override {
    const QString dir = ctx.dataDir + QStringLiteral("/media");
    if (!QDir().mkpath(dir)) return Status(ErrorCode::IoError, QStringLiteral("cannot create %1").arg(dir));
    root_ = std::make_unique<http::FileRoot>(dir);
    if (!root_->isValid()) return Status(ErrorCode::IoError, QStringLiteral("cannot open media root %1").arg(dir));
    root_->decorate = [](const QString &rel, http::Headers &h) {
      h.add(QByteArrayLiteral("Cache-Control"), cacheControlFor(rel));
      // Browsers play from origin directly in tests and small setups.
      h.add(QByteArrayLiteral("Access-Control-Allow-Origin"), QByteArrayLiteral("*"));
      h.add(QByteArrayLiteral("Access-Control-Expose-Headers"),
            QByteArrayLiteral("Content-Length, Content-Range, ETag, X-Cache"));
    };
    http::FileRoot *root = root_.get();
    ctx.router->get(QStringLiteral("/media/{*path}"),
                    [root](http::Request &req) { return root->serve(req, req.param(QStringLiteral("path"))); });
    ctx.router->add("OPTIONS", QStringLiteral("/media/{*path}"), [](http::Request &) {
      http::Response r = http::Response::noContent();
      r.headers.add("Access-Control-Allow-Origin", "*");
      r.headers.add("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS");
      r.headers.add("Access-Control-Allow-Headers", "Range, If-None-Match, If-Modified-Since");
      r.headers.add("Access-Control-Max-Age", "86400");
      return r;
    });
    qCInfo(lcOrigin).noquote() << "serving" << dir << "at /media/";
    return Status::ok();
  }

 private:
  std::unique_ptr<http::FileRoot> root_;
};
}  // namespace

std::unique_ptr<roles::Role> createOriginRole() { return std::make_unique<OriginRole>(); }

}  // namespace rs::origin
