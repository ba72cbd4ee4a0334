#include "ingest/tusservice.h"

#include "core/http/server.h"
#include "core/metrics/metrics.h"
#include "ingest/catalogue.h"
#include "ingest/ingestlog.h"
#include "ingest/uploadstore.h"

#include <QFileInfo>
#include <QJsonObject>
#include <QMutexLocker>
#include <QThreadPool>

namespace rs::ingest {

namespace {

const QByteArray kTusVersion = QByteArrayLiteral("1.0.0");
const QByteArray kOffsetContentType = QByteArrayLiteral("application/offset+octet-stream");

// Every tus answer carries Tus-Resumable, and the CORS headers browsers need to read
// the protocol's headers from a script.
http::Response decorate(http::Response r) {
  r.headers.set("Tus-Resumable", kTusVersion);
  r.headers.set("Access-Control-Allow-Origin", "*");
  r.headers.set("Access-Control-Expose-Headers",
                "Location, Upload-Offset, Upload-Length, Upload-Metadata, Tus-Version, Tus-Resumable, "
                "Tus-Max-Size, Tus-Extension, X-Title-Id, X-Max-Chunk-Size");
  return r;
}

http::Response fail(ErrorCode code, const QString &message) { return decorate(http::Response::error(code, message)); }

http::Response precondition() {
  http::Response r = http::Response::error(ErrorCode::BadRequest, QStringLiteral("this is a tus 1.0.0 endpoint: send Tus-Resumable: 1.0.0"));
  r.status = 412;
  r.headers.set("Tus-Version", kTusVersion);
  return decorate(std::move(r));
}

http::Response unsupportedType() {
  http::Response r = http::Response::error(ErrorCode::BadRequest, QStringLiteral("upload bytes need Content-Type: application/offset+octet-stream"));
  r.status = 415;
  return decorate(std::move(r));
}

bool resumable(const http::Request &req) { return req.header("Tus-Resumable").trimmed() == kTusVersion; }

// Upload-Length and Upload-Offset: "a non-negative integer", digits only.
qint64 parseCount(const QByteArray &text) {
  const QByteArray t = text.trimmed();
  if (t.isEmpty() || t.size() > 18) return -1;
  for (char c : t)
    if (c < '0' || c > '9') return -1;
  return t.toLongLong();
}

bool isOffsetStream(const QByteArray &contentType) {
  return contentType.split(';').value(0).trimmed().toLower() == kOffsetContentType;
}

http::Response notFound(const QString &id) {
  return fail(ErrorCode::NotFound, QStringLiteral("no upload %1").arg(id.left(64)));
}

QString titleNameFrom(const QHash<QString, QString> &meta, const QString &fileName) {
  for (const QString &key : {QStringLiteral("title"), QStringLiteral("name")}) {
    const QString v = meta.value(key).trimmed();
    if (!v.isEmpty()) return v.left(512);
  }
  const QString base = QFileInfo(fileName).completeBaseName().trimmed();
  return base.isEmpty() ? QStringLiteral("Untitled upload") : base.left(512);
}

}  // namespace

Result<QHash<QString, QString>> parseUploadMetadata(QByteArrayView header) {
  QHash<QString, QString> out;
  const QByteArray text = header.toByteArray().trimmed();
  if (text.isEmpty()) return out;
  for (const QByteArray &rawPair : text.split(',')) {
    const QByteArray pair = rawPair.trimmed();
    const QList<QByteArray> parts = pair.split(' ');
    if (pair.isEmpty() || parts.size() > 2 || parts[0].isEmpty())
      return Status(ErrorCode::BadRequest, QStringLiteral("Upload-Metadata: malformed pair '%1'").arg(QString::fromLatin1(pair.left(80))));
    QString value;
    if (parts.size() == 2) {
      auto decoded = QByteArray::fromBase64Encoding(parts[1], QByteArray::AbortOnBase64DecodingErrors);
      if (!decoded)
        return Status(ErrorCode::BadRequest, QStringLiteral("Upload-Metadata: the value of '%1' is not base64").arg(QString::fromLatin1(parts[0].left(80))));
      value = QString::fromUtf8(*decoded);
    }
    out.insert(QString::fromLatin1(parts[0]), value);
  }
  return out;
}

TusService::TusService(UploadStore &store, Catalogue &catalogue, QThreadPool &io, TusOptions options,
                       std::function<void(const QString &)> completed, metrics::Registry *metrics)
    : store_(store), catalogue_(catalogue), io_(io), options_(std::move(options)), completed_(std::move(completed)) {
  if (metrics) {
    createdTotal_ = &metrics->counter("ingest_uploads_created_total", "tus uploads created.");
    bytesTotal_ = &metrics->counter("ingest_upload_bytes_total", "Upload bytes written to disk.");
  }
}

void TusService::mount(http::Router &router) {
  const QString base = options_.basePath;
  const QString one = base + QStringLiteral("/{id}");
  // Adding titles is an admin's job; only the CORS preflight (which carries no
  // credentials by definition) is public.
  const http::Access admin = http::Access::Admin;
  const http::RouteOptions big{admin, options_.maxChunkBytes};
  auto opts = [this](http::Request &req) { return options(req); };
  router.add("OPTIONS", base, http::Access::Public, opts);
  router.add("OPTIONS", one, http::Access::Public, opts);
  router.addAsync("POST", base, big, [this](http::Request &req, http::Responder r) { create(req, std::move(r)); });
  router.add("HEAD", one, admin, [this](http::Request &req) { return head(req); });
  router.get(one, admin, [this](http::Request &req) { return status(req); });
  router.addAsync("PATCH", one, big, [this](http::Request &req, http::Responder r) { patch(req, std::move(r)); });
  router.addAsync("DELETE", one, admin, [this](http::Request &req, http::Responder r) { terminate(req, std::move(r)); });
  // tus clients behind proxies that only pass GET/POST send the real method in
  // X-HTTP-Method-Override (tus-js-client's overridePatchMethod).
  router.addAsync("POST", one, big, [this](http::Request &req, http::Responder r) {
    const QByteArray method = req.header("X-HTTP-Method-Override").trimmed().toUpper();
    if (method == "PATCH") return patch(req, std::move(r));
    if (method == "DELETE") return terminate(req, std::move(r));
    http::Response resp = fail(ErrorCode::MethodNotAllowed, QStringLiteral("POST to an upload needs X-HTTP-Method-Override: PATCH or DELETE"));
    resp.headers.set("Allow", "OPTIONS, HEAD, GET, PATCH, DELETE");
    r.send(std::move(resp));
  });
}

http::Response TusService::options(http::Request &) {
  http::Response r = decorate(http::Response::noContent());
  r.headers.set("Tus-Version", kTusVersion);
  r.headers.set("Tus-Extension", "creation,creation-with-upload,termination");
  r.headers.set("Tus-Max-Size", QByteArray::number(options_.maxSize));
  // Not part of tus: clients must keep each PATCH under this, since bodies are buffered.
  r.headers.set("X-Max-Chunk-Size", QByteArray::number(options_.maxChunkBytes));
  r.headers.set("Access-Control-Allow-Methods", "POST, GET, HEAD, PATCH, DELETE, OPTIONS");
  r.headers.set("Access-Control-Allow-Headers",
                "Authorization, Origin, X-Requested-With, X-Request-ID, X-HTTP-Method-Override, Content-Type, "
                "Upload-Length, Upload-Offset, Tus-Resumable, Upload-Metadata, Upload-Defer-Length, Upload-Concat");
  r.headers.set("Access-Control-Max-Age", "86400");
  return r;
}

void TusService::create(http::Request &req, http::Responder responder) {
  if (!resumable(req)) return responder.send(precondition());
  if (req.head.headers.contains("Upload-Defer-Length"))
    return responder.send(fail(ErrorCode::BadRequest, QStringLiteral("Upload-Defer-Length is not supported: send Upload-Length")));
  if (req.head.headers.contains("Upload-Concat"))
    return responder.send(fail(ErrorCode::BadRequest, QStringLiteral("the concatenation extension is not supported")));
  const QByteArray lengthText = req.header("Upload-Length");
  if (lengthText.isNull()) return responder.send(fail(ErrorCode::BadRequest, QStringLiteral("Upload-Length is required")));
  const qint64 length = parseCount(lengthText);
  if (length < 0)
    return responder.send(fail(ErrorCode::BadRequest, QStringLiteral("Upload-Length must be a non-negative integer")));
  if (length > options_.maxSize)
    return responder.send(fail(ErrorCode::PayloadTooLarge,
                               QStringLiteral("upload of %1 bytes exceeds the limit of %2 bytes (upload-max-size)")
                                   .arg(length).arg(options_.maxSize)));
  auto meta = parseUploadMetadata(req.header("Upload-Metadata"));
  if (!meta) return responder.send(fail(meta.status().code(), meta.status().message()));
  QByteArray body = std::move(req.body);
  if (!body.isEmpty() && !isOffsetStream(req.header("Content-Type"))) return responder.send(unsupportedType());
  if (body.size() > length)
    return responder.send(fail(ErrorCode::BadRequest, QStringLiteral("the body is longer than Upload-Length")));

  UploadState s;
  s.id = UploadStore::newId();
  s.length = length;
  s.fileName = QFileInfo(meta->value(QStringLiteral("filename"))).fileName().left(255);
  if (s.fileName.isEmpty()) s.fileName = QStringLiteral("upload");
  s.name = titleNameFrom(*meta, s.fileName);
  s.metadata = QString::fromLatin1(req.header("Upload-Metadata"));

  catalogue_.createTitle(s.name, s.fileName, req.trace, [this, s, body, responder](Result<QJsonObject> title) mutable {
    if (!title) {
      const ErrorCode code = title.status().code() == ErrorCode::Unavailable ? ErrorCode::Unavailable : ErrorCode::BadGateway;
      return responder.send(fail(code, QStringLiteral("cannot register the title: %1").arg(title.status().message())));
    }
    s.titleId = title->value(QStringLiteral("id")).toString();
    if (s.titleId.isEmpty())
      return responder.send(fail(ErrorCode::BadGateway, QStringLiteral("control created a title without an id")));
    io_.start([this, s, body, responder] {
      auto created = store_.create(s);
      Status st = created.status();
      bool complete = false;
      if (created) {
        Upload &u = **created;
        QMutexLocker lock(&u.mutex);
        st = store_.append(u, body);
        if (st.isOk() && u.state.complete()) {
          complete = true;
          u.state.state = upload_state::kProbing;
          st = store_.save(u.state);
        }
        if (!st.isOk()) store_.remove(u);
      }
      if (!st.isOk()) {
        qCWarning(lcIngest).noquote() << "upload" << s.id << "not created:" << st.message();
        catalogue_.deleteTitle(s.titleId, {}, [](Status) {});
        return responder.send(fail(st.code(), st.message()));
      }
      if (createdTotal_) createdTotal_->inc();
      if (bytesTotal_) bytesTotal_->inc(double(body.size()));
      http::Response r = decorate(http::Response::noContent());
      r.status = 201;
      r.headers.set("Location", uploadPath(s.id).toUtf8());
      r.headers.set("Upload-Offset", QByteArray::number(body.size()));
      r.headers.set("X-Title-Id", s.titleId.toUtf8());
      responder.send(std::move(r));
      qCInfo(lcIngest).noquote() << "upload" << s.id << "created for title" << s.titleId << '(' << s.length << "bytes," << s.fileName << ')';
      if (complete) completed_(s.id);
    });
  });
}

http::Response TusService::head(http::Request &req) {
  if (!resumable(req)) return precondition();
  const QString id = req.param(QStringLiteral("id"));
  auto up = store_.find(id);
  if (!up) return notFound(id);
  QMutexLocker lock(&up->mutex);
  if (up->removed) return notFound(id);
  http::Response r = decorate(http::Response::noContent());
  r.status = 200;
  r.headers.set("Upload-Offset", QByteArray::number(up->state.offset));
  r.headers.set("Upload-Length", QByteArray::number(up->state.length));
  if (!up->state.metadata.isEmpty()) r.headers.set("Upload-Metadata", up->state.metadata.toLatin1());
  r.headers.set("X-Title-Id", up->state.titleId.toUtf8());
  r.headers.set("Cache-Control", "no-store");
  return r;
}

http::Response TusService::status(http::Request &req) {
  const QString id = req.param(QStringLiteral("id"));
  auto up = store_.find(id);
  if (!up) return notFound(id);
  QMutexLocker lock(&up->mutex);
  if (up->removed) return notFound(id);
  const UploadState &s = up->state;
  QJsonObject o{{QStringLiteral("id"), s.id},
                {QStringLiteral("offset"), s.offset},
                {QStringLiteral("length"), s.length},
                {QStringLiteral("titleId"), s.titleId},
                {QStringLiteral("state"), s.state},
                {QStringLiteral("reason"), s.reason},
                {QStringLiteral("name"), s.name},
                {QStringLiteral("fileName"), s.fileName},
                {QStringLiteral("createdAt"), s.createdAt},
                {QStringLiteral("updatedAt"), s.updatedAt}};
  if (!s.duplicateOf.isEmpty()) o.insert(QStringLiteral("duplicateOf"), s.duplicateOf);
  http::Response r = decorate(http::Response::json(o));
  r.headers.set("Cache-Control", "no-store");
  return r;
}

void TusService::patch(http::Request &req, http::Responder responder) {
  if (!resumable(req)) return responder.send(precondition());
  const QString id = req.param(QStringLiteral("id"));
  auto up = store_.find(id);
  if (!up) return responder.send(notFound(id));
  if (!isOffsetStream(req.header("Content-Type"))) return responder.send(unsupportedType());
  const qint64 offset = parseCount(req.header("Upload-Offset"));
  if (offset < 0) return responder.send(fail(ErrorCode::BadRequest, QStringLiteral("Upload-Offset must be a non-negative integer")));
  QByteArray body = std::move(req.body);
  io_.start([this, up, id, offset, body, responder] {
    bool complete = false;
    http::Response r;
    {
      QMutexLocker lock(&up->mutex);
      UploadState &s = up->state;
      if (up->removed) return responder.send(notFound(id));
      if (offset != s.offset) {
        r = fail(ErrorCode::Conflict, QStringLiteral("Upload-Offset %1 does not match the upload's offset %2").arg(offset).arg(s.offset));
        r.headers.set("Upload-Offset", QByteArray::number(s.offset));
        return responder.send(std::move(r));
      }
      if (s.offset + body.size() > s.length)
        return responder.send(fail(ErrorCode::BadRequest, QStringLiteral("%1 bytes at offset %2 would exceed Upload-Length %3")
                                                              .arg(body.size()).arg(s.offset).arg(s.length)));
      if (Status st = store_.append(*up, body); !st.isOk()) {
        qCWarning(lcIngest).noquote() << "upload" << id << st.message();
        return responder.send(fail(st.code(), st.message()));
      }
      if (bytesTotal_) bytesTotal_->inc(double(body.size()));
      if (!body.isEmpty() && s.complete() && s.state == upload_state::kUploading) {
        complete = true;
        s.state = upload_state::kProbing;
        if (Status st = store_.save(s); !st.isOk()) qCWarning(lcIngest).noquote() << "upload" << id << st.message();
      }
      r = decorate(http::Response::noContent());
      r.headers.set("Upload-Offset", QByteArray::number(s.offset));
      r.headers.set("X-Title-Id", s.titleId.toUtf8());
    }
    responder.send(std::move(r));
    if (complete) completed_(id);
  });
}

void TusService::terminate(http::Request &req, http::Responder responder) {
  if (!resumable(req)) return responder.send(precondition());
  const QString id = req.param(QStringLiteral("id"));
  auto up = store_.find(id);
  if (!up) return responder.send(notFound(id));
  const http::TraceContext trace = req.trace;
  io_.start([this, up, id, trace, responder] {
    QString titleToDelete;
    {
      QMutexLocker lock(&up->mutex);
      const UploadState &s = up->state;
      if (up->removed) return responder.send(notFound(id));
      if (s.complete() && !s.terminal())
        return responder.send(fail(ErrorCode::Conflict, QStringLiteral("upload %1 is complete and being processed; delete title %2 instead")
                                                            .arg(id, s.titleId)));
      if (s.state == upload_state::kUploading) titleToDelete = s.titleId;
      store_.remove(*up);
    }
    qCInfo(lcIngest).noquote() << "upload" << id << "terminated";
    if (titleToDelete.isEmpty()) return responder.send(decorate(http::Response::noContent()));
    // The title never had a source; it goes with its upload.
    catalogue_.deleteTitle(titleToDelete, trace, [responder, titleToDelete](Status st) {
      if (!st.isOk()) qCWarning(lcIngest).noquote() << "title" << titleToDelete << "of a terminated upload stays:" << st.message();
      responder.send(decorate(http::Response::noContent()));
    });
  });
}

}  // namespace rs::ingest
