// The tus 1.0 server of the ingest role at the protocol level: real sockets, the real
// ingest role inside a RoleHost (on its own thread, mounted on an api listener), and
// the real control role as a `platform --role=control` process for the catalogue.
// Covers creation, offsets, chunked PATCHes, every refusal (409, 412, 413, 415, 400),
// termination, hostile ids, a PATCH cut off mid-body, persistence across a restart of
// the host, and the recovery of an upload whose post-upload steps a crash interrupted.

#include "ingest/tusservice.h"
#include "ingesthost.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QTcpServer>
#include <QTest>

using namespace rs::test::ingest;

class tst_Tus : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir tmp_;
  std::unique_ptr<ControlProcess> control_;
  std::unique_ptr<IngestHost> host_;
  QString dataDir_;
  QByteArray baseClip_, baseOther_;  // real 2 s H.264/AAC MP4s of two sizes
  QByteArray clip_, otherClip_;      // this test's unique copies of them

  quint16 port() const { return host_->port(); }
  QByteArray admin() const { return rs::test::defaultAuthorization(port()); }
  // Sources are for encoders: a service credential, not the admin's.
  HttpResponse getSource(const QByteArray &target, const HeaderList &extra = {}) {
    return request(port(), "GET", target, HeaderList{{"Authorization", control_->service()}} + extra);
  }
  HttpResponse getSource(const QString &titleId, const HeaderList &extra = {}) {
    return getSource("/api/v1/sources/" + titleId.toUtf8(), extra);
  }

  // POST /api/v1/uploads; returns the upload path (from Location) or empty.
  QByteArray create(qint64 length, const QByteArray &metadata = {}, HttpResponse *out = nullptr) {
    HeaderList h{kTus, {"Upload-Length", QByteArray::number(length)}};
    if (!metadata.isEmpty()) h.append({"Upload-Metadata", metadata});
    const HttpResponse r = request(port(), "POST", "/api/v1/uploads", h);
    if (out) *out = r;
    return r.status == 201 ? r.header("Location") : QByteArray();
  }

  HttpResponse head(const QByteArray &upload) { return request(port(), "HEAD", upload, {kTus}); }

  QJsonObject title(const QString &id) {
    return json(request(control_->port(), "GET", "/control/v1/titles/" + id.toUtf8()));
  }

  // Polls control until the title leaves uploading/probing.
  QJsonObject settledTitle(const QString &id, int timeoutMs = 20000) {
    QElapsedTimer t;
    t.start();
    QJsonObject o;
    while (t.elapsed() < timeoutMs) {
      o = title(id);
      const QString s = o.value(u"state"_s).toString();
      if (!s.isEmpty() && s != u"uploading"_s && s != u"probing"_s) return o;
      QThread::msleep(50);
    }
    return o;
  }

  void startHost(const QStringList &extra = {}) {
    host_ = std::make_unique<IngestHost>(dataDir_, *control_, extra);
  }

  static QByteArray meta(const QString &fileName, const QString &title = {}) {
    QByteArray m = "filename " + fileName.toUtf8().toBase64();
    if (!title.isEmpty()) m += ",title " + title.toUtf8().toBase64();
    return m;
  }

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(tmp_.isValid());
    baseClip_ = makeClip(tmp_.filePath(u"clip.mp4"_s), u"testsrc2=size=320x240:rate=25"_s);
    baseOther_ = makeClip(tmp_.filePath(u"other.mp4"_s), u"testsrc2=size=256x144:rate=25"_s);
    QVERIFY2(baseClip_.size() > 10000 && baseOther_.size() > 10000, "ffmpeg could not generate the test clips");
    control_ = std::make_unique<ControlProcess>();
    QVERIFY2(control_->port() != 0, "control did not start");
  }

  void init() {
    clip_ = uniqueMp4(baseClip_);
    otherClip_ = uniqueMp4(baseOther_);
    dataDir_ = tmp_.filePath(QString::fromLatin1(QTest::currentTestFunction()));
    startHost();
    QVERIFY2(host_->ok(), qPrintable(host_->error()));
  }
  void cleanup() { host_.reset(); }

  void optionsAdvertisesTheProtocol() {
    const HttpResponse r = request(port(), "OPTIONS", "/api/v1/uploads",
                                   {{"Origin", "http://ui.example"}, {"Access-Control-Request-Method", "PATCH"}});
    QCOMPARE(r.status, 204);
    QCOMPARE(r.header("Tus-Resumable"), "1.0.0");
    QCOMPARE(r.header("Tus-Version"), "1.0.0");
    const QByteArrayList ext = r.header("Tus-Extension").split(',');
    QVERIFY(ext.contains("creation") && ext.contains("creation-with-upload") && ext.contains("termination"));
    QVERIFY(!ext.contains("checksum"));  // not implemented, so not advertised
    QCOMPARE(r.header("Tus-Max-Size"), "10000000");
    QCOMPARE(r.header("Access-Control-Allow-Origin"), "*");
    QVERIFY(r.header("Access-Control-Allow-Methods").contains("PATCH"));
    QVERIFY(r.header("Access-Control-Allow-Headers").contains("Upload-Offset"));
    QVERIFY(r.header("Access-Control-Allow-Headers").contains("Tus-Resumable"));
    QVERIFY(r.header("Access-Control-Expose-Headers").contains("X-Title-Id"));
    QVERIFY(r.header("Access-Control-Expose-Headers").contains("Location"));
  }

  void creationRegistersATitle() {
    HttpResponse r;
    const QByteArray upload = create(clip_.size(), meta(u"Holiday clip.mp4"_s, u"Our holiday ✈"_s), &r);
    QVERIFY2(!upload.isEmpty(), describe(r).constData());
    QVERIFY(upload.startsWith("/api/v1/uploads/"));
    const QByteArray id = upload.mid(16);
    QCOMPARE(id.size(), 32);  // 16 random bytes, hex
    QCOMPARE(r.header("Upload-Offset"), "0");
    QCOMPARE(r.header("Tus-Resumable"), "1.0.0");
    QCOMPARE(r.header("Access-Control-Allow-Origin"), "*");
    const QString titleId = QString::fromUtf8(r.header("X-Title-Id"));
    QVERIFY(titleId.startsWith(u"t_"_s));
    const QJsonObject t = title(titleId);
    QCOMPARE(t.value(u"state"_s).toString(), u"uploading"_s);
    QCOMPARE(t.value(u"name"_s).toString(), u"Our holiday ✈"_s);

    const HttpResponse h = head(upload);
    QCOMPARE(h.status, 200);
    QCOMPARE(h.header("Upload-Offset"), "0");
    QCOMPARE(h.header("Upload-Length"), QByteArray::number(clip_.size()));
    QCOMPARE(h.header("Cache-Control"), "no-store");
    QCOMPARE(h.header("Tus-Resumable"), "1.0.0");

    const HttpResponse s = request(port(), "GET", upload);
    QCOMPARE(s.status, 200);
    const QJsonObject o = json(s);
    QCOMPARE(o.value(u"offset"_s).toInteger(), 0);
    QCOMPARE(o.value(u"length"_s).toInteger(), clip_.size());
    QCOMPARE(o.value(u"titleId"_s).toString(), titleId);
    QCOMPARE(o.value(u"state"_s).toString(), u"uploading"_s);

    // Two uploads never share an id.
    QVERIFY(create(10) != upload);
    // Upload state is on disk as JSON next to the data.
    QVERIFY(QFile::exists(dataDir_ + u"/ingest/uploads/"_s + QString::fromLatin1(id) + u".json"_s));
    QVERIFY(QFile::exists(dataDir_ + u"/ingest/uploads/"_s + QString::fromLatin1(id) + u".bin"_s));
  }

  void creationRefusals() {
    // Upload-Length is required, and must be a number.
    HttpResponse r = request(port(), "POST", "/api/v1/uploads", {kTus});
    QCOMPARE(r.status, 400);
    QVERIFY(json(r).value(u"error"_s).toObject().value(u"message"_s).toString().contains(u"Upload-Length"_s));
    QCOMPARE(request(port(), "POST", "/api/v1/uploads", {kTus, {"Upload-Length", "-5"}}).status, 400);
    QCOMPARE(request(port(), "POST", "/api/v1/uploads", {kTus, {"Upload-Length", "12abc"}}).status, 400);
    QCOMPARE(request(port(), "POST", "/api/v1/uploads", {kTus, {"Upload-Defer-Length", "1"}}).status, 400);
    QCOMPARE(request(port(), "POST", "/api/v1/uploads", {kTus, {"Upload-Length", "5"}, {"Upload-Metadata", "filename ***"}}).status, 400);

    // Over the limit: 413 with a JSON error that names the limit.
    r = request(port(), "POST", "/api/v1/uploads", {kTus, {"Upload-Length", "10000001"}});
    QCOMPARE(r.status, 413);
    QCOMPARE(r.header("Tus-Resumable"), "1.0.0");
    const QString message = json(r).value(u"error"_s).toObject().value(u"message"_s).toString();
    QVERIFY2(message.contains(u"10000000"_s), qPrintable(message));
    // Exactly the limit is fine.
    QVERIFY(!create(10000000).isEmpty());

    // Without Tus-Resumable: 412, with the version we speak; nothing was created.
    const int before = int(QDir(dataDir_ + u"/ingest/uploads"_s).entryList({u"*.json"_s}).size());
    r = request(port(), "POST", "/api/v1/uploads", {{"Upload-Length", "5"}});
    QCOMPARE(r.status, 412);
    QCOMPARE(r.header("Tus-Version"), "1.0.0");
    QCOMPARE(request(port(), "POST", "/api/v1/uploads", {{"Tus-Resumable", "0.2.2"}, {"Upload-Length", "5"}}).status, 412);
    QCOMPARE(int(QDir(dataDir_ + u"/ingest/uploads"_s).entryList({u"*.json"_s}).size()), before);
  }

  void chunkedUploadReachesQueued() {
    HttpResponse r;
    const QByteArray upload = create(clip_.size(), meta(u"clip.mp4"_s), &r);
    QVERIFY2(!upload.isEmpty(), describe(r).constData());
    const QString titleId = QString::fromUtf8(r.header("X-Title-Id"));
    const qint64 third = clip_.size() / 3;

    r = request(port(), "PATCH", upload, patchHeaders(0), clip_.left(third));
    QCOMPARE(r.status, 204);
    QCOMPARE(r.header("Upload-Offset"), QByteArray::number(third));
    QCOMPARE(r.header("Tus-Resumable"), "1.0.0");
    QCOMPARE(head(upload).header("Upload-Offset"), QByteArray::number(third));

    // Wrong offset: 409, nothing written.
    r = request(port(), "PATCH", upload, patchHeaders(third - 1), clip_.mid(third - 1, 10));
    QCOMPARE(r.status, 409);
    r = request(port(), "PATCH", upload, patchHeaders(0), clip_.left(10));
    QCOMPARE(r.status, 409);
    // Wrong content type: 415.
    r = request(port(), "PATCH", upload, {kTus, {"Content-Type", "application/octet-stream"}, {"Upload-Offset", QByteArray::number(third)}},
                clip_.mid(third, 10));
    QCOMPARE(r.status, 415);
    // No Tus-Resumable: 412.
    r = request(port(), "PATCH", upload, {kOffsetStream, {"Upload-Offset", QByteArray::number(third)}}, clip_.mid(third, 10));
    QCOMPARE(r.status, 412);
    // Missing Upload-Offset: 400.
    QCOMPARE(request(port(), "PATCH", upload, {kTus, kOffsetStream}, clip_.mid(third, 10)).status, 400);
    // More than Upload-Length: 400.
    r = request(port(), "PATCH", upload, patchHeaders(third), clip_.mid(third) + "extra");
    QCOMPARE(r.status, 400);
    QCOMPARE(head(upload).header("Upload-Offset"), QByteArray::number(third));
    // Still uploading, in control too.
    QCOMPARE(title(titleId).value(u"state"_s).toString(), u"uploading"_s);

    r = request(port(), "PATCH", upload, patchHeaders(third), clip_.mid(third, third));
    QCOMPARE(r.status, 204);
    r = request(port(), "PATCH", upload, patchHeaders(2 * third), clip_.mid(2 * third));
    QCOMPARE(r.status, 204);
    QCOMPARE(r.header("Upload-Offset"), QByteArray::number(clip_.size()));
    QCOMPARE(r.header("X-Title-Id"), titleId.toUtf8());

    const QJsonObject t = settledTitle(titleId);
    QCOMPARE(t.value(u"state"_s).toString(), u"queued"_s);
    const QJsonObject source = t.value(u"source"_s).toObject();
    QCOMPARE(source.value(u"sha256"_s).toString(),
             QString::fromLatin1(QCryptographicHash::hash(clip_, QCryptographicHash::Sha256).toHex()));
    QCOMPARE(source.value(u"sizeBytes"_s).toInteger(), clip_.size());
    QCOMPARE(source.value(u"fileName"_s).toString(), u"clip.mp4"_s);
    QCOMPARE(source.value(u"url"_s).toString(), u"http://127.0.0.1:%1/api/v1/sources/%2"_s.arg(port()).arg(titleId));
    QVERIFY(t.value(u"probe"_s).toObject().value(u"hasVideo"_s).toBool());
    QCOMPARE(t.value(u"job"_s).toObject().value(u"state"_s).toString(), u"queued"_s);

    // The source is served (with ranges) and the upload area is empty again.
    r = getSource(titleId);
    QCOMPARE(r.status, 200);
    QVERIFY(r.body == clip_);
    r = getSource(titleId, {{"Range", "bytes=100-199"}});
    QCOMPARE(r.status, 206);
    QVERIFY(r.body == clip_.mid(100, 100));
    QVERIFY(QFile::exists(dataDir_ + u"/ingest/sources/%1/source.mp4"_s.arg(titleId)));
    QVERIFY(!QFile::exists(dataDir_ + u"/ingest/uploads/"_s + QString::fromLatin1(upload.mid(16)) + u".bin"_s));
    const QJsonObject status = json(request(port(), "GET", upload));
    QCOMPARE(status.value(u"state"_s).toString(), u"queued"_s);
    QCOMPARE(status.value(u"offset"_s).toInteger(), clip_.size());

    // The finished upload takes no more bytes.
    QCOMPARE(request(port(), "PATCH", upload, patchHeaders(clip_.size()), "x").status, 400);

    // The same bytes again: a duplicate, reported with the original's id.
    const QByteArray again = create(clip_.size(), meta(u"copy.mp4"_s), &r);
    const QString againId = QString::fromUtf8(r.header("X-Title-Id"));
    QCOMPARE(request(port(), "PATCH", again, patchHeaders(0), clip_).status, 204);
    const QJsonObject dup = settledTitle(againId);
    QCOMPARE(dup.value(u"state"_s).toString(), u"failed"_s);
    QCOMPARE(dup.value(u"reason"_s).toString(), u"identical to title %1 (same SHA-256)"_s.arg(titleId));
    QCOMPARE(dup.value(u"duplicateOf"_s).toString(), titleId);
    QCOMPARE(json(request(port(), "GET", again)).value(u"duplicateOf"_s).toString(), titleId);
    QCOMPARE(getSource(againId).status, 404);
  }

  void eightMegabyteChunks() {
    // What tus-js-client in the UI and `platform ingest` send by default.
    const qint64 chunk = 8 * 1024 * 1024;
    QByteArray bytes(chunk + 500000, Qt::Uninitialized);
    for (qsizetype i = 0; i < bytes.size(); ++i) bytes[i] = char((i * 7919) >> 3);
    HttpResponse r;
    const QByteArray upload = create(bytes.size(), meta(u"big.bin"_s), &r);
    QVERIFY2(!upload.isEmpty(), describe(r).constData());
    const QString titleId = QString::fromUtf8(r.header("X-Title-Id"));
    r = request(port(), "PATCH", upload, patchHeaders(0), bytes.left(chunk));
    QVERIFY2(r.status == 204, describe(r).constData());
    QCOMPARE(r.header("Upload-Offset"), QByteArray::number(chunk));
    r = request(port(), "PATCH", upload, patchHeaders(chunk), bytes.mid(chunk));
    QCOMPARE(r.status, 204);
    QCOMPARE(r.header("Upload-Offset"), QByteArray::number(bytes.size()));
    // Not a video: rejected, and its 8.5 MB are not kept. Ingest records the failure in
    // the catalogue first and deletes the bytes right after (the bytes must outlive a
    // catalogue call that is retried), so the file may still be there for a moment.
    const QJsonObject t = settledTitle(titleId);
    QCOMPARE(t.value(u"state"_s).toString(), u"failed"_s);
    QTRY_VERIFY_WITH_TIMEOUT(!QFile::exists(dataDir_ + u"/ingest/uploads/"_s + QString::fromLatin1(upload.mid(16)) + u".bin"_s), 2000);
    // Over 64 MiB a single request is refused before its body is read.
    Client c(port());
    c.send("PATCH " + upload + " HTTP/1.1\r\nHost: x\r\nTus-Resumable: 1.0.0\r\nAuthorization: " + admin() + "\r\n"
           "Content-Type: application/offset+octet-stream\r\nUpload-Offset: 0\r\nContent-Length: 67108865\r\n\r\n");
    auto big = c.readResponse(false, 5000);
    QVERIFY(big);
    QCOMPARE(big->status, 413);
  }

  void creationWithUpload() {
    HeaderList h{kTus, kOffsetStream, {"Upload-Length", QByteArray::number(otherClip_.size())}, {"Upload-Metadata", meta(u"other.mp4"_s)}};
    HttpResponse r = request(port(), "POST", "/api/v1/uploads", h, otherClip_.left(1000));
    QCOMPARE(r.status, 201);
    QCOMPARE(r.header("Upload-Offset"), "1000");
    const QByteArray upload = r.header("Location");
    const QString titleId = QString::fromUtf8(r.header("X-Title-Id"));
    QCOMPARE(request(port(), "PATCH", upload, patchHeaders(1000), otherClip_.mid(1000)).status, 204);
    QCOMPARE(settledTitle(titleId).value(u"state"_s).toString(), u"queued"_s);

    // The whole file in the creation request completes the upload at once.
    h[2].second = "4";
    r = request(port(), "POST", "/api/v1/uploads", h, "text");
    QCOMPARE(r.status, 201);
    QCOMPARE(r.header("Upload-Offset"), "4");
    const QJsonObject t = settledTitle(QString::fromUtf8(r.header("X-Title-Id")));
    QCOMPARE(t.value(u"state"_s).toString(), u"failed"_s);
    QVERIFY2(t.value(u"reason"_s).toString().startsWith(u"not a media file"_s), qPrintable(t.value(u"reason"_s).toString()));
    // A body needs the tus content type.
    h[1].second = "application/octet-stream";
    QCOMPARE(request(port(), "POST", "/api/v1/uploads", h, "text").status, 415);
  }

  void emptyUploadFailsAtCreation() {
    HttpResponse r;
    const QByteArray upload = create(0, meta(u"empty.mp4"_s), &r);
    QVERIFY2(!upload.isEmpty(), describe(r).constData());
    QCOMPARE(r.header("Upload-Offset"), "0");
    const QJsonObject t = settledTitle(QString::fromUtf8(r.header("X-Title-Id")));
    QCOMPARE(t.value(u"state"_s).toString(), u"failed"_s);
    QCOMPARE(t.value(u"reason"_s).toString(), u"not a media file: empty file"_s);
    const QJsonObject status = json(request(port(), "GET", upload));
    QCOMPARE(status.value(u"state"_s).toString(), u"failed"_s);
    QCOMPARE(status.value(u"reason"_s).toString(), u"not a media file: empty file"_s);
  }

  void terminationRemovesUploadAndTitle() {
    HttpResponse r;
    const QByteArray upload = create(clip_.size(), meta(u"clip.mp4"_s), &r);
    const QString titleId = QString::fromUtf8(r.header("X-Title-Id"));
    QCOMPARE(request(port(), "PATCH", upload, patchHeaders(0), clip_.left(5000)).status, 204);
    QCOMPARE(request(port(), "DELETE", upload, {}).status, 412);
    r = request(port(), "DELETE", upload, {kTus});
    QCOMPARE(r.status, 204);
    QCOMPARE(r.header("Tus-Resumable"), "1.0.0");
    QCOMPARE(head(upload).status, 404);
    QCOMPARE(request(port(), "PATCH", upload, patchHeaders(5000), clip_.mid(5000, 10)).status, 404);
    QCOMPARE(request(port(), "DELETE", upload, {kTus}).status, 404);
    QCOMPARE(request(control_->port(), "GET", "/control/v1/titles/" + titleId.toUtf8()).status, 404);
    const QString id = QString::fromLatin1(upload.mid(16));
    QVERIFY(!QFile::exists(dataDir_ + u"/ingest/uploads/"_s + id + u".json"_s));
    QVERIFY(!QFile::exists(dataDir_ + u"/ingest/uploads/"_s + id + u".bin"_s));
  }

  void hostileIds() {
    QVERIFY(QFile(dataDir_ + u"/secret.json"_s).open(QIODevice::WriteOnly));
    const QByteArrayList targets{
        "/api/v1/uploads/..%2f..%2fsecret",
        "/api/v1/uploads/..%2Fsecret",
        "/api/v1/uploads/%2e%2e",
        "/api/v1/uploads/0123456789abcdef0123456789abcdef%2f..%2f..%2fsecret",
        "/api/v1/uploads/0123456789ABCDEF0123456789ABCDEF",   // right length, wrong alphabet
        "/api/v1/uploads/0123456789abcdef0123456789abcdef",   // well-formed, unknown
        "/api/v1/uploads/secret",
    };
    for (const QByteArray &t : targets) {
      QCOMPARE(head(t).status, 404);
      QCOMPARE(request(port(), "GET", t).status, 404);
      QCOMPARE(request(port(), "PATCH", t, patchHeaders(0), "x").status, 404);
      QCOMPARE(request(port(), "DELETE", t, {kTus}).status, 404);
    }
    for (const QByteArray &t : QByteArrayList{"/api/v1/sources/..%2fcontrol", "/api/v1/sources/%2e%2e", "/api/v1/sources/..",
                                              "/api/v1/sources/t_nope"})
      QCOMPARE(getSource(t).status, 404);
    QVERIFY(QFile::exists(dataDir_ + u"/secret.json"_s));
  }

  void patchCutOffMidBodyResumes() {
    HttpResponse r;
    const QByteArray upload = create(clip_.size(), meta(u"clip.mp4"_s), &r);
    const QString titleId = QString::fromUtf8(r.header("X-Title-Id"));
    const qint64 half = clip_.size() / 2;
    QCOMPARE(request(port(), "PATCH", upload, patchHeaders(0), clip_.left(1000)).status, 204);
    {
      // The client promises the rest of the file, sends half of that, and vanishes.
      Client c(port());
      QVERIFY(c.connected());
      const QByteArray rest = clip_.mid(1000);
      QByteArray req = "PATCH " + upload + " HTTP/1.1\r\nHost: x\r\nTus-Resumable: 1.0.0\r\nAuthorization: " + admin() + "\r\n"
                       "Content-Type: application/offset+octet-stream\r\nUpload-Offset: 1000\r\n"
                       "Content-Length: " + QByteArray::number(rest.size()) + "\r\n\r\n" + rest.left(half);
      QVERIFY(c.send(req));
      QThread::msleep(100);
    }
    QThread::msleep(200);
    // Only whole, synced requests count: the server is at the last committed offset.
    r = head(upload);
    QCOMPARE(r.status, 200);
    QCOMPARE(r.header("Upload-Offset"), "1000");
    QCOMPARE(request(port(), "PATCH", upload, patchHeaders(1000), clip_.mid(1000, half)).status, 204);
    QCOMPARE(request(port(), "PATCH", upload, patchHeaders(1000 + half), clip_.mid(1000 + half)).status, 204);
    QCOMPARE(settledTitle(titleId).value(u"state"_s).toString(), u"queued"_s);
    QVERIFY(getSource(titleId).body == clip_);
  }

  void uploadSurvivesRestart() {
    HttpResponse r;
    const QByteArray upload = create(otherClip_.size(), meta(u"other.mp4"_s), &r);
    const QString titleId = QString::fromUtf8(r.header("X-Title-Id"));
    const qint64 half = otherClip_.size() / 2;
    QCOMPARE(request(port(), "PATCH", upload, patchHeaders(0), otherClip_.left(half)).status, 204);

    const quint16 oldPort = port();
    host_.reset();  // a restart of the process hosting ingest
    QCOMPARE(request(oldPort, "HEAD", upload, {kTus}).status, 0);  // nobody listens there now
    startHost();
    QVERIFY2(host_->ok(), qPrintable(host_->error()));
    r = head(upload);
    QCOMPARE(r.status, 200);
    QCOMPARE(r.header("Upload-Offset"), QByteArray::number(half));
    QCOMPARE(r.header("Upload-Length"), QByteArray::number(otherClip_.size()));
    QCOMPARE(request(port(), "PATCH", upload, patchHeaders(half), otherClip_.mid(half)).status, 204);
    const QJsonObject t = settledTitle(titleId);
    QCOMPARE(t.value(u"state"_s).toString(), u"queued"_s);
    QVERIFY(getSource(titleId).body == otherClip_);
  }

  void crashAfterLastByteIsRecovered() {
    // An upload whose bytes are all on disk but whose post-upload steps never ran (the
    // process died right after the final PATCH was acknowledged).
    HttpResponse r;
    const QByteArray upload = create(otherClip_.size(), meta(u"other.mp4"_s), &r);
    const QString titleId = QString::fromUtf8(r.header("X-Title-Id"));
    QCOMPARE(request(port(), "PATCH", upload, patchHeaders(0), otherClip_.left(100)).status, 204);
    host_.reset();
    const QString base = dataDir_ + u"/ingest/uploads/"_s + QString::fromLatin1(upload.mid(16));
    QFile data(base + u".bin"_s);
    QVERIFY(data.open(QIODevice::WriteOnly | QIODevice::Truncate));
    data.write(otherClip_);
    data.close();
    QFile state(base + u".json"_s);
    QVERIFY(state.open(QIODevice::ReadOnly));
    QJsonObject o = QJsonDocument::fromJson(state.readAll()).object();
    state.close();
    o.insert(u"offset"_s, otherClip_.size());
    o.insert(u"state"_s, u"probing"_s);
    QVERIFY(state.open(QIODevice::WriteOnly | QIODevice::Truncate));
    state.write(QJsonDocument(o).toJson());
    state.close();
    QCOMPARE(request(control_->port(), "PATCH", "/control/v1/titles/" + titleId.toUtf8(), {{"Content-Type", "application/json"}},
                     R"({"state":"probing"})").status, 200);

    startHost();
    QVERIFY2(host_->ok(), qPrintable(host_->error()));
    const QJsonObject t = settledTitle(titleId);
    QCOMPARE(t.value(u"state"_s).toString(), u"queued"_s);
    QCOMPARE(json(request(port(), "GET", upload)).value(u"state"_s).toString(), u"queued"_s);
  }

  void bytesBeyondTheRecordAreDropped() {
    // A crash between writing a chunk and recording its offset: the next start cuts the
    // unacknowledged bytes, and the client's retry of that chunk lands where it should.
    HttpResponse r;
    const QByteArray upload = create(clip_.size(), meta(u"clip.mp4"_s), &r);
    const QString titleId = QString::fromUtf8(r.header("X-Title-Id"));
    QCOMPARE(request(port(), "PATCH", upload, patchHeaders(0), clip_.left(2000)).status, 204);
    host_.reset();
    QFile data(dataDir_ + u"/ingest/uploads/"_s + QString::fromLatin1(upload.mid(16)) + u".bin"_s);
    QVERIFY(data.open(QIODevice::Append));
    data.write(QByteArray(3000, 'Z'));
    data.close();
    startHost();
    QCOMPARE(head(upload).header("Upload-Offset"), "2000");
    QCOMPARE(QFileInfo(data.fileName()).size(), 2000);
    QCOMPARE(request(port(), "PATCH", upload, patchHeaders(2000), clip_.mid(2000)).status, 204);
    QCOMPARE(settledTitle(titleId).value(u"state"_s).toString(), u"queued"_s);
    QVERIFY(getSource(titleId).body == clip_);
  }

  void abandonedUploadIsDropped() {
    HttpResponse r;
    const QByteArray upload = create(clip_.size(), meta(u"clip.mp4"_s), &r);
    const QString titleId = QString::fromUtf8(r.header("X-Title-Id"));
    const QByteArray fresh = create(clip_.size(), meta(u"clip.mp4"_s));
    QCOMPARE(request(port(), "PATCH", upload, patchHeaders(0), clip_.left(100)).status, 204);
    host_.reset();
    // Its client went away eight days ago.
    const QString path = dataDir_ + u"/ingest/uploads/"_s + QString::fromLatin1(upload.mid(16)) + u".json"_s;
    QJsonObject o = QJsonDocument::fromJson(readFile(path)).object();
    o.insert(u"updatedAt"_s, QDateTime::currentDateTimeUtc().addDays(-8).toString(Qt::ISODateWithMs));
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write(QJsonDocument(o).toJson());
    f.close();
    startHost();
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < 5000 && request(control_->port(), "GET", "/control/v1/titles/" + titleId.toUtf8()).status != 404)
      QThread::msleep(50);
    QCOMPARE(request(control_->port(), "GET", "/control/v1/titles/" + titleId.toUtf8()).status, 404);
    QCOMPARE(head(upload).status, 404);
    QVERIFY(!QFile::exists(path));
    QCOMPARE(head(fresh).status, 200);  // a recent one stays
  }

  void controlUnreachableIs503() {
    host_.reset();
    // A port nobody listens on: bind one, note it, close it.
    quint16 closed;
    {
      QTcpServer s;
      QVERIFY(s.listen(QHostAddress::LocalHost, 0));
      closed = s.serverPort();
    }
    host_ = std::make_unique<IngestHost>(dataDir_, QUrl(u"http://127.0.0.1:%1"_s.arg(closed)), control_->keyFile());
    QVERIFY(host_->ok());
    const HttpResponse r = request(port(), "POST", "/api/v1/uploads", {kTus, {"Upload-Length", "10"}});
    QCOMPARE(r.status, 503);
    QCOMPARE(r.header("Tus-Resumable"), "1.0.0");
    QVERIFY(json(r).value(u"error"_s).toObject().value(u"message"_s).toString().contains(QString::number(closed)));
    QVERIFY(QDir(dataDir_ + u"/ingest/uploads"_s).entryList({u"*.json"_s}).isEmpty());
  }

  void methodOverride() {
    HttpResponse r;
    const QByteArray upload = create(clip_.size(), meta(u"clip.mp4"_s), &r);
    HeaderList h = patchHeaders(0);
    h.append(qMakePair(QByteArray("X-HTTP-Method-Override"), QByteArray("PATCH")));
    r = request(port(), "POST", upload, h, clip_.left(100));
    QCOMPARE(r.status, 204);
    QCOMPARE(r.header("Upload-Offset"), "100");
    QCOMPARE(request(port(), "POST", upload, {kTus, {"X-HTTP-Method-Override", "DELETE"}}).status, 204);
    QCOMPARE(head(upload).status, 404);
  }

  void metadataParsing() {
    const QByteArray header = "filename " + QByteArray("a b.mp4").toBase64() + ",is_confidential, title " +
                              QString(u"Ünïcode"_s).toUtf8().toBase64();
    auto m = rs::ingest::parseUploadMetadata(header);
    QVERIFY(m.isOk());
    QCOMPARE(m->value(u"filename"_s), u"a b.mp4"_s);
    QVERIFY(m->contains(u"is_confidential"_s));
    QCOMPARE(m->value(u"title"_s), u"Ünïcode"_s);
    QVERIFY(!rs::ingest::parseUploadMetadata("filename a b c").isOk());
    QVERIFY(!rs::ingest::parseUploadMetadata("filename !!!!").isOk());
    QVERIFY(rs::ingest::parseUploadMetadata("").isOk());
  }
};

QTEST_GUILESS_MAIN(tst_Tus)
#include "tst_tus.moc"
