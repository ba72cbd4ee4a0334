#include "ingestcommand.h"

#include "clientcredentials.h"
#include "clienttls.h"
#include "ingest/tusclient.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonArray>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QThread>
#include <QUrl>

#include <cstdio>
#include <optional>
#include <unistd.h>

namespace rs::app {

namespace {

// Exit codes: 0 accepted (or ready with --wait), 1 rejected or failed, 2 bad usage or
// unreadable file, 3 the api could not be reached.
constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;
constexpr int kExitUnreachable = 3;
constexpr qint64 kMaxChunk = 64 * 1024 * 1024;  // the server's per-request body limit

void printErr(const QString &s) { std::fprintf(stderr, "platform ingest: %s\n", qPrintable(s)); }

void printJson(const QJsonObject &o) {
  std::fputs(QJsonDocument(o).toJson(QJsonDocument::Compact).append('\n').constData(), stdout);
  std::fflush(stdout);
}

QString megabytes(qint64 bytes) { return QString::number(double(bytes) / 1e6, 'f', 1); }

// Upload progress on stderr: a line rewritten in place on a terminal, otherwise a
// line at every quarter so logs stay short.
class Progress {
 public:
  explicit Progress(qint64 total) : total_(total), tty_(::isatty(STDERR_FILENO) == 1) { clock_.start(); }

  void update(qint64 done) {
    const qint64 ms = clock_.elapsed();
    const int percent = total_ > 0 ? int(done * 100 / total_) : 100;
    if (tty_) {
      if (ms - lastMs_ < 200 && done < total_) return;
      lastMs_ = ms;
      std::fprintf(stderr, "\r  %3d%%  %s of %s MB  %s MB/s   ", percent, qPrintable(megabytes(done)),
                   qPrintable(megabytes(total_)), qPrintable(rate(done, ms)));
      std::fflush(stderr);
      drawn_ = true;
      return;
    }
    const int quarter = percent / 25;
    if (quarter <= lastQuarter_) return;
    lastQuarter_ = quarter;
    std::fprintf(stderr, "platform ingest: uploaded %d%% (%s of %s MB, %s MB/s)\n", percent, qPrintable(megabytes(done)),
                 qPrintable(megabytes(total_)), qPrintable(rate(done, ms)));
  }
  void finish() {
    if (drawn_) std::fputc('\n', stderr);
    drawn_ = false;
  }

 private:
  static QString rate(qint64 bytes, qint64 ms) { return QString::number(ms > 0 ? double(bytes) / 1e3 / double(ms) : 0.0, 'f', 1); }
  qint64 total_;
  bool tty_;
  bool drawn_ = false;
  QElapsedTimer clock_;
  qint64 lastMs_ = -1000;
  int lastQuarter_ = 0;  // the first line at 25 %
};

// GET that tolerates a restarting api for a while; nullopt once it stayed away.
std::optional<ingest::HttpResult> pollGet(ingest::TusClient &http, const QUrl &url, int *misses) {
  for (;;) {
    ingest::HttpResult r = http.send("GET", url);
    if (r.status != 0 && r.status < 500) {
      *misses = 0;
      return r;
    }
    if (++*misses > 30) return std::nullopt;
    QThread::msleep(1000);
  }
}

QString usage() {
  return QStringLiteral("Usage: platform ingest [options] FILE\n");
}

}  // namespace

int runIngestCommand(int argc, char **argv, const QStringList &args) {
  QCoreApplication app(argc, argv);
  QCoreApplication::setApplicationName(QStringLiteral("platform"));
  QCoreApplication::setApplicationVersion(QStringLiteral(REELSTACK_VERSION));

  QCommandLineParser parser;
  parser.setApplicationDescription(QStringLiteral(
      "Uploads a video to a running ReelStack with tus (resumable), prints {titleId, uploadUrl, state} as JSON once\n"
      "ingest has checked the file (state queued, or failed with a reason), and with --wait follows the title until\n"
      "it is ready (manifest URLs) or failed.\n"
      "Exit status: 0 accepted/ready, 1 rejected/failed, 2 usage or unreadable file, 3 api unreachable."));
  const QCommandLineOption help({QStringLiteral("h"), QStringLiteral("help")}, QStringLiteral("Show this help."));
  const QCommandLineOption title(QStringLiteral("title"), QStringLiteral("Title name (default: the file name without extension)."),
                                 QStringLiteral("NAME"));
  const QCommandLineOption api(QStringLiteral("api"), QStringLiteral("The stack's api listener."), QStringLiteral("URL"),
                               QStringLiteral("http://127.0.0.1:8080"));
  const QCommandLineOption wait(QStringLiteral("wait"), QStringLiteral("Wait until the title is ready or failed."));
  const QCommandLineOption chunk(QStringLiteral("chunk-size"), QStringLiteral("Bytes per PATCH request (at most 64 MiB)."),
                                 QStringLiteral("BYTES"), QString::number(8 * 1024 * 1024));
  const QCommandLineOption ifEmpty(QStringLiteral("if-catalogue-empty"),
                                   QStringLiteral("Upload only when the catalogue has no titles (prints {\"skipped\":…} otherwise); "
                                                  "used to seed a demo title."));
  const QCommandLineOption token(QStringLiteral("token"),
                                 QStringLiteral("An admin API token (default: $REELSTACK_TOKEN, else the local token of "
                                                "--data-dir, for an api on this machine)."),
                                 QStringLiteral("TOKEN"));
  const QCommandLineOption dataDir(QStringLiteral("data-dir"),
                                   QStringLiteral("The stack's data directory on this machine, for its local token."),
                                   QStringLiteral("DIR"), QStringLiteral("~/.local/share/reelstack"));
  const QCommandLineOption tlsCa = tlsCaOption();
  parser.addOptions({help, title, api, wait, chunk, ifEmpty, token, dataDir, tlsCa});
  parser.addPositionalArgument(QStringLiteral("FILE"), QStringLiteral("The video file to upload."));
  if (!parser.parse(QStringList{QStringLiteral("platform")} + args)) {
    printErr(parser.errorText() + QStringLiteral(" (see platform ingest --help)"));
    return kExitUsage;
  }
  if (parser.isSet(help)) {
    QString text = parser.helpText();
    text = usage() + text.mid(text.indexOf(QLatin1Char('\n')) + 1);
    std::fputs(qPrintable(text), stdout);
    return 0;
  }
  if (parser.positionalArguments().size() != 1) {
    printErr(QStringLiteral("expected exactly one FILE (see platform ingest --help)"));
    return kExitUsage;
  }
  if (!applyClientTls(parser.value(tlsCa), parser.value(dataDir))) return kExitUsage;
  bool ok = false;
  const qint64 chunkBytes = parser.value(chunk).toLongLong(&ok);
  if (!ok || chunkBytes < 1 || chunkBytes > kMaxChunk) {
    printErr(QStringLiteral("--chunk-size must be between 1 and %1 bytes").arg(kMaxChunk));
    return kExitUsage;
  }
  const QUrl apiUrl(parser.value(api), QUrl::StrictMode);
  if (!apiUrl.isValid() || apiUrl.host().isEmpty() ||
      (apiUrl.scheme() != QLatin1String("http") && apiUrl.scheme() != QLatin1String("https"))) {
    printErr(QStringLiteral("--api '%1' is not an http(s) URL").arg(parser.value(api)));
    return kExitUsage;
  }

  const QString path = parser.positionalArguments().first();
  const QFileInfo info(path);
  if (!info.exists()) {
    printErr(QStringLiteral("no such file: %1").arg(path));
    return kExitUsage;
  }
  if (!info.isFile()) {
    printErr(QStringLiteral("not a regular file: %1").arg(path));
    return kExitUsage;
  }
  QFile file(path);
  if (!file.open(QIODevice::ReadOnly)) {
    printErr(QStringLiteral("cannot read %1: %2").arg(path, file.errorString()));
    return kExitUsage;
  }

  auto credential = clientCredential(parser.value(token), parser.value(dataDir), parser.isSet(dataDir), apiUrl);
  if (!credential) {
    printErr(credential.status().message());
    return kExitUsage;
  }
  QNetworkAccessManager nam;
  ingest::TusClientOptions options;
  options.chunkBytes = chunkBytes;
  options.authorization = *credential;
  Progress *shown = nullptr;
  options.onRetry = [&shown](const QString &why, qint64 resumeAt) {
    if (shown) shown->finish();
    printErr(QStringLiteral("%1; resuming at byte %2").arg(why).arg(resumeAt));
  };
  ingest::TusClient tus(nam, options);
  const QString apiText = apiUrl.toString();
  auto unreachable = [&](const Status &s) {
    printErr(QStringLiteral("cannot reach the api at %1: %2").arg(apiText, s.message()));
    return kExitUnreachable;
  };

  if (parser.isSet(ifEmpty)) {
    int misses = 0;
    auto r = pollGet(tus, apiUrl.resolved(QUrl(QStringLiteral("/api/v1/titles"))), &misses);
    if (!r) return unreachable(Status(ErrorCode::Unavailable, QStringLiteral("no answer about the catalogue")));
    if (r->status != 200) {
      printErr(QStringLiteral("asking for the catalogue: HTTP %1: %2").arg(r->status).arg(r->message()));
      return kExitFailed;
    }
    const qsizetype count = r->json().value(QStringLiteral("titles")).toArray().size();
    if (count > 0) {
      printJson({{QStringLiteral("skipped"), true},
                 {QStringLiteral("reason"), QStringLiteral("the catalogue already has %1 title(s)").arg(count)}});
      return 0;
    }
  }

  QList<QPair<QString, QString>> metadata{{QStringLiteral("filename"), info.fileName()}};
  if (parser.isSet(title)) metadata.append({QStringLiteral("title"), parser.value(title)});
  auto created = tus.create(apiUrl.resolved(QUrl(QStringLiteral("/api/v1/uploads"))), info.size(), metadata);
  if (!created) {
    if (created.status().code() == ErrorCode::Unavailable) return unreachable(created.status());
    printErr(created.status().message());
    if (created.status().code() == ErrorCode::Unauthorized)
      printErr(QStringLiteral("uploading needs an admin: pass --token (or set REELSTACK_TOKEN) with a token from "
                              "`platform token create --role admin`, or --data-dir of the stack on this machine"));
    else if (created.status().code() == ErrorCode::Forbidden)
      printErr(QStringLiteral("this token may not upload: only admin accounts and admin tokens add titles"));
    return kExitFailed;
  }
  const QUrl uploadUrl = created->uploadUrl;
  QString titleId = created->titleId;
  std::fprintf(stderr, "platform ingest: uploading %s (%lld bytes) as title %s\n", qPrintable(info.fileName()),
               static_cast<long long>(info.size()), qPrintable(titleId));

  Progress progress(info.size());
  shown = &progress;
  const Status sent = tus.upload(uploadUrl, file, [&](qint64 done, qint64) { progress.update(done); });
  progress.finish();
  if (!sent.isOk()) {
    if (sent.code() == ErrorCode::Unavailable) return unreachable(sent);
    printErr(sent.message());
    return kExitFailed;
  }

  // Ingest hashes and probes the file right after the last byte: report its verdict.
  QJsonObject out{{QStringLiteral("titleId"), titleId}, {QStringLiteral("uploadUrl"), uploadUrl.toString()}};
  int misses = 0;
  QJsonObject upload;
  for (;;) {
    auto r = pollGet(tus, uploadUrl, &misses);
    if (!r) return unreachable(Status(ErrorCode::Unavailable, QStringLiteral("no answer about %1").arg(uploadUrl.toString())));
    if (r->status != 200) {
      printErr(QStringLiteral("asking %1 for the upload's state: HTTP %2: %3").arg(uploadUrl.toString()).arg(r->status).arg(r->message()));
      return kExitFailed;
    }
    upload = r->json();
    const QString state = upload.value(QStringLiteral("state")).toString();
    if (state != QLatin1String("uploading") && state != QLatin1String("probing")) break;
    QThread::msleep(250);
  }
  if (titleId.isEmpty()) titleId = upload.value(QStringLiteral("titleId")).toString();
  out.insert(QStringLiteral("titleId"), titleId);
  out.insert(QStringLiteral("state"), upload.value(QStringLiteral("state")));
  const bool rejected = upload.value(QStringLiteral("state")).toString() == QLatin1String("failed");
  if (rejected) {
    out.insert(QStringLiteral("reason"), upload.value(QStringLiteral("reason")));
    if (upload.contains(QStringLiteral("duplicateOf"))) out.insert(QStringLiteral("duplicateOf"), upload.value(QStringLiteral("duplicateOf")));
  }
  if (rejected || !parser.isSet(wait)) {
    if (rejected) printErr(QStringLiteral("title %1 failed: %2").arg(titleId, upload.value(QStringLiteral("reason")).toString()));
    printJson(out);
    return rejected ? kExitFailed : 0;
  }

  // --wait: follow the title through encoding and packaging.
  const QUrl titleUrl = apiUrl.resolved(QUrl(QStringLiteral("/api/v1/titles/") + titleId));
  QString lastLine;
  for (;;) {
    auto r = pollGet(tus, titleUrl, &misses);
    if (!r) return unreachable(Status(ErrorCode::Unavailable, QStringLiteral("no answer about %1").arg(titleUrl.toString())));
    if (r->status != 200) {
      printErr(QStringLiteral("asking %1 for the title: HTTP %2: %3").arg(titleUrl.toString()).arg(r->status).arg(r->message()));
      return kExitFailed;
    }
    const QJsonObject t = r->json();
    const QString state = t.value(QStringLiteral("state")).toString();
    const QJsonObject job = t.value(QStringLiteral("job")).toObject();
    QString line = QStringLiteral("title %1: %2").arg(titleId, state);
    if (job.contains(QStringLiteral("percent")) && (state == QLatin1String("encoding") || state == QLatin1String("packaging")))
      line += QStringLiteral(" %1%").arg(int(job.value(QStringLiteral("percent")).toDouble()));
    if (line != lastLine) {
      std::fprintf(stderr, "platform ingest: %s\n", qPrintable(line));
      lastLine = line;
    }
    out.insert(QStringLiteral("state"), state);
    if (state == QLatin1String("ready")) {
      out.insert(QStringLiteral("manifests"), t.value(QStringLiteral("manifests")));
      printJson(out);
      return 0;
    }
    if (state == QLatin1String("failed")) {
      out.insert(QStringLiteral("reason"), t.value(QStringLiteral("reason")));
      printErr(QStringLiteral("title %1 failed: %2").arg(titleId, t.value(QStringLiteral("reason")).toString()));
      printJson(out);
      return kExitFailed;
    }
    QThread::msleep(1000);
  }
}

}  // namespace rs::app
