#include "core/auth/secretfile.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>

namespace rs::auth {

Status writeSecretFile(const QString &path, const QByteArray &content) {
  const QString dir = QFileInfo(path).absolutePath();
  const bool fresh = !QFileInfo::exists(dir);
  if (!QDir().mkpath(dir)) return Status(ErrorCode::IoError, QStringLiteral("cannot create the directory of %1").arg(path));
  // A directory made for secrets is the owner's alone; an existing one is left as it is.
  if (fresh) QFile::setPermissions(dir, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
  QSaveFile f(path);
  if (!f.open(QIODevice::WriteOnly) || !f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner) ||
      f.write(content) < 0 || !f.commit())
    return Status(ErrorCode::IoError, QStringLiteral("cannot write %1: %2").arg(path, f.errorString()));
  return Status::ok();
}

Result<QByteArray> readSecretFile(const QString &path, qint64 maxBytes) {
  QFile f(path);
  if (!f.open(QIODevice::ReadOnly))
    return Status(f.exists() ? ErrorCode::IoError : ErrorCode::NotFound, QStringLiteral("cannot read %1: %2").arg(path, f.errorString()));
  if (f.size() > maxBytes) return Status(ErrorCode::BadRequest, QStringLiteral("%1 is larger than %2 bytes").arg(path).arg(maxBytes));
  return f.readAll().trimmed();
}

}  // namespace rs::auth
