#pragma once
// Runs real `platform` processes for end-to-end tests: each on 127.0.0.1:0 ports with
// its own data directory, its ports read from <data-dir>/run/endpoints.json, and a
// blocking HTTP helper on QNetworkAccessManager for the JSON APIs.

#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QProcess>
#include <QTest>
#include <QThread>
#include <QTimer>
#include <QUrl>

#include <csignal>

namespace rs::test {

inline QString platformBin() { return QStringLiteral(REELSTACK_PLATFORM_BIN); }

struct Reply {
  int status = 0;
  QByteArray body;
  QMap<QByteArray, QByteArray> headers;  // lower-case names
  QString error;
  QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
  QString describe() const {
    return error.isEmpty() ? QStringLiteral("HTTP %1 %2").arg(status).arg(QString::fromUtf8(body.left(400))) : error;
  }
};

inline Reply http(const QByteArray &method, const QUrl &url, const QByteArray &body = {}, int timeoutMs = 10000,
                  const QList<QPair<QByteArray, QByteArray>> &headers = {}) {
  QNetworkAccessManager nam;
  nam.setProxy(QNetworkProxy::NoProxy);
  QNetworkRequest req(url);
  req.setTransferTimeout(timeoutMs);
  if (!body.isEmpty()) req.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
  for (const auto &h : headers) req.setRawHeader(h.first, h.second);
  QNetworkReply *r = nam.sendCustomRequest(req, method, body);
  QEventLoop loop;
  QObject::connect(r, &QNetworkReply::finished, &loop, &QEventLoop::quit);
  loop.exec();
  Reply out;
  out.status = r->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
  out.body = r->readAll();
  for (const auto &h : r->rawHeaderPairs()) out.headers.insert(h.first.toLower(), h.second);
  if (out.status == 0) out.error = r->errorString();
  delete r;
  return out;
}

class Platform {
 public:
  explicit Platform(QString dataDir) : dataDir_(std::move(dataDir)) {}
  ~Platform() { kill(); }

  // Starts `platform` with loopback listeners for the roles that have one.
  bool start(const QStringList &args, QString *error) {
    QStringList all = args;
    all << QStringLiteral("--data-dir=") + dataDir_ << QStringLiteral("--headless");
    // No access log unless the test asks for one (it may count requests in it).
    if (!args.join(QLatin1Char(' ')).contains(QLatin1String("--access-log"))) all << QStringLiteral("--access-log=");
    for (const char *r : {"control", "origin", "edge", "license", "monitor", "api"})
      all << QStringLiteral("--%1-listen=127.0.0.1:0").arg(QLatin1String(r));
    QFile::remove(dataDir_ + QStringLiteral("/run/endpoints.json"));
    proc_.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    proc_.setStandardOutputFile(QProcess::nullDevice());
    proc_.start(platformBin(), all);
    if (!proc_.waitForStarted(5000)) {
      *error = proc_.errorString();
      return false;
    }
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < 15000) {
      QFile f(dataDir_ + QStringLiteral("/run/endpoints.json"));
      if (f.open(QIODevice::ReadOnly)) {
        endpoints_ = QJsonDocument::fromJson(f.readAll()).object();
        if (!endpoints_.isEmpty()) return true;
      }
      if (proc_.state() != QProcess::Running) {
        *error = QStringLiteral("platform exited with %1").arg(proc_.exitCode());
        return false;
      }
      QThread::msleep(50);
    }
    *error = QStringLiteral("no endpoints.json after 15 s");
    return false;
  }

  // Base URL of a role's listener in this process.
  QUrl url(const QString &role) const {
    const QJsonValue v = endpoints_.value(QStringLiteral("roles")).toObject().value(role);
    const QString u = v.isObject() ? v.toObject().value(QStringLiteral("url")).toString() : v.toString();
    return QUrl(u);
  }
  const QJsonObject &endpoints() const { return endpoints_; }

  void kill() {
    if (proc_.state() == QProcess::NotRunning) return;
    ::kill(pid_t(proc_.processId()), SIGKILL);
    proc_.waitForFinished(5000);
  }
  bool terminate(int ms = 10000) {
    if (proc_.state() == QProcess::NotRunning) return true;
    proc_.terminate();
    return proc_.waitForFinished(ms) && proc_.exitStatus() == QProcess::NormalExit && proc_.exitCode() == 0;
  }
  bool running() const { return proc_.state() == QProcess::Running; }
  qint64 pid() const { return proc_.processId(); }
  const QString &dataDir() const { return dataDir_; }

 private:
  QString dataDir_;
  QProcess proc_;
  QJsonObject endpoints_;
};

// Runs a command to completion; returns its exit code (-1 if it did not start/finish).
inline int run(const QString &program, const QStringList &args, QByteArray *out = nullptr, QByteArray *err = nullptr,
               int timeoutMs = 120000) {
  QProcess p;
  p.start(program, args);
  if (!p.waitForStarted(5000)) return -1;
  if (!p.waitForFinished(timeoutMs)) {
    p.kill();
    p.waitForFinished();
    return -1;
  }
  if (out) *out = p.readAllStandardOutput();
  if (err) *err = p.readAllStandardError();
  return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
}

}  // namespace rs::test
