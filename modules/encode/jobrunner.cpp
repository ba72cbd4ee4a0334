#include "encode/jobrunner.h"

#include "core/log/log.h"
#include "encode/blockingclient.h"
#include "encode/keysource.h"
#include "encode/packager.h"
#include "encode/publishclient.h"
#include "media/probe.h"
#include "media/transcode.h"

#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <algorithm>
#include <optional>

namespace rs {
Q_LOGGING_CATEGORY(lcEncode, "rs.encode")
}

namespace rs::encode {

namespace {
QByteArray compact(const QJsonObject &o) { return QJsonDocument(o).toJson(QJsonDocument::Compact); }

// The job's own choice (spec.protection: "off", "cenc" or "cbcs"; the API sets it per
// title), else this encoder's --protection default.
Result<std::optional<package::Scheme>> protectionFor(const QJsonObject &spec, const EncoderSettings &s) {
  const QJsonValue v = spec.value(QStringLiteral("protection"));
  if (!v.isUndefined() && !v.isString())
    return Status(ErrorCode::BadRequest, QStringLiteral("spec.protection must be \"off\", \"cenc\" or \"cbcs\""));
  const QString choice = v.isString() ? v.toString() : s.protection;
  if (choice == QLatin1String("off")) return std::optional<package::Scheme>();
  const auto scheme = package::parseScheme(choice);
  if (!scheme) return Status(ErrorCode::BadRequest, QStringLiteral("protection '%1' is not off, cenc or cbcs").arg(choice));
  // Checked before anything is encoded, so a VP9 or AV1 title fails at once.
  if (s.profile.codec != QLatin1String("h264") && s.profile.codec != QLatin1String("hevc"))
    return Status(ErrorCode::BadRequest,
                  QStringLiteral("protection needs H.264 or HEVC video: VP9 and AV1 CENC subsample encryption is not "
                                 "implemented (this encoder runs --encode-codec=%1)").arg(s.profile.codec));
  if (!s.keys) return Status(ErrorCode::Internal, QStringLiteral("this encoder has no key source"));
  return std::optional<package::Scheme>(*scheme);
}
}  // namespace

JobStatus JobRunner::status() const {
  QMutexLocker lock(&mutex_);
  return status_;
}

void JobRunner::report(const QString &stage, double percent, double fps, double eta, bool force) {
  {
    QMutexLocker lock(&mutex_);
    status_.stage = stage;
    status_.percent = percent;
    status_.fps = fps;
    status_.etaSeconds = eta;
  }
  // Progress doubles as the lease heartbeat: often enough to renew it (a third of the
  // lease), rarely enough not to flood control.
  const qint64 now = QDateTime::currentMSecsSinceEpoch();
  const qint64 every = std::clamp<qint64>(qint64(s_.leaseSeconds * 1000 / 3), 200, 1000);
  if (!force && now - lastReportMs_ < every) return;
  lastReportMs_ = now;
  const QJsonObject body{{QStringLiteral("worker"), s_.workerId}, {QStringLiteral("stage"), stage},
                         {QStringLiteral("percent"), percent}, {QStringLiteral("fps"), fps}, {QStringLiteral("etaSeconds"), eta}};
  net::ClientOptions o;
  o.timeoutMs = 5000;
  std::atomic<bool> *cancel = &cancel_, *lost = &leaseLost_;
  const QString job = jobId_;
  client_->post(s_.control.resolved(QUrl(QStringLiteral("/control/v1/jobs/%1/progress").arg(jobId_))), compact(body), o,
                [cancel, lost, job](net::ClientReply r) {
                  if (r.status == 409 || r.status == 404) {
                    qCWarning(lcEncode).noquote() << "lost the lease on" << job << "-" << r.describe() << "; stopping";
                    lost->store(true);
                    cancel->store(true);
                  }
                });
}

void JobRunner::fail(const QString &reason, bool retryable) {
  qCWarning(lcEncode).noquote() << "job" << jobId_ << "failed:" << reason << (retryable ? "(will retry)" : "");
  const QJsonObject body{{QStringLiteral("worker"), s_.workerId}, {QStringLiteral("reason"), reason}, {QStringLiteral("retryable"), retryable}};
  net::ClientOptions o;
  o.retries = 3;
  callBlocking(client_, "POST", s_.control.resolved(QUrl(QStringLiteral("/control/v1/jobs/%1/fail").arg(jobId_))), compact(body), o,
               &cancel_);
}

QUrl JobRunner::originUrl(QString *error) {
  if (s_.localOrigin.isValid()) return s_.localOrigin;
  net::ClientOptions o;
  o.retries = 2;
  const net::ClientReply r = callBlocking(client_, "GET", s_.control.resolved(QUrl(QStringLiteral("/control/v1/instances?role=origin"))), {}, o, &cancel_);
  if (!r.ok()) {
    *error = QStringLiteral("cannot list origins at control: %1").arg(r.describe());
    return {};
  }
  for (const QJsonValue &v : r.json().object().value(QStringLiteral("instances")).toArray()) {
    const QUrl url(v.toObject().value(QStringLiteral("url")).toString());
    if (url.isValid() && !url.isEmpty()) return url;
  }
  *error = QStringLiteral("no origin is registered with control");
  return {};
}

void JobRunner::run(const QJsonObject &job) {
  jobId_ = job.value(QStringLiteral("id")).toString();
  const QJsonObject title = job.value(QStringLiteral("title")).toObject();
  titleId_ = title.value(QStringLiteral("id")).toString();
  if (titleId_.isEmpty()) titleId_ = job.value(QStringLiteral("titleId")).toString();
  {
    QMutexLocker lock(&mutex_);
    status_ = {jobId_, titleId_, QStringLiteral("encoding"), 0, 0, -1};
  }
  const QString source = title.value(QStringLiteral("source")).toObject().value(QStringLiteral("url")).toString();
  const QString work = s_.workRoot + u'/' + jobId_;
  QDir(work).removeRecursively();  // an earlier attempt of ours may have left files
  if (!QDir().mkpath(work)) return fail(QStringLiteral("cannot create %1").arg(work), true);
  struct Cleanup {
    QString dir;
    ~Cleanup() { QDir(dir).removeRecursively(); }
  } cleanup{work};

  qCInfo(lcEncode).noquote() << "job" << jobId_ << "title" << titleId_ << "from" << source;
  report(QStringLiteral("encoding"), 0, 0, -1, true);
  // Ingest probed the whole file and the job carries the result; the source is only
  // opened again (headers, one frame) when the catalogue lacks it.
  const QByteArray authorization = s_.sourceAuthorization ? s_.sourceAuthorization() : QByteArray();
  const QByteArray headers = authorization.isEmpty() ? QByteArray() : "Authorization: " + authorization + "\r\n";
  auto info = media::fromJson(title.value(QStringLiteral("probe")).toObject());
  if (!info) {
    media::ProbeOptions quick;
    quick.scanPackets = false;
    quick.decodeFrames = 1;
    quick.httpHeaders = headers;
    info = media::probe(source, quick);
  }
  if (cancel_) return;
  if (!info) {
    // A source that probed fine at ingest but not now is an unreachable source
    // (retry) unless the file itself is bad.
    const bool bad = info.status().code() == ErrorCode::BadRequest;
    return fail(QStringLiteral("source %1: %2").arg(source, info.status().message()), !bad);
  }

  auto scheme = protectionFor(job.value(QStringLiteral("spec")).toObject(), s_);
  if (!scheme) return fail(scheme.status().message(), false);

  media::LadderSpec spec;
  spec.rungs = media::ladderFor(*info, s_.ladder);
  spec.profile = s_.profile;
  spec.segmentSeconds = s_.segmentSeconds;
  spec.audioBitrateKbps = s_.audioBitrateKbps;
  if (spec.rungs.empty()) return fail(QStringLiteral("no ladder rung fits a %1x%2 source").arg(info->video.displayWidth).arg(info->video.displayHeight), false);

  QElapsedTimer clock;
  clock.start();
  auto out = media::transcode(media::MediaInput(source, headers), *info, spec, work, [this](const media::Progress &p) {
    report(QStringLiteral("encoding"), p.percent, p.fps, p.etaSeconds, false);
  }, &cancel_);
  if (cancel_) return;
  // A damaged source fails the same way every time; anything else (I/O, a source
  // that went away) is worth another attempt.
  if (!out) return fail(QStringLiteral("encoding: %1").arg(out.status().message()), out.status().code() != ErrorCode::BadRequest);
  qCInfo(lcEncode).noquote() << "job" << jobId_ << "encoded" << spec.rungs.size() << "rungs in" << clock.elapsed() / 1000.0 << "s";

  report(QStringLiteral("packaging"), 0, 0, -1, true);
  std::optional<package::TitleProtection> keys;
  if (*scheme) {
    QStringList tracks{QStringLiteral("video")};
    if (!out->audioFile.isEmpty()) tracks.append(QStringLiteral("audio"));
    auto k = s_.keys->keysFor(titleId_, **scheme, tracks);
    // A key source that cannot answer now (the license role away) may answer later;
    // anything else (a refused or misconfigured source) fails the same way every time.
    if (!k) {
      const ErrorCode c = k.status().code();
      const bool retry = c == ErrorCode::Unavailable || c == ErrorCode::BadGateway || c == ErrorCode::GatewayTimeout ||
                         c == ErrorCode::RequestTimeout;
      return fail(QStringLiteral("content keys: %1").arg(k.status().message()), retry);
    }
    keys = std::move(*k);
    qCInfo(lcEncode).noquote() << "job" << jobId_ << "title" << titleId_ << "protected with" << package::schemeName(**scheme)
                               << "- keys from the" << s_.keys->describe();
  }
  auto packaged = packageTitle(*out, spec, work + QStringLiteral("/out"), keys ? &*keys : nullptr);
  if (!packaged) return fail(QStringLiteral("packaging: %1").arg(packaged.status().message()), false);

  QString error;
  const QUrl origin = originUrl(&error);
  if (cancel_) return;
  if (origin.isEmpty()) return fail(error, true);
  const Status published = publishTitle(client_, origin, titleId_, packaged->dir, [this](double f) {
    report(QStringLiteral("packaging"), f * 100, 0, -1, false);
  }, &cancel_);
  if (cancel_) return;
  if (!published.isOk()) return fail(QStringLiteral("publishing: %1").arg(published.message()), true);

  const QJsonObject body{{QStringLiteral("worker"), s_.workerId},
                         {QStringLiteral("renditions"), packaged->renditions},
                         {QStringLiteral("assets"), packaged->assets},
                         {QStringLiteral("durationSeconds"), packaged->durationSeconds},
                         {QStringLiteral("segmentSeconds"), packaged->segmentSeconds}};
  net::ClientOptions o;
  o.retries = 3;
  const net::ClientReply r = callBlocking(client_, "POST", s_.control.resolved(QUrl(QStringLiteral("/control/v1/jobs/%1/complete").arg(jobId_))),
                                          compact(body), o, &cancel_);
  if (!r.ok()) {
    qCWarning(lcEncode).noquote() << "job" << jobId_ << "published but control did not take the completion:" << r.describe();
    return;
  }
  qCInfo(lcEncode).noquote() << "job" << jobId_ << "title" << titleId_ << "ready in" << clock.elapsed() / 1000.0 << "s";
}

}  // namespace rs::encode
