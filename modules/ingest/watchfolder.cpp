#include "ingest/watchfolder.h"

#include "ingest/ingestlog.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QPointer>
#include <QSaveFile>

namespace rs::ingest {

namespace {
// Unchanged size and mtime across this many polls after the first sighting: a copy
// into the folder that is still running has had time to show progress.
constexpr int kStablePolls = 2;
}  // namespace

WatchFolder::WatchFolder(QString directory, int intervalMs, Hooks hooks, QObject *parent)
    : QObject(parent), dir_(std::move(directory)), hooks_(std::move(hooks)) {
  timer_.setInterval(intervalMs);
  connect(&timer_, &QTimer::timeout, this, &WatchFolder::poll);
}

void WatchFolder::start() {
  timer_.start();
  poll();
}

bool WatchFolder::looksLikeMedia(QStringView fileName) {
  static const QSet<QString> extensions{
      QStringLiteral("mp4"), QStringLiteral("m4v"),  QStringLiteral("mov"),  QStringLiteral("mkv"),
      QStringLiteral("webm"), QStringLiteral("avi"), QStringLiteral("ts"),   QStringLiteral("mts"),
      QStringLiteral("m2ts"), QStringLiteral("mpg"), QStringLiteral("mpeg"), QStringLiteral("flv"),
      QStringLiteral("wmv"), QStringLiteral("3gp"),  QStringLiteral("ogv"),  QStringLiteral("mxf"),
      QStringLiteral("y4m"), QStringLiteral("dv"),   QStringLiteral("vob"),  QStringLiteral("asf")};
  const qsizetype dot = fileName.lastIndexOf(u'.');
  return dot > 0 && extensions.contains(fileName.mid(dot + 1).toString().toLower());
}

void WatchFolder::poll() {
  const QFileInfoList entries = QDir(dir_).entryInfoList(QDir::Files | QDir::NoDotAndDotDot, QDir::Name);
  const QSet<QString> claimed = hooks_.claimed ? hooks_.claimed() : QSet<QString>();
  QHash<QString, Seen> next;
  for (const QFileInfo &fi : entries) {
    // Hidden files are partial copies by convention (rsync, browsers); symlinks could
    // point anywhere.
    if (fi.fileName().startsWith(QLatin1Char('.')) || fi.isSymLink() || !looksLikeMedia(fi.fileName())) continue;
    const QString path = fi.absoluteFilePath();
    if (inFlight_.contains(path) || claimed.contains(path)) continue;
    Seen seen = seen_.value(path);
    if (seen.size == fi.size() && seen.modified == fi.lastModified()) ++seen.stablePolls;
    else seen = Seen{fi.size(), fi.lastModified(), 0};
    if (seen.stablePolls < kStablePolls) {
      next.insert(path, seen);
      continue;
    }
    inFlight_.insert(path);
    qCInfo(lcIngest).noquote() << "watch folder: ingesting" << path;
    QPointer<WatchFolder> self(this);
    hooks_.ingest(path, [self, path] {
      QMetaObject::invokeMethod(self, [self, path] {
        if (self) self->inFlight_.remove(path);
      }, Qt::QueuedConnection);
    });
  }
  seen_ = std::move(next);
}

Status WatchFolder::settle(const QString &path, bool accepted, const QString &reason) {
  const QFileInfo fi(path);
  if (!fi.exists()) return Status::ok();  // someone took it away already
  const QString dir = fi.absolutePath() + (accepted ? QStringLiteral("/.done") : QStringLiteral("/.failed"));
  if (!QDir().mkpath(dir)) return Status(ErrorCode::IoError, QStringLiteral("cannot create %1").arg(dir));
  QString target = dir + QLatin1Char('/') + fi.fileName();
  for (int n = 2; QFileInfo::exists(target) || QFileInfo::exists(target + QStringLiteral(".reason.txt")); ++n)
    target = dir + QLatin1Char('/') + fi.completeBaseName() + QStringLiteral("-%1.").arg(n) + fi.suffix();
  if (!accepted) {
    QSaveFile f(target + QStringLiteral(".reason.txt"));
    if (!f.open(QIODevice::WriteOnly) || f.write(QString(reason + QLatin1Char('\n')).toUtf8()) < 0 || !f.commit())
      return Status(ErrorCode::IoError, QStringLiteral("cannot write %1: %2").arg(f.fileName(), f.errorString()));
  }
  if (!QFile::rename(path, target))
    return Status(ErrorCode::IoError, QStringLiteral("cannot move %1 to %2").arg(path, target));
  qCInfo(lcIngest).noquote() << "watch folder:" << fi.fileName() << (accepted ? "done" : "failed:") << reason;
  return Status::ok();
}

}  // namespace rs::ingest
