// `platform ingest` against a real stack: `platform --role=control,api,ingest` on :0
// ports in a temporary data directory, media made with the ffmpeg CLI. A good clip is
// accepted (queued; its source served byte for byte), every kind of bad input fails its
// title with the right reason while the stack stays healthy, a second copy is reported
// as a duplicate, an upload cut off by the network resumes, and --wait follows a title
// to ready or failed (the test plays the encoder through control's job API).

#include "support/rawhttp.h"
#include "support/stack.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QtEndian>

#include <atomic>
#include <memory>
#include <thread>

using namespace Qt::StringLiterals;
using rs::test::HttpResponse;

namespace {

QByteArray readFile(const QString &path) {
  QFile f(path);
  return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

bool writeFile(const QString &path, const QByteArray &data) {
  QFile f(path);
  return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(data) == data.size();
}

HttpResponse request(quint16 port, const QByteArray &method, const QByteArray &target, const QByteArray &body = {}) {
  rs::test::HeaderList headers;
  if (!body.isEmpty()) headers.emplaceBack("Content-Type", "application/json");
  return rs::test::request(port, method, target, headers, body, {.timeoutMs = 10000});
}

QJsonObject json(const HttpResponse &r) { return QJsonDocument::fromJson(r.body).object(); }
QByteArray compact(const QJsonObject &o) { return QJsonDocument(o).toJson(QJsonDocument::Compact); }

bool ffmpeg(const QStringList &args) {
  QProcess p;
  p.start(u"ffmpeg"_s, QStringList{u"-v"_s, u"error"_s, u"-y"_s} + args);
  return p.waitForFinished(60000) && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
}

// `platform --role=control,api,ingest[,…]`, every listener on a free loopback port,
// asked to shut down cleanly at the end.
class Stack {
 public:
  explicit Stack(const QString &roles = u"control,api,ingest"_s) {
    platform_.captureLog();
    started_ = platform_.start({u"--role="_s + roles}, &error_);
    if (started_) platform_.authorizeAll();  // the test speaks as the stack's admin and services
  }
  ~Stack() { platform_.terminate(8000); }
  bool ok() const { return started_ && apiPort() > 0 && controlPort() > 0; }
  QString log() const { return started_ ? platform_.log() : error_; }  // error_ ends with the output
  QUrl api() const { return platform_.url(u"api"_s); }
  quint16 apiPort() const { return quint16(api().port()); }
  quint16 controlPort() const { return quint16(platform_.url(u"control"_s).port()); }
  QString dataDir() const { return platform_.dataDir(); }
  QByteArray adminToken() const { return platform_.adminAuth().mid(7); }
  // Sources are for encoders: read them as a service.
  HttpResponse source(const QString &id) const {
    return rs::test::request(apiPort(), "GET", "/api/v1/sources/" + id.toUtf8(), {{"Authorization", platform_.serviceAuth()}});
  }

 private:
  rs::test::Platform platform_;
  bool started_ = false;
  QString error_;
};

struct CliResult {
  bool finished = false;
  int exitCode = -1;
  QByteArray out, err;
  QJsonObject json() const { return QJsonDocument::fromJson(out.trimmed()).object(); }
  QByteArray describe() const { return "exit " + QByteArray::number(exitCode) + "\nstdout: " + out + "\nstderr: " + err; }
};

void startCli(QProcess &p, const QStringList &args) {
  rs::test::dieWithParent(p);
  p.start(rs::test::platformBin(), QStringList{u"ingest"_s} + args);
}

CliResult finishCli(QProcess &p, int timeoutMs = 60000) {
  CliResult r;
  r.finished = p.waitForFinished(timeoutMs);
  if (!r.finished) {
    p.kill();
    p.waitForFinished(2000);
  }
  r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
  r.out = p.readAllStandardOutput();
  r.err = p.readAllStandardError();
  return r;
}

CliResult runCli(const QStringList &args, int timeoutMs = 60000) {
  QProcess p;
  startCli(p, args);
  return finishCli(p, timeoutMs);
}

// Forwards a loopback port to `target`; the first `maxCuts` connections that carry
// more than `cutAfter` bytes from the client are torn down in both directions.
class CuttingProxy {
 public:
  CuttingProxy(quint16 target, qint64 cutAfter, int maxCuts) : target_(target), cutAfter_(cutAfter), maxCuts_(maxCuts) {
    listenFd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    ::bind(listenFd_, reinterpret_cast<sockaddr *>(&a), sizeof a);
    ::listen(listenFd_, 16);
    ::getsockname(listenFd_, reinterpret_cast<sockaddr *>(&a), &len);
    port_ = ntohs(a.sin_port);
    acceptor_ = std::thread([this] { acceptLoop(); });
  }
  ~CuttingProxy() {
    stop_ = true;
    acceptor_.join();
    for (auto &t : pipes_) t.join();
    ::close(listenFd_);
  }
  quint16 port() const { return port_; }
  int cuts() const { return qMin(cuts_.load(), maxCuts_); }

 private:
  void acceptLoop() {
    while (!stop_) {
      pollfd p{listenFd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      const int client = ::accept4(listenFd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (client < 0) continue;
      pipes_.emplace_back([this, client] { pipe(client); });
    }
  }
  void pipe(int client) {
    const int server = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(target_);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(server, reinterpret_cast<sockaddr *>(&a), sizeof a) != 0) {
      ::close(client);
      ::close(server);
      return;
    }
    qint64 upstream = 0;
    char buf[16384];
    while (!stop_) {
      pollfd p[2] = {{client, POLLIN, 0}, {server, POLLIN, 0}};
      if (::poll(p, 2, 50) <= 0) continue;
      if (p[0].revents) {
        const ssize_t n = ::recv(client, buf, sizeof buf, 0);
        if (n <= 0) break;
        upstream += n;
        if (upstream > cutAfter_ && cuts_.fetch_add(1) < maxCuts_) {
          // Forward only part of this read, then drop both sides mid-request.
          ::send(server, buf, size_t(n / 2), MSG_NOSIGNAL);
          break;
        }
        if (::send(server, buf, size_t(n), MSG_NOSIGNAL) != n) break;
      }
      if (p[1].revents) {
        const ssize_t n = ::recv(server, buf, sizeof buf, 0);
        if (n <= 0 || ::send(client, buf, size_t(n), MSG_NOSIGNAL) != n) break;
      }
    }
    ::close(client);
    ::close(server);
  }

  quint16 target_;
  qint64 cutAfter_;
  int maxCuts_;
  int listenFd_ = -1;
  quint16 port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> cuts_{0};
  std::thread acceptor_;
  std::vector<std::thread> pipes_;
};

// A copy of an MP4 with different bytes (a trailing top-level 'free' box that demuxers
// skip), so the duplicate check does not fire.
QByteArray variant(const QByteArray &mp4, const QByteArray &tag) {
  QByteArray box(4, '\0');
  qToBigEndian<quint32>(quint32(8 + tag.size()), box.data());
  return mp4 + box + "free" + tag;
}

}  // namespace

class tst_IngestCli : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir tmp_;
  std::unique_ptr<Stack> stack_;
  QString clip_;        // 2 s 320x240 H.264 + AAC
  QString goodTitle_;   // accepted in acceptsAClip

  QString file(const QString &name) const { return tmp_.filePath(name); }
  QString api() const { return stack_->api().toString(); }
  // The CLI on the test's machine finds the stack's local admin token in its data dir.
  QStringList local() const { return {u"--data-dir"_s, stack_->dataDir()}; }

  QJsonObject controlTitle(quint16 controlPort, const QString &id) {
    return json(request(controlPort, "GET", "/control/v1/titles/" + id.toUtf8()));
  }

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(tmp_.isValid());
    clip_ = file(u"clip.mp4"_s);
    QVERIFY(ffmpeg({u"-f"_s, u"lavfi"_s, u"-i"_s, u"testsrc2=size=320x240:rate=25"_s, u"-f"_s, u"lavfi"_s, u"-i"_s,
                    u"sine=frequency=440:sample_rate=48000"_s, u"-t"_s, u"2"_s, u"-c:v"_s, u"libx264"_s, u"-preset"_s,
                    u"ultrafast"_s, u"-pix_fmt"_s, u"yuv420p"_s, u"-c:a"_s, u"aac"_s, u"-shortest"_s, clip_}));
    QVERIFY(ffmpeg({u"-f"_s, u"lavfi"_s, u"-i"_s, u"sine=frequency=440:sample_rate=48000"_s, u"-t"_s, u"2"_s, u"-c:a"_s,
                    u"aac"_s, file(u"audio-only.m4a"_s)}));
    const QByteArray mp4 = readFile(clip_);
    QVERIFY(mp4.size() > 10000);
    QVERIFY(writeFile(file(u"truncated.mp4"_s), mp4.left(mp4.size() / 2)));
    QVERIFY(writeFile(file(u"text.mp4"_s), "This is a text file, not a video.\n"));
    QVERIFY(writeFile(file(u"empty.mp4"_s), {}));
    stack_ = std::make_unique<Stack>();
    QVERIFY2(stack_->ok(), qPrintable(stack_->log()));
  }

  void acceptsAClip() {
    // An explicit admin token, as a script on another machine would pass it.
    const CliResult r = runCli({clip_, u"--api"_s, api(), u"--title"_s, u"Good clip"_s, u"--token"_s,
                                QString::fromLatin1(stack_->adminToken())});
    QVERIFY2(r.finished && r.exitCode == 0, r.describe().constData());
    const QJsonObject out = r.json();
    goodTitle_ = out.value(u"titleId"_s).toString();
    QVERIFY2(goodTitle_.startsWith(u"t_"_s), r.out.constData());
    QCOMPARE(out.value(u"state"_s).toString(), u"queued"_s);
    QVERIFY2(out.value(u"uploadUrl"_s).toString().startsWith(api() + u"/api/v1/uploads/"_s), r.out.constData());
    // stderr is not a terminal here: occasional progress lines, not a redrawn one.
    QVERIFY2(r.err.contains("uploaded 100%"), r.err.constData());
    QVERIFY(!r.err.contains('\r'));

    // No encoder runs in this stack: the title waits in the queue.
    const QJsonObject t = controlTitle(stack_->controlPort(), goodTitle_);
    QCOMPARE(t.value(u"state"_s).toString(), u"queued"_s);
    QCOMPARE(t.value(u"name"_s).toString(), u"Good clip"_s);
    QCOMPARE(t.value(u"source"_s).toObject().value(u"fileName"_s).toString(), u"clip.mp4"_s);
    const HttpResponse src = stack_->source(goodTitle_);
    QCOMPARE(src.status, 200);
    QVERIFY2(src.body == readFile(clip_), "the served source differs from the uploaded file");
  }

  void rejectsBadInput_data() {
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("reason");  // how the reason starts
    QTest::newRow("text named .mp4") << u"text.mp4"_s << u"not a media file"_s;
    QTest::newRow("truncated mp4") << u"truncated.mp4"_s << u"truncated or corrupt"_s;
    QTest::newRow("audio only") << u"audio-only.m4a"_s << u"no video stream"_s;
    QTest::newRow("empty") << u"empty.mp4"_s << u"not a media file: empty file"_s;
  }
  void rejectsBadInput() {
    QFETCH(QString, name);
    QFETCH(QString, reason);
    const CliResult r = runCli(QStringList{file(name), u"--api"_s, api()} + local());
    QVERIFY2(r.finished && r.exitCode == 1, r.describe().constData());
    const QJsonObject out = r.json();
    QCOMPARE(out.value(u"state"_s).toString(), u"failed"_s);
    const QString got = out.value(u"reason"_s).toString();
    QVERIFY2(got.startsWith(reason), qPrintable(got));
    QVERIFY2(r.err.contains(got.toUtf8()), r.err.constData());
    const QJsonObject t = controlTitle(stack_->controlPort(), out.value(u"titleId"_s).toString());
    QCOMPARE(t.value(u"state"_s).toString(), u"failed"_s);
    QCOMPARE(t.value(u"reason"_s).toString(), got);
    // Rejected bytes are not kept, nor served.
    QCOMPARE(stack_->source(t.value(u"id"_s).toString()).status, 404);
  }

  void stackStaysHealthy() {
    QCOMPARE(request(stack_->apiPort(), "GET", "/healthz").status, 200);
    QCOMPARE(request(stack_->controlPort(), "GET", "/healthz").status, 200);
    const HttpResponse list = request(stack_->apiPort(), "GET", "/api/v1/titles");
    QCOMPARE(list.status, 200);
    bool found = false;
    for (const QJsonValue &v : json(list).value(u"titles"_s).toArray()) {
      const QJsonObject t = v.toObject();
      if (t.value(u"id"_s).toString() != goodTitle_) continue;
      found = true;
      QCOMPARE(t.value(u"state"_s).toString(), u"queued"_s);
    }
    QVERIFY2(found, list.body.constData());
    // Nothing of the rejected uploads is left in the upload area.
    QVERIFY(QDir(stack_->dataDir() + u"/ingest/uploads"_s).entryList({u"*.bin"_s}).isEmpty());
  }

  void duplicateIsReported() {
    const CliResult r = runCli(QStringList{clip_, u"--api"_s, api()} + local());
    QVERIFY2(r.finished && r.exitCode == 1, r.describe().constData());
    const QJsonObject out = r.json();
    QCOMPARE(out.value(u"state"_s).toString(), u"failed"_s);
    QCOMPARE(out.value(u"duplicateOf"_s).toString(), goodTitle_);
    QCOMPARE(out.value(u"reason"_s).toString(), u"identical to title %1 (same SHA-256)"_s.arg(goodTitle_));
    QCOMPARE(controlTitle(stack_->controlPort(), out.value(u"titleId"_s).toString()).value(u"duplicateOf"_s).toString(), goodTitle_);
  }

  void resumesAfterANetworkError() {
    const QString path = file(u"resume.mp4"_s);
    const QByteArray bytes = variant(readFile(clip_), "resume");
    QVERIFY(writeFile(path, bytes));
    // Every PATCH connection is cut mid-body until the client has seen enough failures
    // to give up on the request (Qt's network stack resends a request or two on its own)
    // and resumes through a HEAD of its own.
    CuttingProxy proxy(stack_->apiPort(), 20000, 6);
    const CliResult r =
        runCli(QStringList{path, u"--api"_s, u"http://127.0.0.1:%1"_s.arg(proxy.port()), u"--chunk-size"_s, u"32768"_s} + local());
    QVERIFY2(r.finished && r.exitCode == 0, r.describe().constData());
    QCOMPARE(proxy.cuts(), 6);
    QVERIFY2(r.err.contains("resuming at byte"), r.err.constData());
    const QString id = r.json().value(u"titleId"_s).toString();
    QCOMPARE(r.json().value(u"state"_s).toString(), u"queued"_s);
    QVERIFY(stack_->source(id).body == bytes);
  }

  void usageErrors() {
    CliResult r = runCli({u"--help"_s});
    QCOMPARE(r.exitCode, 0);
    QVERIFY(r.out.startsWith("Usage: platform ingest [options] FILE"));
    for (const char *flag : {"--title", "--api", "--wait", "--chunk-size"}) QVERIFY2(r.out.contains(flag), flag);

    r = runCli({file(u"missing.mp4"_s), u"--api"_s, api()});
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains("no such file") && r.err.contains("missing.mp4"), r.err.constData());
    r = runCli({tmp_.path(), u"--api"_s, api()});
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains("not a regular file"), r.err.constData());
    QCOMPARE(runCli({}).exitCode, 2);
    QCOMPARE(runCli({clip_, u"--chunk-size"_s, u"0"_s}).exitCode, 2);
    QCOMPARE(runCli({clip_, u"--chunk-size"_s, u"100000000"_s}).exitCode, 2);
    QCOMPARE(runCli({clip_, u"--bogus"_s}).exitCode, 2);
    QCOMPARE(runCli({clip_, u"--api"_s, u"ftp://x"_s}).exitCode, 2);

    // An api nobody answers at: exit 3, and the message says where we looked.
    quint16 closed;
    {
      QTcpServer s;
      QVERIFY(s.listen(QHostAddress::LocalHost, 0));
      closed = s.serverPort();
    }
    const QString url = u"http://127.0.0.1:%1"_s.arg(closed);
    r = runCli({clip_, u"--api"_s, url});
    QCOMPARE(r.exitCode, 3);
    QVERIFY2(r.err.contains(url.toUtf8()), r.err.constData());
    QVERIFY(r.out.isEmpty());
  }

  // Uploading is an admin's job: no credential, a made-up one or a viewer's token is
  // refused with a message that says what to pass, and nothing is stored.
  void refusedWithoutAnAdminCredential() {
    const int before = int(QDir(stack_->dataDir() + u"/ingest/uploads"_s).entryList({u"*.json"_s}).size());
    QTemporaryDir home;  // no ~/.local/share/reelstack: nothing to fall back on
    auto runAs = [&](const QStringList &extra) {
      QProcess p;
      QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
      env.insert(u"HOME"_s, home.path());
      env.remove(u"REELSTACK_TOKEN"_s);
      p.setProcessEnvironment(env);
      startCli(p, QStringList{clip_, u"--api"_s, api()} + extra);
      return finishCli(p);
    };
    CliResult r = runAs({});
    QVERIFY2(r.exitCode == 1, r.describe().constData());
    QVERIFY2(r.err.contains("sign in required") && r.err.contains("--token") && r.err.contains("REELSTACK_TOKEN"),
             r.err.constData());
    r = runAs({u"--token"_s, u"rst_madeupmadeupmadeupmadeupmadeupmadeupmadeupmad"_s});
    QVERIFY2(r.exitCode == 1 && r.err.contains("API token refused"), r.describe().constData());
    QByteArray viewer;
    QCOMPARE(rs::test::run(rs::test::platformBin(), {u"token"_s, u"create"_s, u"--name"_s, u"a viewer"_s, u"--role"_s,
                                                     u"viewer"_s, u"--data-dir"_s, stack_->dataDir()},
                           &viewer),
             0);
    r = runAs({u"--token"_s, QString::fromLatin1(viewer.trimmed())});
    QVERIFY2(r.exitCode == 1 && r.err.contains("only admin accounts and admin tokens"), r.describe().constData());
    // A --data-dir without a stack's token is a usage error that says so.
    r = runAs({u"--data-dir"_s, home.path()});
    QVERIFY2(r.exitCode == 2 && r.err.contains("no local token in"), r.describe().constData());
    QCOMPARE(int(QDir(stack_->dataDir() + u"/ingest/uploads"_s).entryList({u"*.json"_s}).size()), before);
  }

  // --wait follows the title past ingest; the test is the encoder, through control.
  void waitFollowsTheTitle_data() {
    QTest::addColumn<bool>("succeed");
    QTest::newRow("failed") << false;
    QTest::newRow("ready") << true;
  }
  void waitFollowsTheTitle() {
    QFETCH(bool, succeed);
    Stack stack(u"control,api,ingest,origin"_s);
    QVERIFY2(stack.ok(), qPrintable(stack.log()));
    QProcess cli;
    // The token from the environment, as CI jobs pass secrets.
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"REELSTACK_TOKEN"_s, QString::fromLatin1(stack.adminToken()));
    cli.setProcessEnvironment(env);
    startCli(cli, {clip_, u"--api"_s, stack.api().toString(), u"--wait"_s});

    const QByteArray claim = compact({{u"worker"_s, u"test-encoder"_s}, {u"leaseSeconds"_s, 60}});
    QJsonObject job;
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < 30000 && cli.state() != QProcess::NotRunning) {
      const HttpResponse r = request(stack.controlPort(), "POST", "/control/v1/jobs/claim", claim);
      if (r.status == 200) {
        job = json(r);
        break;
      }
      QThread::msleep(100);
    }
    if (job.isEmpty()) QFAIL(finishCli(cli, 1000).describe().constData());
    const QByteArray jobPath = "/control/v1/jobs/" + job.value(u"id"_s).toString().toUtf8();
    const HttpResponse p = request(stack.controlPort(), "POST", jobPath + "/progress",
                                   compact({{u"worker"_s, u"test-encoder"_s}, {u"stage"_s, u"encoding"_s}, {u"percent"_s, 42.0},
                                            {u"fps"_s, 100.0}, {u"etaSeconds"_s, 3.0}}));
    QCOMPARE(p.status, 200);
    QThread::msleep(1500);  // the CLI polls every second
    HttpResponse done;
    if (succeed) {
      const QJsonObject rendition{{u"id"_s, u"240p"_s}, {u"kind"_s, u"video"_s}, {u"codec"_s, u"h264"_s}};
      done = request(stack.controlPort(), "POST", jobPath + "/complete",
                     compact({{u"worker"_s, u"test-encoder"_s},
                              {u"renditions"_s, QJsonArray{rendition}},
                              {u"durationSeconds"_s, 2.0},
                              {u"segmentSeconds"_s, 4.0},
                              {u"assets"_s, QJsonObject{{u"dash"_s, u"manifest.mpd"_s}, {u"hls"_s, u"master.m3u8"_s}}}}));
    } else {
      done = request(stack.controlPort(), "POST", jobPath + "/fail",
                     compact({{u"worker"_s, u"test-encoder"_s}, {u"reason"_s, u"encoder exploded (test)"_s}, {u"retryable"_s, false}}));
    }
    QVERIFY2(done.status == 200, done.body.constData());

    const CliResult r = finishCli(cli, 30000);
    QVERIFY2(r.finished, r.describe().constData());
    QVERIFY2(r.err.contains(": encoding 42%"), r.err.constData());
    const QJsonObject out = r.json();
    QCOMPARE(out.value(u"titleId"_s).toString(), job.value(u"titleId"_s).toString());
    if (succeed) {
      QVERIFY2(r.exitCode == 0, r.describe().constData());
      QCOMPARE(out.value(u"state"_s).toString(), u"ready"_s);
      const QJsonObject manifests = out.value(u"manifests"_s).toObject();
      const QString dash = manifests.value(u"dash"_s).toString();
      QVERIFY2(dash.contains(u"/m/p1."_s) && dash.endsWith(u"/%1/manifest.mpd"_s.arg(out.value(u"titleId"_s).toString())),
               r.out.constData());
      QVERIFY2(manifests.value(u"hls"_s).toString().endsWith(u"/master.m3u8"_s), r.out.constData());
    } else {
      QVERIFY2(r.exitCode == 1, r.describe().constData());
      QCOMPARE(out.value(u"state"_s).toString(), u"failed"_s);
      QCOMPARE(out.value(u"reason"_s).toString(), u"encoder exploded (test)"_s);
      QVERIFY(r.err.contains("encoder exploded (test)"));
    }
  }
};

QTEST_GUILESS_MAIN(tst_IngestCli)
#include "tst_ingest_cli.moc"
