#pragma once
// Runs real `platform` processes for end-to-end tests: each on 127.0.0.1:0 ports with
// its own data directory, its ports read from <data-dir>/run/endpoints.json, never
// outliving the test. (httpcalls.h, included here, has the blocking calls to talk to them.)

#include "support/httpcalls.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QUrl>

#include <csignal>
#include <memory>
#include <sys/prctl.h>

namespace rs::test {

inline QString platformBin() { return QStringLiteral(REELSTACK_PLATFORM_BIN); }

// A child process never outlives the test, even one that crashes or is killed.
inline void dieWithParent(QProcess &p) {
  p.setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGKILL); });
}

// One `platform` process: loopback listeners on :0 ports, no access log unless asked
// for, its ports read from <data-dir>/run/endpoints.json. Its stderr goes to the test's
// unless captureLog() sends stdout and stderr to a file that log() reads back.
class Platform {
 public:
  explicit Platform(QString dataDir) : dataDir_(std::move(dataDir)) {}
  // A data directory of its own, removed with the object.
  Platform() : ownDir_(std::make_unique<QTemporaryDir>()), dataDir_(ownDir_->filePath(QStringLiteral("data"))) {}
  ~Platform() { kill(); }
  Platform(const Platform &) = delete;
  Platform &operator=(const Platform &) = delete;

  // Before start(): the process's stdout and stderr go to `file` (default: next to
  // the data directory), so a failing test can print them.
  void captureLog(const QString &file = {}) { logFile_ = file.isEmpty() ? QDir::cleanPath(dataDir_) + QStringLiteral(".log") : file; }
  QString log() const {
    QFile f(logFile_);
    return !logFile_.isEmpty() && f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
  }

  // Starts `platform` with a 127.0.0.1:0 listener for each role that has one (unless
  // `args` names that listener) and waits for its endpoints.json. On failure `error`
  // says why, followed by the captured output if there is any.
  bool start(const QStringList &args, QString *error = nullptr) {
    const QString joined = args.join(QLatin1Char(' '));
    QStringList all = args;
    all << QStringLiteral("--data-dir=") + dataDir_ << QStringLiteral("--headless");
    // No access log unless the test asks for one (it may count requests in it).
    if (!joined.contains(QLatin1String("--access-log"))) all << QStringLiteral("--access-log=");
    for (const char *r : {"control", "origin", "edge", "license", "monitor", "api"}) {
      const QString listen = QStringLiteral("--%1-listen").arg(QLatin1String(r));
      if (!joined.contains(listen)) all << listen + QStringLiteral("=127.0.0.1:0");
    }
    QFile::remove(dataDir_ + QStringLiteral("/run/endpoints.json"));
    endpoints_ = {};
    if (logFile_.isEmpty()) {
      proc_.setProcessChannelMode(QProcess::ForwardedErrorChannel);
      proc_.setStandardOutputFile(QProcess::nullDevice());
    } else {
      proc_.setProcessChannelMode(QProcess::MergedChannels);
      proc_.setStandardOutputFile(logFile_);
    }
    dieWithParent(proc_);
    proc_.start(platformBin(), all);
    QString why;
    if (!proc_.waitForStarted(5000)) why = proc_.errorString();
    else if (waitForEndpoints(&why)) return true;
    if (error) *error = logFile_.isEmpty() ? why : why + QStringLiteral("; its output:\n") + log();
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
  // Waits up to `ms` for the process to end (one expected to refuse to start); its exit
  // code, or -1 while it still runs.
  int exitCode(int ms = 10000) {
    proc_.waitForFinished(ms);
    return proc_.state() == QProcess::NotRunning ? proc_.exitCode() : -1;
  }
  bool running() const { return proc_.state() == QProcess::Running; }
  // Speaking to this stack: a service token from its cluster key (the stack's control
  // created it), or its api's local admin token.
  QByteArray serviceAuth(const QString &roles = QStringLiteral("test"), const QString &instance = QStringLiteral("test")) const {
    return serviceAuthorization(clusterKeyFile(dataDir_), roles, instance);
  }
  QByteArray adminAuth() const { return adminAuthorization(dataDir_); }
  // Every call() to this process's api as its admin and to its control as a service.
  // Media listeners (origin, edge) stay anonymous: tests reach them as viewers do,
  // with playback tokens in the path, and name a service credential where they mean it.
  void authorizeAll() const {
    if (const QUrl u = url(QStringLiteral("api")); u.port() > 0) authorize(u, adminAuth());
    if (const QUrl u = url(QStringLiteral("control")); u.port() > 0) authorize(u, serviceAuth());
  }
  qint64 pid() const { return proc_.processId(); }
  const QString &dataDir() const { return dataDir_; }

 private:
  bool waitForEndpoints(QString *why) {
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < 15000) {
      QFile f(dataDir_ + QStringLiteral("/run/endpoints.json"));
      if (f.open(QIODevice::ReadOnly)) {
        endpoints_ = QJsonDocument::fromJson(f.readAll()).object();
        if (!endpoints_.isEmpty()) return true;
      }
      // Also the pause between looks; state() alone would not notice the exit.
      if (proc_.waitForFinished(50) || proc_.state() != QProcess::Running) {
        *why = QStringLiteral("platform exited with %1").arg(proc_.exitCode());
        return false;
      }
    }
    *why = QStringLiteral("no endpoints.json after 15 s");
    return false;
  }

  std::unique_ptr<QTemporaryDir> ownDir_;
  QString dataDir_;
  QString logFile_;
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
