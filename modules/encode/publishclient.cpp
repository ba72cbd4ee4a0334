#include "encode/publishclient.h"

#include "encode/blockingclient.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>

namespace rs::encode {

Status publishTitle(net::HttpClient *client, const QUrl &origin, const QString &titleId, const QString &dir,
                    const std::function<void(double)> &progress, const std::atomic<bool> *cancel) {
  QStringList files;
  QDirIterator it(dir, QDir::Files, QDirIterator::Subdirectories);
  while (it.hasNext()) files << QDir(dir).relativeFilePath(it.next());
  files.sort();
  if (files.isEmpty()) return Status(ErrorCode::Internal, QStringLiteral("nothing to publish in %1").arg(dir));

  const QString publishId = QString::number(QRandomGenerator::global()->generate64(), 36);
  const QString base = QStringLiteral("/origin/v1/publish/%1/%2/").arg(titleId, publishId);
  net::ClientOptions o;
  o.timeoutMs = 60000;
  o.retries = 3;  // PUT of a whole file is idempotent
  o.contentType = "application/octet-stream";
  QJsonObject manifest;
  int done = 0;
  for (const QString &rel : files) {
    if (cancel && cancel->load()) return Status(ErrorCode::Unavailable, QStringLiteral("publish cancelled"));
    QFile f(dir + u'/' + rel);
    if (!f.open(QIODevice::ReadOnly)) return Status(ErrorCode::IoError, QStringLiteral("cannot read %1").arg(f.fileName()));
    const QByteArray data = f.readAll();
    const net::ClientReply r = callBlocking(client, "PUT", origin.resolved(QUrl(base + rel)), data, o, cancel);
    if (!r.ok()) {
      callBlocking(client, "DELETE", origin.resolved(QUrl(base.chopped(1))), {}, net::ClientOptions{}, cancel);
      return Status(ErrorCode::BadGateway, QStringLiteral("origin refused %1: %2").arg(rel, r.describe()));
    }
    manifest.insert(rel, double(data.size()));
    if (progress) progress(double(++done) / files.size());
  }
  o.contentType = "application/json";
  const net::ClientReply r = callBlocking(client, "POST", origin.resolved(QUrl(base + QStringLiteral("commit"))),
                                          QJsonDocument(QJsonObject{{QStringLiteral("files"), manifest}}).toJson(QJsonDocument::Compact), o, cancel);
  if (!r.ok()) return Status(ErrorCode::BadGateway, QStringLiteral("origin did not commit the publish: %1").arg(r.describe()));
  return Status::ok();
}

}  // namespace rs::encode
