#pragma once
// One encode job from claim to completion, on the worker's own thread: probe the
// source over HTTP, one-decode-many-encode, package, publish to origin, and tell
// control. Progress renews the lease; losing the lease (another worker took the job
// because this one looked dead) cancels the work without reporting anything.

#include "media/ladder.h"

#include <QJsonObject>
#include <QMutex>
#include <QString>
#include <QUrl>
#include <atomic>
#include <memory>

namespace rs::net { class HttpClient; }

namespace rs::encode {

class KeySource;

struct EncoderSettings {
  QString workerId;
  QUrl control;
  QUrl localOrigin;        // when origin runs in this process
  QString workRoot;        // <data-dir>/encode/work
  double leaseSeconds = 30;
  std::vector<media::Rung> ladder;
  media::EncodeProfile profile;
  double segmentSeconds = 4;
  int audioBitrateKbps = 128;
  // The Authorization for reading a job's source from the api: a service token that
  // outlives the whole encode, because libavformat reuses the header when it resumes
  // a dropped connection minutes later. Empty: none (no cluster key).
  std::function<QByteArray()> sourceAuthorization;
  // "off", "cenc" or "cbcs": how jobs whose spec has no "protection" are packaged.
  QString protection = QStringLiteral("off");
  std::shared_ptr<KeySource> keys;  // where protected titles' keys come from
};

// What the role reports in its heartbeats while a job runs.
struct JobStatus {
  QString jobId, titleId, stage;
  double percent = 0, fps = 0, etaSeconds = -1;
};

class JobRunner {
 public:
  JobRunner(net::HttpClient *client, EncoderSettings settings) : client_(client), s_(std::move(settings)) {}

  // Blocks until the job is finished, failed or abandoned.
  void run(const QJsonObject &job);
  // From any thread (the role stopping): ends the work at the next check, reporting
  // nothing; the lease expires and another worker runs the job.
  void cancel() { cancel_.store(true); }
  JobStatus status() const;

 private:
  void report(const QString &stage, double percent, double fps, double eta, bool force);
  void fail(const QString &reason, bool retryable);
  QUrl originUrl(QString *error);

  net::HttpClient *client_;
  EncoderSettings s_;
  QString jobId_, titleId_;
  std::atomic<bool> cancel_{false};      // cancel() or lease lost
  std::atomic<bool> leaseLost_{false};
  qint64 lastReportMs_ = 0;
  mutable QMutex mutex_;
  JobStatus status_;
};

}  // namespace rs::encode
