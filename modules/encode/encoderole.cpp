#include "encode/encoderole.h"

#include "core/auth/clusterkeys.h"
#include "core/auth/servicetoken.h"
#include "core/config/config.h"
#include "core/log/log.h"
#include "core/net/httpclient.h"
#include "core/roles/rolehost.h"
#include "encode/devkeysource.h"
#include "encode/jobrunner.h"

#include <QDir>
#include <QJsonDocument>
#include <QPointer>
#include <QTimer>
#include <memory>
#include <thread>

namespace rs {
Q_DECLARE_LOGGING_CATEGORY(lcEncode)
}

namespace rs::encode {

namespace {

// --protection and --protection-scheme give the default for jobs that do not say; the
// key source is where protected titles' keys come from. Today that is the development
// source; the license role's key hierarchy replaces it here (docs/protection.md).
Status readProtection(const roles::RoleContext &ctx, EncoderSettings *s) {
  const config::Config &c = ctx.config;
  const QString on = c.value(u"protection"), scheme = c.value(u"protection-scheme");
  if (on != QLatin1String("off") && on != QLatin1String("on"))
    return Status(ErrorCode::BadRequest, QStringLiteral("--protection must be off or on"));
  if (!package::parseScheme(scheme)) return Status(ErrorCode::BadRequest, QStringLiteral("--protection-scheme must be cenc or cbcs"));
  s->protection = on == QLatin1String("on") ? scheme : QStringLiteral("off");
  if (on == QLatin1String("on") && s->profile.codec != QLatin1String("h264") && s->profile.codec != QLatin1String("hevc"))
    return Status(ErrorCode::BadRequest,
                  QStringLiteral("--protection=on needs --encode-codec=h264 or hevc: VP9 and AV1 CENC subsample encryption "
                                 "is not implemented"));
  const QString host = c.value(u"public-host");
  QString secret = c.value(u"protection-dev-key-file");
  if (secret.isEmpty()) secret = ctx.dataDir + QStringLiteral("/encode/dev-key-secret");
  QString license = c.value(u"protection-license-url"), hlsKey = c.value(u"protection-hls-key-url");
  // https when the license listener speaks TLS: a page served over HTTPS may not fetch keys over HTTP.
  const QString licenseScheme = ctx.host ? ctx.host->schemeFor(QStringLiteral("license")) : QStringLiteral("http");
  if (license.isEmpty()) license = QStringLiteral("%1://%2:8084/license/v1/clearkey").arg(licenseScheme, host);
  if (hlsKey.isEmpty()) hlsKey = QStringLiteral("%1://%2:8084/license/v1/hls/{title}/{kid}").arg(licenseScheme, host);
  if (!hlsKey.contains(QStringLiteral("{kid}")))
    return Status(ErrorCode::BadRequest, QStringLiteral("--protection-hls-key-url must contain {kid}"));
  s->keys = std::make_shared<DevKeySource>(secret, license, hlsKey);
  return Status::ok();
}

Result<EncoderSettings> readSettings(const roles::RoleContext &ctx) {
  EncoderSettings s;
  s.workerId = ctx.instanceId;
  s.control = ctx.controlUrl;
  s.localOrigin = ctx.host->localUrl(QStringLiteral("origin"));
  const auth::ClusterKeys *keys = &ctx.host->keys();
  const QString roles = ctx.host->serviceCredential().roles(), instance = ctx.host->serviceCredential().instance();
  s.sourceAuthorization = [keys, roles, instance]() -> QByteArray {
    const auto ring = keys->current();
    if (!ring) return {};
    constexpr qint64 kSourceReadSeconds = 12 * 3600;
    const QByteArray t = auth::mintServiceToken(*ring, roles, instance, kSourceReadSeconds, auth::nowSeconds());
    return t.isEmpty() ? QByteArray() : "Bearer " + t;
  };
  s.workRoot = ctx.dataDir + QStringLiteral("/encode/work");
  const config::Config &c = ctx.config;
  auto lease = c.number(u"job-lease", 1, 3600);
  auto segment = c.number(u"segment-seconds", 1, 30);
  auto crf = c.integer(u"encode-crf", 0, 63);
  auto audio = c.integer(u"audio-bitrate", 32, 512);
  auto ladder = media::parseLadder(c.value(u"encode-ladder"));
  for (const Status &st : {lease.status(), segment.status(), crf.status(), audio.status(), ladder.status()})
    if (!st.isOk()) return st;
  s.leaseSeconds = *lease;
  s.segmentSeconds = *segment;
  s.ladder = *ladder;
  s.audioBitrateKbps = *audio;
  s.profile.codec = c.value(u"encode-codec");
  s.profile.rateControl = c.value(u"encode-rate-control");
  s.profile.crf = *crf;
  s.profile.preset = c.value(u"encode-preset");
  static const QStringList codecs{QStringLiteral("h264"), QStringLiteral("hevc"), QStringLiteral("vp9"), QStringLiteral("av1")};
  if (!codecs.contains(s.profile.codec))
    return Status(ErrorCode::BadRequest, QStringLiteral("--encode-codec must be one of %1").arg(codecs.join(QStringLiteral(", "))));
  if (s.profile.rateControl != QLatin1String("capped-crf") && s.profile.rateControl != QLatin1String("vbv"))
    return Status(ErrorCode::BadRequest, QStringLiteral("--encode-rate-control must be capped-crf or vbv"));
  RS_RETURN_IF_ERROR(readProtection(ctx, &s));
  return s;
}

class EncodeRole final : public QObject, public roles::Role {
 public:
  Status start(roles::RoleContext &ctx) override {
    auto settings = readSettings(ctx);
    if (!settings) return settings.status();
    settings_ = *settings;
    client_ = ctx.host->client();
    // Scratch space of jobs this process ran before a crash; their leases expire and
    // the jobs run again from the start.
    QDir(settings_.workRoot).removeRecursively();
    if (!QDir().mkpath(settings_.workRoot))
      return Status(ErrorCode::IoError, QStringLiteral("cannot create %1").arg(settings_.workRoot));
    poll_.setInterval(1000);
    QObject::connect(&poll_, &QTimer::timeout, this, [this] { claim(); });
    poll_.start();
    QTimer::singleShot(0, this, [this] { claim(); });
    qCInfo(lcEncode).noquote() << "encode worker" << settings_.workerId << "polls" << settings_.control.toString()
                               << "ladder" << media::formatLadder(settings_.ladder) << settings_.profile.codec
                               << "protection" << settings_.protection;
    if (settings_.protection != QLatin1String("off"))
      qCWarning(lcEncode).noquote() << "content keys come from the" << settings_.keys->describe();
    return Status::ok();
  }

  void stop() override {
    poll_.stop();
    stopping_ = true;
    if (runner_) runner_->cancel();
    if (worker_.joinable()) worker_.join();
    runner_.reset();
  }

  QJsonObject load() const override {
    QJsonObject o{{QStringLiteral("busy"), busy_}};
    if (busy_ && runner_) {
      const JobStatus s = runner_->status();
      o.insert(QStringLiteral("job"), s.jobId);
      o.insert(QStringLiteral("title"), s.titleId);
      o.insert(QStringLiteral("stage"), s.stage);
      o.insert(QStringLiteral("percent"), s.percent);
      o.insert(QStringLiteral("fps"), s.fps);
    }
    return o;
  }

 private:
  void claim() {
    if (busy_ || claiming_ || stopping_) return;
    claiming_ = true;
    const QJsonObject body{{QStringLiteral("worker"), settings_.workerId}, {QStringLiteral("leaseSeconds"), settings_.leaseSeconds}};
    net::ClientOptions o;
    o.timeoutMs = 5000;
    QPointer<QObject> self(this);
    client_->post(settings_.control.resolved(QUrl(QStringLiteral("/control/v1/jobs/claim"))),
                  QJsonDocument(body).toJson(QJsonDocument::Compact), o, [this, self](net::ClientReply r) {
      if (!self) return;
      claiming_ = false;
      if (r.status == 204 || stopping_) return;
      if (!r.ok()) {
        // Control may be starting or briefly away; the next poll tries again.
        qCDebug(lcEncode).noquote() << "claim failed:" << r.describe();
        return;
      }
      runJob(r.json().object());
    });
  }

  void runJob(const QJsonObject &job) {
    if (worker_.joinable()) worker_.join();
    busy_ = true;
    runner_ = std::make_shared<JobRunner>(client_, settings_);
    std::shared_ptr<JobRunner> runner = runner_;
    QPointer<QObject> self(this);
    worker_ = std::thread([this, self, runner, job] {
      runner->run(job);
      // Back on the role's thread: free the slot and look for the next job at once.
      QMetaObject::invokeMethod(self, [this] {
        busy_ = false;
        claim();
      }, Qt::QueuedConnection);
    });
  }

  EncoderSettings settings_;
  net::HttpClient *client_ = nullptr;
  QTimer poll_;
  std::thread worker_;
  std::shared_ptr<JobRunner> runner_;
  bool stopping_ = false;  // only touched on the role's thread
  bool busy_ = false, claiming_ = false;
};

}  // namespace

std::unique_ptr<roles::Role> createEncodeRole() { return std::make_unique<EncodeRole>(); }

}  // namespace rs::encode
