#include "ingest/uploadstore.h"

#include "ingest/ingestlog.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QMutexLocker>
#include <QRandomGenerator>
#include <QSaveFile>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace rs::ingest {

namespace {
// Finished uploads keep their record (GET /api/v1/uploads/{id} answers with the
// outcome) for a week, then go at the next start.
constexpr qint64 kKeepFinishedMs = 7LL * 24 * 3600 * 1000;

QString now() { return QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs); }

QString errnoText() { return QString::fromLocal8Bit(std::strerror(errno)); }
}  // namespace

QJsonObject UploadState::toJson() const {
  return QJsonObject{{QStringLiteral("id"), id},
                     {QStringLiteral("length"), length},
                     {QStringLiteral("offset"), offset},
                     {QStringLiteral("titleId"), titleId},
                     {QStringLiteral("name"), name},
                     {QStringLiteral("fileName"), fileName},
                     {QStringLiteral("metadata"), metadata},
                     {QStringLiteral("state"), state},
                     {QStringLiteral("reason"), reason},
                     {QStringLiteral("duplicateOf"), duplicateOf},
                     {QStringLiteral("watchFile"), watchFile},
                     {QStringLiteral("createdAt"), createdAt},
                     {QStringLiteral("updatedAt"), updatedAt}};
}

UploadState UploadState::fromJson(const QJsonObject &o) {
  UploadState s;
  s.id = o.value(QStringLiteral("id")).toString();
  s.length = o.value(QStringLiteral("length")).toInteger(-1);
  s.offset = o.value(QStringLiteral("offset")).toInteger(-1);
  s.titleId = o.value(QStringLiteral("titleId")).toString();
  s.name = o.value(QStringLiteral("name")).toString();
  s.fileName = o.value(QStringLiteral("fileName")).toString();
  s.metadata = o.value(QStringLiteral("metadata")).toString();
  s.state = o.value(QStringLiteral("state")).toString();
  s.reason = o.value(QStringLiteral("reason")).toString();
  s.duplicateOf = o.value(QStringLiteral("duplicateOf")).toString();
  s.watchFile = o.value(QStringLiteral("watchFile")).toString();
  s.createdAt = o.value(QStringLiteral("createdAt")).toString();
  s.updatedAt = o.value(QStringLiteral("updatedAt")).toString();
  return s;
}

UploadStore::UploadStore(QString directory) : dir_(std::move(directory)) {}

QString UploadStore::newId() {
  quint32 words[4];
  QRandomGenerator::system()->fillRange(words);
  return QString::fromLatin1(QByteArray(reinterpret_cast<const char *>(words), sizeof words).toHex());
}

bool UploadStore::isValidId(QStringView id) {
  if (id.size() != 32) return false;
  for (QChar c : id)
    if (!((c >= u'0' && c <= u'9') || (c >= u'a' && c <= u'f'))) return false;
  return true;
}

QString UploadStore::dataPath(const QString &id) const { return dir_ + QLatin1Char('/') + id + QStringLiteral(".bin"); }
QString UploadStore::statePath(const QString &id) const { return dir_ + QLatin1Char('/') + id + QStringLiteral(".json"); }

Status UploadStore::open() {
  if (!QDir().mkpath(dir_)) return Status(ErrorCode::IoError, QStringLiteral("cannot create %1").arg(dir_));
  const QStringList files = QDir(dir_).entryList({QStringLiteral("*.json")}, QDir::Files);
  const qint64 nowMs = QDateTime::currentMSecsSinceEpoch();
  QMutexLocker lock(&mutex_);
  for (const QString &file : files) {
    const QString id = file.chopped(5);
    if (!isValidId(id)) continue;  // a temp file or a stranger: not ours
    QFile f(statePath(id));
    const QJsonDocument doc = f.open(QIODevice::ReadOnly) ? QJsonDocument::fromJson(f.readAll()) : QJsonDocument();
    auto upload = std::make_shared<Upload>();
    upload->state = UploadState::fromJson(doc.object());
    UploadState &s = upload->state;
    if (s.id != id || s.length < 0 || s.offset < 0 || s.offset > s.length) {
      qCWarning(lcIngest).noquote() << "ignoring unreadable upload record" << f.fileName();
      continue;
    }
    const QDateTime updated = QDateTime::fromString(s.updatedAt, Qt::ISODateWithMs);
    if (s.terminal() && updated.isValid() && nowMs - updated.toMSecsSinceEpoch() > kKeepFinishedMs) {
      QFile::remove(statePath(id));
      QFile::remove(dataPath(id));
      continue;
    }
    if (!s.terminal()) {
      QFile data(dataPath(id));
      if (data.exists() && data.size() > s.offset) data.resize(s.offset);
      // The record is written only after the bytes are synced, so a short file means
      // the disk lost data; resume from what is really there.
      if (data.exists() && data.size() < s.offset) s.offset = data.size();
    }
    uploads_.insert(id, std::move(upload));
  }
  return Status::ok();
}

std::shared_ptr<Upload> UploadStore::find(const QString &id) const {
  if (!isValidId(id)) return nullptr;
  QMutexLocker lock(&mutex_);
  return uploads_.value(id);
}

QList<std::shared_ptr<Upload>> UploadStore::all() const {
  QMutexLocker lock(&mutex_);
  return uploads_.values();
}

Result<std::shared_ptr<Upload>> UploadStore::create(UploadState state) {
  state.createdAt = state.updatedAt = now();
  QFile data(dataPath(state.id));
  if (!data.open(QIODevice::WriteOnly | QIODevice::NewOnly))
    return Status(ErrorCode::IoError, QStringLiteral("cannot create %1: %2").arg(data.fileName(), data.errorString()));
  data.close();
  RS_RETURN_IF_ERROR(save(state));
  auto upload = std::make_shared<Upload>();
  upload->state = std::move(state);
  QMutexLocker lock(&mutex_);
  uploads_.insert(upload->state.id, upload);
  return upload;
}

Status UploadStore::append(Upload &upload, const QByteArray &bytes) {
  UploadState &s = upload.state;
  if (bytes.isEmpty()) return Status::ok();
  const QByteArray path = QFile::encodeName(dataPath(s.id));
  const int fd = ::open(path.constData(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return Status(ErrorCode::IoError, QStringLiteral("cannot open upload data: %1").arg(errnoText()));
  qsizetype done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::pwrite(fd, bytes.constData() + done, size_t(bytes.size() - done), s.offset + done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const QString why = errnoText();
      ::close(fd);
      return Status(ErrorCode::IoError, QStringLiteral("cannot write upload data: %1").arg(why));
    }
    done += n;
  }
  // The offset we acknowledge must survive a power cut: bytes first, then the record.
  if (::fdatasync(fd) != 0) {
    const QString why = errnoText();
    ::close(fd);
    return Status(ErrorCode::IoError, QStringLiteral("cannot sync upload data: %1").arg(why));
  }
  ::close(fd);
  UploadState next = s;
  next.offset += bytes.size();
  RS_RETURN_IF_ERROR(save(next));
  s.offset = next.offset;
  s.updatedAt = next.updatedAt;
  return Status::ok();
}

Status UploadStore::importFile(Upload &upload, const QString &path) {
  QFile in(path);
  if (!in.open(QIODevice::ReadOnly)) return Status(ErrorCode::IoError, QStringLiteral("cannot read %1: %2").arg(path, in.errorString()));
  QFile out(dataPath(upload.state.id));
  if (!out.open(QIODevice::WriteOnly | QIODevice::Truncate))
    return Status(ErrorCode::IoError, QStringLiteral("cannot write %1: %2").arg(out.fileName(), out.errorString()));
  QByteArray block(1 << 20, Qt::Uninitialized);
  qint64 copied = 0;
  for (;;) {
    const qint64 n = in.read(block.data(), block.size());
    if (n < 0) return Status(ErrorCode::IoError, QStringLiteral("cannot read %1: %2").arg(path, in.errorString()));
    if (n == 0) break;
    if (out.write(block.constData(), n) != n)
      return Status(ErrorCode::IoError, QStringLiteral("cannot write %1: %2").arg(out.fileName(), out.errorString()));
    copied += n;
  }
  if (!out.flush() || ::fdatasync(out.handle()) != 0)
    return Status(ErrorCode::IoError, QStringLiteral("cannot sync %1: %2").arg(out.fileName(), errnoText()));
  out.close();
  UploadState next = upload.state;
  next.length = next.offset = copied;  // what was there when the copy ran is what we ingest
  next.state = upload_state::kProbing;
  RS_RETURN_IF_ERROR(save(next));
  upload.state = next;
  return Status::ok();
}

Status UploadStore::save(UploadState &state) {
  UploadState copy = state;
  copy.updatedAt = now();
  // QSaveFile writes a temporary file, syncs it and renames it over the old one.
  QSaveFile f(statePath(state.id));
  if (!f.open(QIODevice::WriteOnly) || f.write(QJsonDocument(copy.toJson()).toJson(QJsonDocument::Compact)) < 0 ||
      !f.commit())
    return Status(ErrorCode::IoError, QStringLiteral("cannot write %1: %2").arg(f.fileName(), f.errorString()));
  state.updatedAt = copy.updatedAt;
  return Status::ok();
}

void UploadStore::remove(Upload &upload) {
  upload.removed = true;
  const QString id = upload.state.id;
  QFile::remove(statePath(id));
  QFile::remove(dataPath(id));
  QMutexLocker lock(&mutex_);
  uploads_.remove(id);
}

void UploadStore::removeData(const QString &id) { QFile::remove(dataPath(id)); }

}  // namespace rs::ingest
