#include "origin/originrole.h"

#include "core/auth/listenerauth.h"
#include "core/config/config.h"
#include "core/http/fileserver.h"
#include "core/log/log.h"
#include "core/roles/rolehost.h"
#include "origin/publisher.h"

#include <QJsonDocument>
#include <QJsonObject>

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
      // An audio rendition's init and segments are audio/mp4 (RFC 6381 / CMAF), which
      // the extension alone cannot tell.
      if (rel.contains(QStringLiteral("/audio/")) && (rel.endsWith(u".m4s") || rel.endsWith(u".mp4")))
        h.set(QByteArrayLiteral("Content-Type"), QByteArrayLiteral("audio/mp4"));
      // Browsers play from origin directly in tests and small setups.
      h.add(QByteArrayLiteral("Access-Control-Allow-Origin"), QByteArrayLiteral("*"));
      h.add(QByteArrayLiteral("Access-Control-Expose-Headers"),
            QByteArrayLiteral("Content-Length, Content-Range, ETag, X-Cache"));
    };
    http::FileRoot *root = root_.get();
    // /m/<playback token>/<title>/… is the same file as /media/<title>/…: the token
    // only opens the door (core/auth/listenerauth.h checks it before we get here).
    ctx.auth->setMediaGate(ctx.host->mediaGate());
    auto media = [root](http::Request &req) {
      const QString rel = req.param(QStringLiteral("path"));
      // Dot names are the origin's own (staging of publishes in progress), never media.
      if (rel.startsWith(u'.') || rel.contains(QStringLiteral("/.")))
        return http::Response::error(ErrorCode::NotFound, QStringLiteral("no such file"));
      return root->serve(req, rel);
    };
    auto preflight = [](http::Request &) {
      http::Response r = http::Response::noContent();
      r.headers.add("Access-Control-Allow-Origin", "*");
      r.headers.add("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS");
      r.headers.add("Access-Control-Allow-Headers", "Range, If-None-Match, If-Modified-Since");
      r.headers.add("Access-Control-Max-Age", "86400");
      return r;
    };
    for (const QString &pattern : {QStringLiteral("/media/{*path}"), QStringLiteral("/m/{token}/{*path}")}) {
      ctx.router->get(pattern, http::Access::Media, media);
      ctx.router->add("OPTIONS", pattern, http::Access::Public, preflight);
    }
    if (Status s = mountPublishing(ctx, dir); !s.isOk()) return s;
    qCInfo(lcOrigin).noquote() << "serving" << dir << "at /media/";
    return Status::ok();
  }

 private:
  Status mountPublishing(roles::RoleContext &ctx, const QString &dir) {
    publisher_ = std::make_unique<Publisher>(dir);
    RS_RETURN_IF_ERROR(publisher_->recover());
    auto maxFile = ctx.config.integer(u"publish-max-file", 1, std::numeric_limits<int>::max());
    if (!maxFile) return maxFile.status();
    Publisher *pub = publisher_.get();
    auto answer = [](const Status &s) { return s.isOk() ? http::Response::noContent() : http::Response::error(s.code(), s.message()); };
    const http::Access service = http::Access::Service;  // encoders publish; nobody else writes media
    ctx.router->put(QStringLiteral("/origin/v1/publish/{title}/{publish}/{*path}"), {service, *maxFile},
                    [pub, answer](http::Request &req) {
      return answer(pub->putFile(req.param(QStringLiteral("title")), req.param(QStringLiteral("publish")),
                                 req.param(QStringLiteral("path")), req.body));
    });
    ctx.router->post(QStringLiteral("/origin/v1/publish/{title}/{publish}/commit"), {service, 1 << 20},
                     [pub, answer](http::Request &req) {
      QJsonParseError err;
      const QJsonDocument doc = QJsonDocument::fromJson(req.body, &err);
      if (!doc.isObject() || !doc.object().value(QStringLiteral("files")).isObject())
        return http::Response::error(ErrorCode::BadRequest, QStringLiteral("commit body must be {\"files\":{\"path\":size,...}}"));
      const QString title = req.param(QStringLiteral("title"));
      const Status s = pub->commit(title, req.param(QStringLiteral("publish")), doc.object().value(QStringLiteral("files")).toObject());
      if (s.isOk()) qCInfo(lcOrigin).noquote() << "published" << title;
      return answer(s);
    });
    ctx.router->del(QStringLiteral("/origin/v1/publish/{title}/{publish}"), service, [pub, answer](http::Request &req) {
      return answer(pub->abort(req.param(QStringLiteral("title")), req.param(QStringLiteral("publish"))));
    });
    ctx.router->del(QStringLiteral("/origin/v1/titles/{title}"), service, [pub, answer](http::Request &req) {
      return answer(pub->unpublish(req.param(QStringLiteral("title"))));
    });
    return Status::ok();
  }

  std::unique_ptr<http::FileRoot> root_;
  std::unique_ptr<Publisher> publisher_;
};
}  // namespace

std::unique_ptr<roles::Role> createOriginRole() { return std::make_unique<OriginRole>(); }

}  // namespace rs::origin
