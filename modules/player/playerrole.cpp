#include "player/playerrole.h"

#include "core/config/config.h"
#include "player/abr/abr.h"
#include "player/load/loadgenerator.h"
#include "player/playerlog.h"

#include <QCoreApplication>
#include <QFile>
#include <QJsonDocument>
#include <QTimer>
#include <cstdio>
#include <sys/resource.h>

namespace rs::player {

namespace {

// k6's exit status when a threshold fails.
constexpr int kExitThresholds = 99;

// Every viewer holds a few connections: the default 1024 descriptors is not enough.
void raiseFileLimit() {
  rlimit l{};
  if (getrlimit(RLIMIT_NOFILE, &l) != 0 || l.rlim_cur >= l.rlim_max) return;
  l.rlim_cur = l.rlim_max;
  setrlimit(RLIMIT_NOFILE, &l);
}

class PlayerRole final : public roles::Role {
 public:
  Status start(roles::RoleContext &ctx) override {
    const config::Config &c = ctx.config;
    if (!c.isSet(u"player-target")) {
      qCInfo(lcPlayer) << "player role: no --player-target, so no load run; `platform play` and `platform simulate` run sessions";
      return Status::ok();
    }
    LoadConfig lc;
    lc.target = QUrl(c.value(u"player-target"));
    if (!lc.target.isValid() || lc.target.host().isEmpty() ||
        (lc.target.scheme() != QLatin1String("http") && lc.target.scheme() != QLatin1String("https")))
      return Status(ErrorCode::BadRequest, QStringLiteral("--player-target '%1' is not an http(s) URL of the api").arg(c.value(u"player-target")));
    auto sessions = c.integer(u"player-sessions", 1, 100000);
    auto duration = c.number(u"player-duration", 1, 7 * 86400);
    auto ramp = c.number(u"player-ramp", 0, 7 * 86400);
    auto watch = c.number(u"player-watch", 1, 86400);
    auto zipf = c.number(u"player-zipf", 0, 10);
    auto seed = c.integer(u"player-seed", 0, 2147483647);
    for (const Status &s : {sessions.status(), duration.status(), ramp.status(), watch.status(), zipf.status(), seed.status()})
      RS_RETURN_IF_ERROR(s);
    lc.sessions = *sessions;
    lc.durationS = *duration;
    lc.rampS = std::min(*ramp, *duration);
    lc.watchMeanS = *watch;
    lc.zipfExponent = *zipf;
    lc.seed = quint32(*seed);
    lc.abr = c.value(u"player-abr");
    if (!abrNames().contains(lc.abr))
      return Status(ErrorCode::BadRequest, QStringLiteral("--player-abr must be one of %1").arg(abrNames().join(QStringLiteral(", "))));
    if (c.isSet(u"player-token") && c.isSet(u"player-user"))
      return Status(ErrorCode::BadRequest, QStringLiteral("give --player-token or --player-user, not both"));
    if (c.isSet(u"player-token")) lc.authorization = "Bearer " + c.value(u"player-token").toUtf8();
    if (c.isSet(u"player-user")) {
      QFile f(c.value(u"player-password-file"));
      if (!c.isSet(u"player-password-file") || !f.open(QIODevice::ReadOnly))
        return Status(ErrorCode::BadRequest, QStringLiteral("--player-user needs a readable --player-password-file"));
      // One line: the password (a trailing newline is not part of it).
      QByteArray password = f.readLine(4096);
      while (password.endsWith('\n') || password.endsWith('\r')) password.chop(1);
      if (password.isEmpty())
        return Status(ErrorCode::BadRequest, QStringLiteral("--player-password-file %1 is empty").arg(f.fileName()));
      lc.credentials = {c.value(u"player-user"), QString::fromUtf8(password)};
    }
    const QString login = c.value(u"player-login");
    if (login != QLatin1String("journey") && login != QLatin1String("viewer"))
      return Status(ErrorCode::BadRequest, QStringLiteral("--player-login must be viewer or journey, got '%1'").arg(login));
    lc.loginPerJourney = login == QLatin1String("journey");
    auto thresholds = parseThresholds(c.value(u"player-fail-if"), LoadGenerator::metricNames());
    RS_RETURN_IF_ERROR(thresholds.status());

    raiseFileLimit();
    load_ = std::make_unique<LoadGenerator>(lc, *thresholds);
    load_->onFinished = [](const QJsonObject &summary, bool passed) {
      std::fputs(QJsonDocument(summary).toJson(QJsonDocument::Indented).constData(), stdout);
      std::fflush(stdout);
      qCInfo(lcPlayer).noquote() << (passed ? QStringLiteral("load run passed") : QStringLiteral("load run FAILED a threshold"));
      // The run is the process's purpose: it ends with it.
      QTimer::singleShot(0, qApp, [passed] { QCoreApplication::exit(passed ? 0 : kExitThresholds); });
    };
    LoadGenerator *run = load_.get();
    QTimer::singleShot(0, run, [run] { run->start(); });  // once every role is up
    return Status::ok();
  }

  void stop() override { load_.reset(); }

  QJsonObject load() const override {
    if (!load_) return QJsonObject{{QStringLiteral("implemented"), true}, {QStringLiteral("load"), false}};
    return load_->snapshot();
  }

 private:
  std::unique_ptr<LoadGenerator> load_;
};

}  // namespace

std::unique_ptr<roles::Role> createPlayerRole() { return std::make_unique<PlayerRole>(); }

}  // namespace rs::player
