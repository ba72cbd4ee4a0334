// End-to-end tests of the `platform` binary: the command line, the all-in-one stack
// (probes, metrics, registration with control), the origin listener under hostile
// requests, graceful SIGTERM, a split deployment whose instances expire, control's
// heartbeat validation and config files.
//
// Every process runs with all listeners on 127.0.0.1:0 and a fresh data directory, so
// tests can run in parallel; the actual ports come from <data-dir>/run/endpoints.json.
// HTTP is spoken over raw blocking POSIX sockets, so every byte on the wire is under
// the test's control (no client-side normalisation of "..", header limits etc.).

#include "support/credentials.h"

#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QSet>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QUrl>

#include <arpa/inet.h>
#include <atomic>
#include <cerrno>
#include <memory>
#include <netinet/in.h>
#include <csignal>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace {

const QString kPlatformBin = QStringLiteral(REELSTACK_PLATFORM_BIN);

const QStringList &allRoles() {
  static const QStringList r = {u"control"_s, u"origin"_s, u"edge"_s,   u"license"_s, u"monitor"_s,
                                u"api"_s,     u"ingest"_s, u"encode"_s, u"player"_s};
  return r;
}

const QStringList &listenerRoles() {
  static const QStringList r = {u"control"_s, u"origin"_s, u"edge"_s, u"license"_s, u"monitor"_s, u"api"_s};
  return r;
}

QStringList loopbackListenArgs() {
  QStringList out;
  for (const QString &r : listenerRoles()) out << u"--%1-listen=127.0.0.1:0"_s.arg(r);
  return out;
}

// ---- A minimal HTTP/1.1 client over a blocking socket ------------------------------

struct HttpReply {
  int status = 0;                             // 0: no response (see error)
  QMap<QByteArray, QByteArray> headers;       // lower-case names
  QByteArray body;
  QString error;
  QByteArray header(const char *name) const { return headers.value(QByteArray(name)); }
  QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
  QString describe() const {
    return error.isEmpty() ? u"HTTP %1 %2"_s.arg(status).arg(QString::fromUtf8(body.left(300))) : error;
  }
};

class Conn {
 public:
  Conn() = default;
  ~Conn() { close(); }
  Conn(const Conn &) = delete;
  Conn &operator=(const Conn &) = delete;

  bool open(quint16 port, QString *error = nullptr) {
    close();
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd_ < 0 || ::connect(fd_, reinterpret_cast<sockaddr *>(&a), sizeof a) != 0) {
      if (error) *error = u"connect to port %1: %2"_s.arg(port).arg(QString::fromLocal8Bit(strerror(errno)));
      close();
      return false;
    }
    return true;
  }
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    buffer_.clear();
  }
  bool isOpen() const { return fd_ >= 0; }

  // Sends everything; the server may close early (e.g. after a 431), which is not an
  // error here: the response is what the test looks at.
  void send(const QByteArray &data) {
    qsizetype off = 0;
    while (fd_ >= 0 && off < data.size()) {
      const ssize_t n = ::send(fd_, data.constData() + off, size_t(data.size() - off), MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return;
      off += n;
    }
  }

  static HttpReply truncated(HttpReply r) {
    r.status = 0;
    if (r.error.isEmpty()) r.error = u"connection closed inside a chunked body"_s;
    return r;
  }

  // Reads one response (Content-Length, chunked, or until close).
  HttpReply read(int timeoutMs = 5000) {
    HttpReply r;
    QElapsedTimer t;
    t.start();
    qsizetype headEnd;
    while ((headEnd = buffer_.indexOf("\r\n\r\n")) < 0) {
      if (!fill(timeoutMs - int(t.elapsed()), &r.error)) {
        if (r.error.isEmpty()) r.error = u"connection closed before a response head"_s;
        return r;
      }
    }
    const QList<QByteArray> lines = buffer_.left(headEnd).split('\n');
    const QList<QByteArray> statusLine = lines.value(0).trimmed().split(' ');
    if (statusLine.size() < 2 || !statusLine[0].startsWith("HTTP/1.")) {
      r.error = u"bad status line: %1"_s.arg(QString::fromLatin1(lines.value(0)));
      return r;
    }
    r.status = statusLine[1].toInt();
    for (qsizetype i = 1; i < lines.size(); ++i) {
      const QByteArray line = lines[i].trimmed();
      const auto colon = line.indexOf(':');
      if (colon > 0) r.headers.insert(line.left(colon).trimmed().toLower(), line.mid(colon + 1).trimmed());
    }
    buffer_.remove(0, headEnd + 4);
    if (r.status == 204 || r.status == 304 || (r.status >= 100 && r.status < 200)) return r;
    if (r.headers.contains("content-length")) {
      const qsizetype len = r.header("content-length").toLongLong();
      while (buffer_.size() < len) {
        if (!fill(timeoutMs - int(t.elapsed()), &r.error)) {
          r.error = u"body truncated (%1 of %2 bytes): %3"_s.arg(buffer_.size()).arg(len).arg(r.error);
          r.status = 0;
          return r;
        }
      }
      r.body = buffer_.left(len);
      buffer_.remove(0, len);
    } else if (r.header("transfer-encoding").toLower().contains("chunked")) {
      for (;;) {
        qsizetype eol;
        while ((eol = buffer_.indexOf("\r\n")) < 0) {
          if (!fill(timeoutMs - int(t.elapsed()), &r.error)) return truncated(r);
        }
        const qsizetype size = buffer_.left(eol).split(';').value(0).trimmed().toLongLong(nullptr, 16);
        while (buffer_.size() < eol + 2 + size + 2) {
          if (!fill(timeoutMs - int(t.elapsed()), &r.error)) return truncated(r);
        }
        r.body += buffer_.mid(eol + 2, size);
        buffer_.remove(0, eol + 2 + size + 2);
        if (size == 0) break;
      }
    } else {
      while (fill(timeoutMs - int(t.elapsed()), nullptr)) {}
      r.body = buffer_;
      buffer_.clear();
    }
    return r;
  }

  // True while the peer has not closed (waits up to timeoutMs for EOF).
  bool peerClosedWithin(int timeoutMs) {
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < timeoutMs) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) > 0) {
        char c[512];
        const ssize_t n = ::recv(fd_, c, sizeof c, 0);
        if (n <= 0) return true;
        buffer_.append(c, n);
      }
    }
    return false;
  }

 private:
  bool fill(int timeoutMs, QString *error) {
    if (fd_ < 0) return false;
    pollfd p{fd_, POLLIN, 0};
    const int pr = ::poll(&p, 1, qMax(0, timeoutMs));
    if (pr == 0) {
      if (error) *error = u"timed out waiting for the server"_s;
      return false;
    }
    char chunk[16384];
    const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n < 0 && error) *error = u"recv: %1"_s.arg(QString::fromLocal8Bit(strerror(errno)));
    if (n <= 0) return false;
    buffer_.append(chunk, n);
    return true;
  }

  int fd_ = -1;
  QByteArray buffer_;
};

// A platform started by a test dies with the test, even if the test crashes or is
// killed by ctest's timeout: no stray servers.
void dieWithParent(QProcess &p) {
  p.setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGKILL); });
}

quint16 portOf(const QUrl &u) { return quint16(u.port()); }

HttpReply rawRequest(quint16 port, const QByteArray &request, int timeoutMs = 5000) {
  Conn c;
  HttpReply r;
  if (!c.open(port, &r.error)) return r;
  c.send(request);
  return c.read(timeoutMs);
}

// "Authorization: …\r\n" for the port's default credential (rs::test::authorize), or none.
QByteArray authLine(quint16 port, const QByteArray &explicitAuth = {}) {
  const QByteArray a = explicitAuth.isEmpty() ? rs::test::defaultAuthorization(port) : explicitAuth;
  return a.isEmpty() ? QByteArray() : "Authorization: " + a + "\r\n";
}

HttpReply get(const QUrl &base, const QString &path, int timeoutMs = 5000) {
  return rawRequest(portOf(base),
                    "GET " + path.toUtf8() + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" +
                        authLine(portOf(base)) + "\r\n",
                    timeoutMs);
}

HttpReply post(const QUrl &base, const QString &path, const QByteArray &body,
               const QByteArray &contentType = "application/json", const QByteArray &authorization = {}) {
  return rawRequest(portOf(base), "POST " + path.toUtf8() + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" +
                                      authLine(portOf(base), authorization) + "Content-Type: " + contentType +
                                      "\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body);
}

QByteArray readFile(const QString &path) {
  QFile f(path);
  return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

bool writeFile(const QString &path, const QByteArray &data) {
  QDir().mkpath(QFileInfo(path).absolutePath());
  QFile f(path);
  return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(data) == data.size();
}

// ---- One platform process ----------------------------------------------------------

struct RunOptions {
  bool loopbackListeners = true;  // add --<role>-listen=127.0.0.1:0 for every listener
  bool noAccessLog = true;        // add --access-log=
};

class Platform {
 public:
  Platform() {
    dataDir_ = dir_.path() + u"/data"_s;
    logPath_ = dir_.path() + u"/platform.log"_s;
  }
  ~Platform() {
    if (proc_.state() != QProcess::NotRunning) {
      proc_.kill();
      proc_.waitForFinished(5000);
    }
  }
  Platform(const Platform &) = delete;
  Platform &operator=(const Platform &) = delete;

  QString dataDir() const { return dataDir_; }
  QString endpointsPath() const { return dataDir_ + u"/run/endpoints.json"_s; }
  QString log() const { return QString::fromUtf8(readFile(logPath_)); }
  QProcess &process() { return proc_; }
  const QJsonObject &endpoints() const { return endpoints_; }
  QUrl url(const QString &role) const {
    return QUrl(endpoints_.value(u"roles"_s).toObject().value(role).toString());
  }
  QUrl controlUrl() const { return QUrl(endpoints_.value(u"control"_s).toString()); }
  QString keyFile() const { return rs::test::clusterKeyFile(dataDir_); }
  QByteArray service(const QString &roles = u"test"_s, const QString &instance = u"test"_s) const {
    return rs::test::serviceAuthorization(keyFile(), roles, instance);
  }
  // The test speaks to this process's control (when it runs one) as a service.
  void authorizeControl() const {
    const QUrl own = url(u"control"_s);
    if (own.port() > 0) rs::test::authorize(own, service());
  }

  // Starts `platform --headless --data-dir D ...` and waits for endpoints.json.
  bool start(const QStringList &extra, RunOptions o = {}) {
    QStringList args{u"--headless"_s, u"--data-dir"_s, dataDir_};
    if (o.noAccessLog) args << u"--access-log="_s;
    if (o.loopbackListeners) args << loopbackListenArgs();
    args << extra;
    proc_.setProgram(kPlatformBin);
    dieWithParent(proc_);
    proc_.setArguments(args);
    // Output goes to a file: no pipe to fill up while the test isn't reading it.
    proc_.setProcessChannelMode(QProcess::MergedChannels);
    proc_.setStandardOutputFile(logPath_);
    proc_.start();
    if (!proc_.waitForStarted(5000)) {
      error_ = u"could not start %1: %2"_s.arg(kPlatformBin, proc_.errorString());
      return false;
    }
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < 10000) {
      const QJsonDocument doc = QJsonDocument::fromJson(readFile(endpointsPath()));
      if (doc.isObject() && doc.object().value(u"roles"_s).isObject()) {
        endpoints_ = doc.object();
        authorizeControl();
        return true;
      }
      if (proc_.waitForFinished(50)) {
        error_ = u"platform exited (code %1) before writing endpoints.json:\n%2"_s.arg(proc_.exitCode()).arg(log());
        return false;
      }
    }
    error_ = u"no endpoints.json after 10 s:\n%1"_s.arg(log());
    return false;
  }
  QString error() const { return error_; }

  // SIGTERM; returns the milliseconds until exit, or -1 if it did not exit in waitMs.
  qint64 terminate(int waitMs = 8000) {
    QElapsedTimer t;
    t.start();
    proc_.terminate();
    if (!proc_.waitForFinished(waitMs)) return -1;
    return t.elapsed();
  }

 private:
  QTemporaryDir dir_;
  QString dataDir_, logPath_, error_;
  QProcess proc_;
  QJsonObject endpoints_;
};

struct RunResult {
  bool finished = false;
  int exitCode = -1;
  QString output;
};

// Runs platform to completion (for commands that must exit by themselves).
RunResult runPlatform(const QStringList &args, int timeoutMs = 10000) {
  QProcess p;
  dieWithParent(p);
  p.setProcessChannelMode(QProcess::SeparateChannels);
  p.start(kPlatformBin, args);
  RunResult r;
  if (!p.waitForStarted(5000)) {
    r.output = p.errorString();
    return r;
  }
  r.finished = p.waitForFinished(timeoutMs);
  if (!r.finished) {
    p.kill();
    p.waitForFinished(5000);
  }
  r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
  r.output = QString::fromUtf8(p.readAllStandardOutput() + p.readAllStandardError());
  return r;
}

QJsonArray instances(const QUrl &control, bool all = false) {
  const HttpReply r = get(control, all ? u"/control/v1/instances?all=1"_s : u"/control/v1/instances"_s);
  return r.status == 200 ? r.json().value(u"instances"_s).toArray() : QJsonArray();
}

QSet<QString> keySet(const QJsonObject &o) {
  const QStringList keys = o.keys();
  return QSet<QString>(keys.cbegin(), keys.cend());
}

QSet<QString> toSet(const QStringList &l) { return QSet<QString>(l.cbegin(), l.cend()); }

QHash<QString, QJsonObject> byRole(const QJsonArray &list) {
  QHash<QString, QJsonObject> out;
  for (const QJsonValue &v : list) out.insert(v.toObject().value(u"role"_s).toString(), v.toObject());
  return out;
}

}  // namespace

class tst_Platform : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void initTestCase();
  void cleanupTestCase();

  void helpNamesEveryRoleAndOption();
  void versionPrintsVersion();
  void badArgumentsFailClearly_data();
  void badArgumentsFailClearly();

  void allInOneProbes();
  void allInOneMetricsPassPromtool();
  void allInOneRegistersEveryRole();

  void originHostileRequestsWhileHealthy();
  void originServesSegment();
  void controlRejectsMalformedHeartbeat();

  void sigtermExitsZero();
  void sigtermWithSlowClient_data();
  void sigtermWithSlowClient();

  void splitRolesRegisterAndExpire_data();
  void splitRolesRegisterAndExpire();

  void configFileIsHonoured();
  void configFileErrorsNameFileAndLine_data();
  void configFileErrorsNameFileAndLine();

 private:
  std::unique_ptr<Platform> all_;  // one all-in-one stack shared by the read-only tests
};

void tst_Platform::initTestCase() {
  QVERIFY2(QFileInfo(kPlatformBin).isExecutable(), qPrintable(kPlatformBin));
  all_ = std::make_unique<Platform>();
  QVERIFY2(all_->start({u"--role=all"_s, u"--heartbeat-interval=0.5"_s}), qPrintable(all_->error()));
}

void tst_Platform::cleanupTestCase() {
  if (all_) {
    const qint64 ms = all_->terminate();
    QVERIFY2(ms >= 0, qPrintable(all_->log()));
    QCOMPARE(all_->process().exitStatus(), QProcess::NormalExit);
    QCOMPARE(all_->process().exitCode(), 0);
  }
  all_.reset();
}

// ---- Command line ------------------------------------------------------------------

void tst_Platform::helpNamesEveryRoleAndOption() {
  const RunResult help = runPlatform({u"--help"_s});
  QVERIFY(help.finished);
  QCOMPARE(help.exitCode, 0);
  for (const QString &role : allRoles()) {
    const QRegularExpression line(u"^\\s+%1\\s"_s.arg(role), QRegularExpression::MultilineOption);
    QVERIFY2(help.output.contains(line), qPrintable(u"--help does not list role %1"_s.arg(role)));
  }

  const RunResult cfg = runPlatform({u"--print-config"_s});
  QVERIFY(cfg.finished);
  QCOMPARE(cfg.exitCode, 0);
  const QRegularExpression keyLine(u"^# ([a-z][a-z0-9-]*) = (.*)$"_s, QRegularExpression::MultilineOption);
  QStringList keys;
  for (auto it = keyLine.globalMatch(cfg.output); it.hasNext();) keys << it.next().captured(1);
  // Sanity: the example config really lists settings (incl. every listener).
  QVERIFY2(keys.size() >= 20, qPrintable(cfg.output));
  for (const QString &r : listenerRoles()) QVERIFY2(keys.contains(r + u"-listen"_s), qPrintable(r));
  for (const QString &key : std::as_const(keys)) {
    const QRegularExpression flag(u"(^|\\s)--%1(=|\\s|$)"_s.arg(QRegularExpression::escape(key)),
                                  QRegularExpression::MultilineOption);
    QVERIFY2(help.output.contains(flag), qPrintable(u"--print-config has '%1' but --help has no --%1"_s.arg(key)));
  }
}

void tst_Platform::versionPrintsVersion() {
  const RunResult r = runPlatform({u"--version"_s});
  QVERIFY(r.finished);
  QCOMPARE(r.exitCode, 0);
  QVERIFY2(r.output.contains(QStringLiteral(REELSTACK_VERSION)), qPrintable(r.output));
  QVERIFY2(r.output.contains(QRegularExpression(u"\\b\\d+\\.\\d+\\.\\d+\\b"_s)), qPrintable(r.output));
}

void tst_Platform::badArgumentsFailClearly_data() {
  QTest::addColumn<QStringList>("args");
  QTest::addColumn<QStringList>("mustMention");
  QTest::newRow("unknown role") << QStringList{u"--role=bogus"_s} << QStringList{u"bogus"_s};
  QTest::newRow("unknown role in list") << QStringList{u"--role=control,bogus"_s} << QStringList{u"bogus"_s};
  QTest::newRow("ingest alone") << QStringList{u"--role=ingest"_s} << QStringList{u"ingest"_s, u"api"_s};
  QTest::newRow("workers not a number") << QStringList{u"--role=control"_s, u"--workers=abc"_s}
                                        << QStringList{u"--workers"_s, u"abc"_s};
  QTest::newRow("heartbeat not a number") << QStringList{u"--role=control"_s, u"--heartbeat-interval=soon"_s}
                                          << QStringList{u"--heartbeat-interval"_s, u"soon"_s};
  QTest::newRow("unknown flag") << QStringList{u"--role=control"_s, u"--no-such-flag=1"_s}
                                << QStringList{u"--no-such-flag"_s};
  QTest::newRow("flag without value") << QStringList{u"--role=control"_s, u"--log-level"_s}
                                      << QStringList{u"--log-level"_s};
  QTest::newRow("bad listen port") << QStringList{u"--role=control"_s, u"--control-listen=127.0.0.1:99999"_s}
                                   << QStringList{u"99999"_s};
  // Security switches: a typo must not silently open or close anything.
  QTest::newRow("media-auth typo") << QStringList{u"--role=edge"_s, u"--media-auth=of"_s} << QStringList{u"--media-auth"_s, u"'of'"_s};
  QTest::newRow("metrics-auth typo") << QStringList{u"--role=control"_s, u"--metrics-auth=sevice"_s}
                                     << QStringList{u"--metrics-auth"_s, u"sevice"_s};
  QTest::newRow("damaged cluster key") << QStringList{u"--role=control"_s, u"--cluster-key-file=/etc/hostname"_s}
                                       << QStringList{u"/etc/hostname:1"_s};
  QTest::newRow("scrypt N too small") << QStringList{u"--role=api"_s, u"--scrypt-n=1000"_s} << QStringList{u"--scrypt-n"_s, u"1000"_s};
  QTest::newRow("scrypt N not a power of two") << QStringList{u"--role=api"_s, u"--scrypt-n=5000"_s}
                                               << QStringList{u"--scrypt-n"_s, u"power of two"_s};
}

void tst_Platform::badArgumentsFailClearly() {
  QFETCH(QStringList, args);
  QFETCH(QStringList, mustMention);
  QTemporaryDir dir;
  const QString data = dir.path() + u"/data"_s;
  // Listener flags first so a wrongly accepted command never binds a default port;
  // the row's own flags come last and win.
  const RunResult r = runPlatform(QStringList{u"--headless"_s, u"--data-dir"_s, data, u"--access-log="_s}
                                  << loopbackListenArgs() << args);
  QVERIFY2(r.finished, "platform kept running despite a bad command line");
  QVERIFY2(r.exitCode != 0, qPrintable(r.output));
  for (const QString &word : mustMention)
    QVERIFY2(r.output.contains(word), qPrintable(u"message lacks '%1': %2"_s.arg(word, r.output)));
  QVERIFY2(r.output.size() < 2000, "one clear message, not a dump");
  QVERIFY(!QFile::exists(data + u"/run/endpoints.json"_s));
}

// ---- The all-in-one stack ----------------------------------------------------------

void tst_Platform::allInOneProbes() {
  const QJsonObject roles = all_->endpoints().value(u"roles"_s).toObject();
  QCOMPARE(keySet(roles), toSet(allRoles()));
  QCOMPARE(all_->endpoints().value(u"pid"_s).toInteger(), all_->process().processId());
  QCOMPARE(all_->controlUrl(), all_->url(u"control"_s));
  QVERIFY(roles.value(u"encode"_s).isNull());
  QVERIFY(roles.value(u"player"_s).isNull());

  QElapsedTimer t;
  t.start();
  for (const QString &role : listenerRoles()) {
    const QUrl base = all_->url(role);
    QVERIFY2(base.isValid() && base.port() > 0, qPrintable(role));
    HttpReply h;
    while ((h = get(base, u"/healthz"_s)).status != 200 && t.elapsed() < 10000) QThread::msleep(100);
    QVERIFY2(h.status == 200, qPrintable(role + u": "_s + h.describe()));
    QCOMPARE(h.json().value(u"status"_s).toString(), u"ok"_s);
    QVERIFY2(h.json().value(u"roles"_s).toArray().contains(role), qPrintable(h.describe()));

    const HttpReply ready = get(base, u"/readyz"_s);
    QVERIFY2(ready.status == 200, qPrintable(role + u": "_s + ready.describe()));
    QCOMPARE(ready.json().value(u"ready"_s).toBool(), true);

    const HttpReply m = get(base, u"/metrics"_s);
    QVERIFY2(m.status == 200, qPrintable(role + u": "_s + m.describe()));
    const QByteArray ct = m.header("content-type");
    QVERIFY2(ct.startsWith("text/plain") && ct.contains("version=0.0.4"), ct.constData());
    QVERIFY2(m.body.contains("# TYPE "), qPrintable(role));
  }
  QVERIFY2(t.elapsed() < 10000, "all listeners healthy within 10 s");
  // ingest is mounted on the api listener: its /healthz names both.
  const QJsonArray apiRoles = get(all_->url(u"api"_s), u"/healthz"_s).json().value(u"roles"_s).toArray();
  QVERIFY(apiRoles.contains(u"ingest"_s));
}

void tst_Platform::allInOneMetricsPassPromtool() {
  const QString promtool = QStandardPaths::findExecutable(u"promtool"_s);
  if (promtool.isEmpty()) QSKIP("promtool is not installed");
  for (const QString &role : listenerRoles()) {
    const HttpReply m = get(all_->url(role), u"/metrics"_s);
    QVERIFY2(m.status == 200, qPrintable(role + u": "_s + m.describe()));
    QProcess p;
    p.start(promtool, {u"check"_s, u"metrics"_s});
    QVERIFY(p.waitForStarted(5000));
    p.write(m.body);
    p.closeWriteChannel();
    QVERIFY(p.waitForFinished(15000));
    const QString out = QString::fromUtf8(p.readAllStandardOutput() + p.readAllStandardError());
    QVERIFY2(p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0,
             qPrintable(u"promtool on %1 /metrics: %2\n--- body ---\n%3"_s.arg(role, out, QString::fromUtf8(m.body))));
  }
}

void tst_Platform::allInOneRegistersEveryRole() {
  const QUrl control = all_->controlUrl();
  QHash<QString, QJsonObject> seen;
  QElapsedTimer t;
  t.start();
  auto allLive = [&] {
    for (const QString &r : allRoles())
      if (seen.value(r).value(u"state"_s).toString() != u"live"_s) return false;
    return true;
  };
  while (t.elapsed() < 5000) {  // ten heartbeats at 0.5 s
    seen = byRole(instances(control));
    if (allLive()) break;
    QThread::msleep(100);
  }
  QVERIFY2(allLive(), qPrintable(QString::fromUtf8(get(control, u"/control/v1/instances"_s).body)));

  const HttpReply reply = get(control, u"/control/v1/instances"_s);
  const QJsonArray list = reply.json().value(u"instances"_s).toArray();
  QCOMPARE(list.size(), allRoles().size());  // one process: one instance per role
  QCOMPARE(reply.json().value(u"defaultExpiryMs"_s).toInteger(), 1500);  // 0.5 s x 3 missed beats
  const qint64 now = QDateTime::currentMSecsSinceEpoch();
  QSet<QString> ids;
  for (const QString &role : allRoles()) {
    const QJsonObject inst = seen.value(role);
    const QString id = inst.value(u"instanceId"_s).toString();
    QVERIFY2(id.contains(role), qPrintable(id));
    ids.insert(id);
    QCOMPARE(inst.value(u"version"_s).toString(), QStringLiteral(REELSTACK_VERSION));
    QVERIFY2(qAbs(now - inst.value(u"lastSeenMs"_s).toInteger()) < 3000, qPrintable(role));
    const QString url = inst.value(u"url"_s).toString();
    if (listenerRoles().contains(role)) QCOMPARE(QUrl(url), all_->url(role));
    else if (role == u"ingest"_s) QCOMPARE(QUrl(url), all_->url(u"api"_s));
    else QVERIFY2(url.isEmpty(), qPrintable(role + u" has no listener but advertises "_s + url));
  }
  QCOMPARE(ids.size(), allRoles().size());

  // control's own gauge agrees with its list.
  const HttpReply m = get(control, u"/metrics"_s);
  QVERIFY2(m.body.contains("\ncontrol_instances_live 9\n"), m.body.constData());
}

// ---- Origin under hostile requests -------------------------------------------------

void tst_Platform::originHostileRequestsWhileHealthy() {
  const quint16 port = portOf(all_->url(u"origin"_s));
  const QByteArray passwd = readFile(u"/etc/passwd"_s);
  QVERIFY(!passwd.isEmpty());
  const QByteArray passwdFirstLine = passwd.left(passwd.indexOf('\n'));

  // A second client hammers /healthz on fresh connections the whole time.
  std::atomic<bool> stop{false};
  std::atomic<int> healthOk{0}, healthBad{0};
  QString firstBad;
  std::thread watcher([&] {
    while (!stop.load()) {
      const HttpReply h = rawRequest(port, "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 3000);
      if (h.status == 200) {
        ++healthOk;
      } else if (healthBad++ == 0) {
        firstBad = h.describe();
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  });
  auto joinWatcher = qScopeGuard([&] {
    stop = true;
    watcher.join();
  });

  // A third, keep-alive connection asks /healthz between every hostile request.
  Conn keepAlive;
  QString err;
  QVERIFY2(keepAlive.open(port, &err), qPrintable(err));
  // Returns an error message, empty if /healthz answered 200 on the same connection.
  auto healthAfter = [&](const char *after) -> QString {
    keepAlive.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    const HttpReply h = keepAlive.read(3000);
    return h.status == 200 ? QString() : u"keep-alive /healthz after %1: %2"_s.arg(QString::fromLatin1(after), h.describe());
  };
  QString healthErr;

  // 40 KiB of headers (limit 32 KiB) → 431.
  QByteArray big = "GET /healthz HTTP/1.1\r\nHost: x\r\n";
  for (int i = 0; i < 40; ++i) big += "X-Filler-" + QByteArray::number(i) + ": " + QByteArray(1024, 'a') + "\r\n";
  big += "\r\n";
  QVERIFY(big.size() > 40 * 1024);
  HttpReply r = rawRequest(port, big);
  QVERIFY2(r.status == 431, qPrintable(r.describe()));
  healthErr = healthAfter("431");
  QVERIFY2(healthErr.isEmpty(), qPrintable(healthErr));

  // Content-Length together with Transfer-Encoding (request smuggling) → 400.
  r = rawRequest(port, "POST /media/x HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
                       "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
  QVERIFY2(r.status == 400, qPrintable(r.describe()));
  healthErr = healthAfter("CL+TE");
  QVERIFY2(healthErr.isEmpty(), qPrintable(healthErr));
  r = rawRequest(port, "POST /media/x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                       "Content-Length: 5\r\n\r\n0\r\n\r\n");
  QVERIFY2(r.status == 400, qPrintable(r.describe()));
  healthErr = healthAfter("TE+CL");
  QVERIFY2(healthErr.isEmpty(), qPrintable(healthErr));

  // Path traversal in every spelling: 400 or 404, never the file, even for a caller
  // the media gate lets through (a service); anonymous callers get 400 or 401.
  const QByteArray service = "Authorization: " + all_->service() + "\r\n";
  const QList<QByteArray> traversals = {
      "/media/../../etc/passwd",           "/media/%2e%2e/%2e%2e/etc/passwd", "/media/..%2f..%2fetc%2fpasswd",
      "/media/t1/../../../etc/passwd",     "/media/%2E%2E/%2E%2E/etc/passwd", "/media/..%2F..%2F..%2Fetc%2Fpasswd",
      "/media//etc/passwd",                "/media/%2fetc%2fpasswd",          "/media/....//....//etc/passwd",
      "/media/%252e%252e/%252e%252e/etc/passwd",
  };
  for (const QByteArray &path : traversals) {
    r = rawRequest(port, "GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + service + "\r\n");
    QVERIFY2(r.status == 400 || r.status == 404, qPrintable(QString::fromLatin1(path) + u" → "_s + r.describe()));
    QVERIFY2(!r.body.contains(passwdFirstLine) && !r.body.contains("root:x:0:0"), path.constData());
    r = rawRequest(port, "GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    QVERIFY2(r.status == 400 || r.status == 401, qPrintable(QString::fromLatin1(path) + u" (anonymous) → "_s + r.describe()));
    QVERIFY2(!r.body.contains(passwdFirstLine) && !r.body.contains("root:x:0:0"), path.constData());
    healthErr = healthAfter(path.constData());
  QVERIFY2(healthErr.isEmpty(), qPrintable(healthErr));
  }

  stop = true;
  joinWatcher.dismiss();
  watcher.join();
  QVERIFY2(healthBad.load() == 0, qPrintable(u"%1 of %2 health checks failed, first: %3"_s.arg(healthBad.load())
                                                 .arg(healthOk.load() + healthBad.load()).arg(firstBad)));
  QVERIFY2(healthOk.load() > 0, "the concurrent health checker never got through");
}

void tst_Platform::originServesSegment() {
  QByteArray bytes(100 * 1024 + 17, Qt::Uninitialized);
  for (qsizetype i = 0; i < bytes.size(); ++i) bytes[i] = char((i * 131 + 7) & 0xff);
  QVERIFY(writeFile(all_->dataDir() + u"/media/t1/seg.m4s"_s, bytes));

  // As a viewer fetches it: the path carries a playback token for t1.
  const QString viewerPath = u"/m/"_s + QString::fromLatin1(rs::test::playbackToken(all_->keyFile(), u"t1"_s)) + u"/t1/seg.m4s"_s;
  const HttpReply r = get(all_->url(u"origin"_s), viewerPath);
  QVERIFY2(r.status == 200, qPrintable(r.describe()));
  QCOMPARE(r.body.size(), bytes.size());
  QVERIFY(r.body == bytes);
  QVERIFY2(r.header("cache-control").contains("immutable"), r.header("cache-control").constData());
  QCOMPARE(r.header("access-control-allow-origin"), QByteArray("*"));

  // Conditional request with the ETag: 304, no body.
  const QByteArray etag = r.header("etag");
  QVERIFY(!etag.isEmpty());
  const HttpReply again = rawRequest(portOf(all_->url(u"origin"_s)),
                                     "GET " + viewerPath.toUtf8() + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                                     "If-None-Match: " + etag + "\r\n\r\n");
  QCOMPARE(again.status, 304);

  // A missing segment is a 404, not an empty 200.
  QCOMPARE(get(all_->url(u"origin"_s), QString(viewerPath).replace(u"seg.m4s"_s, u"nope.m4s"_s)).status, 404);
  // Without a token the same file is refused.
  QCOMPARE(get(all_->url(u"origin"_s), u"/media/t1/seg.m4s"_s).status, 401);
}

void tst_Platform::controlRejectsMalformedHeartbeat() {
  const QUrl control = all_->controlUrl();
  auto isJsonError = [](const HttpReply &r) {
    return r.header("content-type").startsWith("application/json") && r.json().value(u"error"_s).isObject();
  };

  HttpReply r = post(control, u"/control/v1/heartbeat"_s, "this is { not json", "text/plain");
  QVERIFY2(r.status == 400, qPrintable(r.describe()));
  QVERIFY2(isJsonError(r), qPrintable(r.describe()));

  r = post(control, u"/control/v1/heartbeat"_s, "[1,2,3]");
  QVERIFY2(r.status == 400 && isJsonError(r), qPrintable(r.describe()));

  const QByteArray unknownRole =
      R"({"instanceId":"test-bogus-1","role":"bogus","url":"http://127.0.0.1:1","version":"x","load":{}})";
  r = post(control, u"/control/v1/heartbeat"_s, unknownRole, "application/json", all_->service(u"bogus"_s, u"1"_s));
  QVERIFY2(r.status == 400 && isJsonError(r), qPrintable(r.describe()));
  QVERIFY2(r.body.contains("bogus"), qPrintable(r.describe()));

  r = post(control, u"/control/v1/heartbeat"_s, R"({"role":"origin","url":"http://127.0.0.1:1"})", "application/json",
           all_->service(u"origin"_s, u"1"_s));
  QVERIFY2(r.status == 400 && isJsonError(r), qPrintable(u"missing instanceId: "_s + r.describe()));

  r = post(control, u"/control/v1/heartbeat"_s,
           R"j({"instanceId":"test-badurl-1","role":"origin","url":"javascript:alert(1)"})j", "application/json",
           all_->service(u"origin"_s, u"1"_s));
  QVERIFY2(r.status == 400 && isJsonError(r), qPrintable(u"bad url: "_s + r.describe()));

  // None of them registered anything; a well-formed one does.
  for (const QJsonValue &v : instances(control, true)) {
    const QString id = v.toObject().value(u"instanceId"_s).toString();
    QVERIFY2(!id.startsWith(u"test-"_s), qPrintable(id));
  }
  const QByteArray good = R"({"instanceId":"test-good-1","role":"player","url":"","version":"t","load":{}})";
  // Only as itself: a credential naming another process or role is refused.
  r = post(control, u"/control/v1/heartbeat"_s, good, "application/json", all_->service(u"player"_s, u"2"_s));
  QVERIFY2(r.status == 403 && isJsonError(r), qPrintable(r.describe()));
  r = post(control, u"/control/v1/heartbeat"_s, good, "application/json", all_->service(u"edge"_s, u"1"_s));
  QVERIFY2(r.status == 403 && isJsonError(r), qPrintable(r.describe()));
  r = post(control, u"/control/v1/heartbeat"_s, good, "application/json", all_->service(u"player"_s, u"1"_s));
  QVERIFY2(r.status >= 200 && r.status < 300, qPrintable(r.describe()));
  bool found = false;
  for (const QJsonValue &v : instances(control))
    found = found || v.toObject().value(u"instanceId"_s).toString() == u"test-good-1"_s;
  QVERIFY(found);
}

// ---- Shutdown ----------------------------------------------------------------------

void tst_Platform::sigtermExitsZero() {
  Platform p;
  QVERIFY2(p.start({u"--role=all"_s}), qPrintable(p.error()));
  QCOMPARE(get(p.url(u"api"_s), u"/healthz"_s).status, 200);
  QVERIFY(QFile::exists(p.endpointsPath()));

  const qint64 ms = p.terminate();
  QVERIFY2(ms >= 0, qPrintable(u"still running 8 s after SIGTERM:\n"_s + p.log()));
  QVERIFY2(ms < 5000, qPrintable(u"SIGTERM took %1 ms"_s.arg(ms)));
  QCOMPARE(p.process().exitStatus(), QProcess::NormalExit);
  QVERIFY2(p.process().exitCode() == 0, qPrintable(p.log()));
  QVERIFY2(!QFile::exists(p.endpointsPath()), "endpoints.json outlived the process");
  qInfo("SIGTERM → exit in %lld ms", ms);
}

void tst_Platform::sigtermWithSlowClient_data() {
  QTest::addColumn<QByteArray>("clientSends");
  QTest::addColumn<bool>("readResponse");
  QTest::newRow("idle keep-alive after a request")
      << QByteArray("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n") << true;
  QTest::newRow("half a request head") << QByteArray("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ") << false;
}

void tst_Platform::sigtermWithSlowClient() {
  QFETCH(QByteArray, clientSends);
  QFETCH(bool, readResponse);
  Platform p;
  QVERIFY2(p.start({u"--role=all"_s}), qPrintable(p.error()));
  Conn slow;
  QString err;
  QVERIFY2(slow.open(portOf(p.url(u"origin"_s)), &err), qPrintable(err));
  slow.send(clientSends);
  if (readResponse) {
    const HttpReply r = slow.read(3000);
    QVERIFY2(r.status == 200, qPrintable(r.describe()));
  }
  QThread::msleep(200);  // the connection is now established and idle on the server

  const qint64 ms = p.terminate();
  QVERIFY2(ms >= 0, qPrintable(u"still running 8 s after SIGTERM:\n"_s + p.log()));
  QVERIFY2(ms < 5000, qPrintable(u"SIGTERM took %1 ms"_s.arg(ms)));
  QCOMPARE(p.process().exitStatus(), QProcess::NormalExit);
  QVERIFY2(p.process().exitCode() == 0, qPrintable(p.log()));
  QVERIFY(!QFile::exists(p.endpointsPath()));
  QVERIFY2(slow.peerClosedWithin(1000), "the server process is gone but the connection is not closed");
  qInfo("SIGTERM with a slow client → exit in %lld ms", ms);
}

// ---- Split deployment --------------------------------------------------------------

void tst_Platform::splitRolesRegisterAndExpire_data() {
  QTest::addColumn<QStringList>("controlArgs");
  // The instances heartbeat every 0.5 s and should be dropped after 2 missed beats.
  const QStringList cluster{u"--heartbeat-interval=0.5"_s, u"--instance-expiry=2"_s};
  QTest::newRow("same settings on control") << cluster;
  // As `platform --help` documents it ("Control drops an instance after N missed
  // heartbeats"), a missed beat is one of the *instance's* beats.
  QTest::newRow("settings on the instances only") << QStringList();
}

void tst_Platform::splitRolesRegisterAndExpire() {
  QFETCH(QStringList, controlArgs);
  const QStringList cluster{u"--heartbeat-interval=0.5"_s, u"--instance-expiry=2"_s};
  Platform a;
  QVERIFY2(a.start(QStringList{u"--role=control"_s} << controlArgs), qPrintable(a.error()));
  const QUrl control = a.controlUrl();
  QVERIFY(control.port() > 0);

  Platform b;
  QVERIFY2(b.start(QStringList{u"--role=origin,edge"_s, u"--control="_s + control.toString(),
                               u"--cluster-key-file="_s + a.keyFile()}
                   << cluster),
           qPrintable(b.error()));
  const QJsonObject bRoles = b.endpoints().value(u"roles"_s).toObject();
  QCOMPARE(keySet(bRoles), (QSet<QString>{u"origin"_s, u"edge"_s}));
  QCOMPARE(b.controlUrl(), control);

  QHash<QString, QJsonObject> seen;
  QElapsedTimer t;
  t.start();
  while (t.elapsed() < 5000) {
    seen = byRole(instances(control));
    if (seen.contains(u"origin"_s) && seen.contains(u"edge"_s)) break;
    QThread::msleep(100);
  }
  QVERIFY2(seen.contains(u"origin"_s) && seen.contains(u"edge"_s),
           qPrintable(QString::fromUtf8(get(control, u"/control/v1/instances"_s).body)));
  QCOMPARE(QUrl(seen[u"origin"_s].value(u"url"_s).toString()), b.url(u"origin"_s));
  QCOMPARE(QUrl(seen[u"edge"_s].value(u"url"_s).toString()), b.url(u"edge"_s));
  QCOMPARE(seen[u"origin"_s].value(u"state"_s).toString(), u"live"_s);
  QVERIFY(seen.contains(u"control"_s));
  QVERIFY2(seen.size() == 3, qPrintable(QStringList(seen.keys()).join(u',')));
  const QString originId = seen[u"origin"_s].value(u"instanceId"_s).toString();
  const QString edgeId = seen[u"edge"_s].value(u"instanceId"_s).toString();

  // Still listed a while later (heartbeats keep them alive).
  QThread::msleep(1500);
  seen = byRole(instances(control));
  QVERIFY2(seen.contains(u"origin"_s) && seen.contains(u"edge"_s), "live instances expired while heartbeating");

  // SIGKILL: no goodbye. Expiry is 2 x 0.5 s; they must be gone within 3 s.
  b.process().kill();
  QVERIFY(b.process().waitForFinished(3000));
  t.restart();
  while (t.elapsed() < 3000) {
    seen = byRole(instances(control));
    if (!seen.contains(u"origin"_s) && !seen.contains(u"edge"_s)) break;
    QThread::msleep(100);
  }
  QVERIFY2(!seen.contains(u"origin"_s) && !seen.contains(u"edge"_s),
           qPrintable(u"still listed %1 ms after SIGKILL: "_s.arg(t.elapsed()) +
                      QString::fromUtf8(get(control, u"/control/v1/instances"_s).body)));
  qInfo("killed instances left the list after %lld ms", t.elapsed());
  QVERIFY2(seen.contains(u"control"_s), "control's own instance must stay live");

  QHash<QString, QJsonObject> everyone;
  for (const QJsonValue &v : instances(control, true))
    everyone.insert(v.toObject().value(u"instanceId"_s).toString(), v.toObject());
  QVERIFY2(everyone.contains(originId) && everyone.contains(edgeId), "?all=1 forgot the expired instances");
  QCOMPARE(everyone[originId].value(u"state"_s).toString(), u"expired"_s);
  QCOMPARE(everyone[edgeId].value(u"state"_s).toString(), u"expired"_s);
  QCOMPARE(everyone[originId].value(u"url"_s).toString(), b.url(u"origin"_s).toString());

  QVERIFY(a.terminate() >= 0);
  QCOMPARE(a.process().exitCode(), 0);
}

// ---- Config files ------------------------------------------------------------------

void tst_Platform::configFileIsHonoured() {
  QTemporaryDir dir;
  const QString file = dir.path() + u"/reelstack.conf"_s;
  QVERIFY(writeFile(file,
                    "# test config\n"
                    "\n"
                    "role = control,origin\n"
                    "control-listen = 127.0.0.1:0\n"
                    "origin-listen   =   127.0.0.1:0   \n"
                    "heartbeat-interval = 0.25\n"
                    "instance-expiry = 8\n"
                    "access-log = <data-dir>/logs/from-config.log\n"));
  Platform p;
  RunOptions o;
  o.loopbackListeners = false;  // the file provides them
  o.noAccessLog = false;
  QVERIFY2(p.start({u"--config"_s, file}, o), qPrintable(p.error()));
  const QJsonObject roles = p.endpoints().value(u"roles"_s).toObject();
  QCOMPARE(keySet(roles), (QSet<QString>{u"control"_s, u"origin"_s}));
  for (const QString &r : {u"control"_s, u"origin"_s}) {
    QVERIFY2(p.url(r).host() == u"127.0.0.1"_s && p.url(r).port() > 0, qPrintable(p.url(r).toString()));
    QVERIFY2(p.url(r).port() != 8083 && p.url(r).port() != 8081, "default port used despite the file");
    QCOMPARE(get(p.url(r), u"/healthz"_s).status, 200);
  }
  // 0.25 s x 8 beats, both from the file.
  const HttpReply list = get(p.controlUrl(), u"/control/v1/instances"_s);
  QCOMPARE(list.json().value(u"defaultExpiryMs"_s).toInteger(), 2000);
  QVERIFY2(QFile::exists(p.dataDir() + u"/logs/from-config.log"_s), "access-log from the file not used");
  QVERIFY(!QFile::exists(p.dataDir() + u"/logs/access.log"_s));

  QVERIFY(p.terminate() >= 0);
  QCOMPARE(p.process().exitCode(), 0);

  // A flag beats the file: same file, --role=control on the command line.
  Platform q;
  QVERIFY2(q.start({u"--config"_s, file, u"--role=control"_s}, o), qPrintable(q.error()));
  const QJsonObject qRoles = q.endpoints().value(u"roles"_s).toObject();
  QCOMPARE(qRoles.keys(), QStringList{u"control"_s});
  QVERIFY(q.terminate() >= 0);
}

void tst_Platform::configFileErrorsNameFileAndLine_data() {
  QTest::addColumn<QByteArray>("content");
  QTest::addColumn<int>("line");
  QTest::addColumn<QString>("mentions");
  QTest::newRow("unknown key") << QByteArray("# ok\nrole = control\n\ncontorl-listen = 127.0.0.1:0\n") << 4
                               << u"contorl-listen"_s;
  QTest::newRow("no equals sign") << QByteArray("role = control\njust some words\n") << 2 << QString();
  QTest::newRow("config inside config") << QByteArray("config = /etc/other.conf\n") << 1 << u"config"_s;
}

void tst_Platform::configFileErrorsNameFileAndLine() {
  QFETCH(QByteArray, content);
  QFETCH(int, line);
  QFETCH(QString, mentions);
  QTemporaryDir dir;
  const QString file = dir.path() + u"/bad.conf"_s;
  QVERIFY(writeFile(file, content));
  const QString data = dir.path() + u"/data"_s;
  const RunResult r = runPlatform(QStringList{u"--headless"_s, u"--data-dir"_s, data, u"--access-log="_s}
                                  << loopbackListenArgs() << u"--config"_s << file);
  QVERIFY2(r.finished, "platform started despite a bad config file");
  QVERIFY2(r.exitCode != 0, qPrintable(r.output));
  QVERIFY2(r.output.contains(u"%1:%2"_s.arg(file).arg(line)), qPrintable(r.output));
  if (!mentions.isEmpty()) QVERIFY2(r.output.contains(mentions), qPrintable(r.output));
  QVERIFY(!QFile::exists(data + u"/run/endpoints.json"_s));

  // A file that does not exist is named too.
  const RunResult missing = runPlatform(QStringList{u"--headless"_s, u"--data-dir"_s, data}
                                        << loopbackListenArgs() << u"--config=%1/nope.conf"_s.arg(dir.path()));
  QVERIFY(missing.finished);
  QVERIFY(missing.exitCode != 0);
  QVERIFY2(missing.output.contains(u"nope.conf"_s), qPrintable(missing.output));
}

QTEST_GUILESS_MAIN(tst_Platform)
#include "tst_platform.moc"
