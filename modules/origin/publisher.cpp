#include "origin/publisher.h"

#include <QDir>
#include <QDirIterator>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QSaveFile>

#include <cstring>

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

namespace rs::origin {

namespace {

bool isIdChar(QChar c) {
  return (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || (c >= u'0' && c <= u'9') || c == u'_' || c == u'-';
}

// A rename is only durable once the directory holding the new name is synced.
void syncDir(const QString &dir) {
  const int fd = ::open(QFile::encodeName(dir).constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

QString randomSuffix() { return QString::number(QRandomGenerator::global()->generate64(), 36); }

}  // namespace

Publisher::Publisher(QString mediaRoot) : mediaRoot_(std::move(mediaRoot)) {}

bool Publisher::isValidId(QStringView id) {
  if (id.isEmpty() || id.size() > 64) return false;
  for (QChar c : id)
    if (!isIdChar(c)) return false;
  return true;
}

bool Publisher::isValidRelPath(QStringView rel) {
  const auto parts = rel.split(u'/');
  if (parts.isEmpty() || parts.size() > 8) return false;
  for (QStringView p : parts) {
    if (p.isEmpty() || p.size() > 128 || p.startsWith(u'.')) return false;
    for (QChar c : p)
      if (!isIdChar(c) && c != u'.') return false;
  }
  return true;
}

QString Publisher::stagingDir(const QString &titleId, const QString &publishId) const {
  return mediaRoot_ + QStringLiteral("/.staging/") + titleId + u'-' + publishId;
}

Status Publisher::recover() {
  QDir staging(mediaRoot_ + QStringLiteral("/.staging"));
  if (!staging.exists()) return QDir().mkpath(staging.path()) ? Status::ok()
                                                               : Status(ErrorCode::IoError, QStringLiteral("cannot create %1").arg(staging.path()));
  for (const QString &name : staging.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
    if (!QDir(staging.filePath(name)).removeRecursively())
      return Status(ErrorCode::IoError, QStringLiteral("cannot remove stale staging %1").arg(staging.filePath(name)));
  }
  return Status::ok();
}

Status Publisher::putFile(const QString &titleId, const QString &publishId, const QString &relPath, const QByteArray &data) {
  if (!isValidId(titleId) || !isValidId(publishId))
    return Status(ErrorCode::BadRequest, QStringLiteral("title and publish ids are 1-64 of [A-Za-z0-9_-]"));
  if (!isValidRelPath(relPath)) return Status(ErrorCode::BadRequest, QStringLiteral("invalid file path '%1'").arg(relPath));
  const QString path = stagingDir(titleId, publishId) + u'/' + relPath;
  if (!QDir().mkpath(QFileInfo(path).path()))
    return Status(ErrorCode::IoError, QStringLiteral("cannot create %1").arg(QFileInfo(path).path()));
  // QSaveFile writes a temporary file, fsyncs it and renames it: a file is either
  // absent or whole, even if the origin dies mid-write.
  QSaveFile f(path);
  if (!f.open(QIODevice::WriteOnly) || f.write(data) != data.size() || !f.commit())
    return Status(ErrorCode::IoError, QStringLiteral("cannot write %1: %2").arg(path, f.errorString()));
  return Status::ok();
}

Status Publisher::commit(const QString &titleId, const QString &publishId, const QJsonObject &files) {
  if (!isValidId(titleId) || !isValidId(publishId))
    return Status(ErrorCode::BadRequest, QStringLiteral("title and publish ids are 1-64 of [A-Za-z0-9_-]"));
  if (files.isEmpty()) return Status(ErrorCode::BadRequest, QStringLiteral("commit lists no files"));
  const QString staged = stagingDir(titleId, publishId);
  if (!QFileInfo(staged).isDir()) return Status(ErrorCode::NotFound, QStringLiteral("nothing staged for %1/%2").arg(titleId, publishId));

  qint64 stagedCount = 0;
  QDirIterator it(staged, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
  while (it.hasNext()) {
    it.next();
    ++stagedCount;
  }
  for (auto f = files.begin(); f != files.end(); ++f) {
    if (!isValidRelPath(f.key())) return Status(ErrorCode::BadRequest, QStringLiteral("invalid file path '%1'").arg(f.key()));
    const QFileInfo info(staged + u'/' + f.key());
    const qint64 want = qint64(f.value().toDouble(-1));
    if (!info.isFile()) return Status(ErrorCode::Conflict, QStringLiteral("file '%1' was never uploaded").arg(f.key()));
    if (info.size() != want)
      return Status(ErrorCode::Conflict, QStringLiteral("file '%1' has %2 bytes, expected %3").arg(f.key()).arg(info.size()).arg(want));
  }
  if (stagedCount != files.size())
    return Status(ErrorCode::Conflict, QStringLiteral("%1 files staged but the commit lists %2").arg(stagedCount).arg(files.size()));

  const QString target = mediaRoot_ + u'/' + titleId;
  const QByteArray from = QFile::encodeName(staged), to = QFile::encodeName(target);
  if (QFileInfo::exists(target)) {
    // Swap in one step so readers never see the title missing; the old tree ends up
    // in staging and is removed afterwards.
    if (::renameat2(AT_FDCWD, from.constData(), AT_FDCWD, to.constData(), RENAME_EXCHANGE) != 0)
      return Status(ErrorCode::IoError, QStringLiteral("cannot swap %1 into place: %2").arg(target, QString::fromLocal8Bit(strerror(errno))));
    syncDir(mediaRoot_);
    QDir(staged).removeRecursively();
  } else {
    if (::rename(from.constData(), to.constData()) != 0)
      return Status(ErrorCode::IoError, QStringLiteral("cannot move %1 into place: %2").arg(target, QString::fromLocal8Bit(strerror(errno))));
    syncDir(mediaRoot_);
  }
  return Status::ok();
}

Status Publisher::abort(const QString &titleId, const QString &publishId) {
  if (!isValidId(titleId) || !isValidId(publishId))
    return Status(ErrorCode::BadRequest, QStringLiteral("title and publish ids are 1-64 of [A-Za-z0-9_-]"));
  QDir(stagingDir(titleId, publishId)).removeRecursively();
  return Status::ok();
}

Status Publisher::unpublish(const QString &titleId) {
  if (!isValidId(titleId)) return Status(ErrorCode::BadRequest, QStringLiteral("invalid title id"));
  const QString target = mediaRoot_ + u'/' + titleId;
  if (!QFileInfo(target).isDir()) return Status(ErrorCode::NotFound, QStringLiteral("title %1 is not published").arg(titleId));
  // Rename first so the title disappears at once, however long the delete takes.
  const QString aside = mediaRoot_ + QStringLiteral("/.staging/") + titleId + QStringLiteral("-deleted-") + randomSuffix();
  if (!QDir().rename(target, aside)) return Status(ErrorCode::IoError, QStringLiteral("cannot remove %1").arg(target));
  syncDir(mediaRoot_);
  QDir(aside).removeRecursively();
  return Status::ok();
}

}  // namespace rs::origin
