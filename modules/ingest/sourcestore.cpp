#include "ingest/sourcestore.h"

#include "core/http/fileserver.h"

#include <QDir>
#include <QFile>

namespace rs::ingest {

SourceStore::SourceStore(QString directory) : dir_(std::move(directory)) {}
SourceStore::~SourceStore() = default;

Status SourceStore::open() {
  if (!QDir().mkpath(dir_)) return Status(ErrorCode::IoError, QStringLiteral("cannot create %1").arg(dir_));
  root_ = std::make_unique<http::FileRoot>(dir_);
  if (!root_->isValid()) return Status(ErrorCode::IoError, QStringLiteral("cannot open %1").arg(dir_));
  root_->decorate = [](const QString &, http::Headers &h) {
    // A title's source never changes, but it may be deleted with the title.
    h.add(QByteArrayLiteral("Cache-Control"), QByteArrayLiteral("no-cache"));
  };
  return Status::ok();
}

bool SourceStore::isValidTitleId(QStringView id) {
  if (id.isEmpty() || id.size() > 64 || id.startsWith(u'.')) return false;
  for (QChar c : id)
    if (!(c.isLetterOrNumber() && c.unicode() < 128) && c != u'_' && c != u'-') return false;
  return true;
}

QString SourceStore::find(const QString &titleId) const {
  if (!isValidTitleId(titleId)) return {};
  const QDir dir(dir_ + QLatin1Char('/') + titleId);
  const QStringList files = dir.entryList({QStringLiteral("source.*")}, QDir::Files);
  return files.isEmpty() ? QString() : dir.filePath(files.first());
}

Result<QString> SourceStore::adopt(const QString &titleId, const QString &from, const QString &ext) {
  if (!isValidTitleId(titleId)) return Status(ErrorCode::BadRequest, QStringLiteral("bad title id %1").arg(titleId));
  const QString dir = dir_ + QLatin1Char('/') + titleId;
  if (!QDir().mkpath(dir)) return Status(ErrorCode::IoError, QStringLiteral("cannot create %1").arg(dir));
  const QString target = dir + QStringLiteral("/source.") + ext;
  if (QFileInfo(from).absoluteFilePath() == QFileInfo(target).absoluteFilePath()) return target;
  for (const QString &old : QDir(dir).entryList({QStringLiteral("source.*")}, QDir::Files)) QFile::remove(dir + QLatin1Char('/') + old);
  // Same file system (both under the data directory): a rename, no copy.
  if (!QFile::rename(from, target)) {
    QFile f(from);
    if (!f.copy(target)) return Status(ErrorCode::IoError, QStringLiteral("cannot move %1 to %2: %3").arg(from, target, f.errorString()));
    QFile::remove(from);
  }
  return target;
}

void SourceStore::remove(const QString &titleId) {
  if (isValidTitleId(titleId)) QDir(dir_ + QLatin1Char('/') + titleId).removeRecursively();
}

QStringList SourceStore::titleIds() const {
  QStringList out;
  for (const QString &name : QDir(dir_).entryList(QDir::Dirs | QDir::NoDotAndDotDot))
    if (isValidTitleId(name)) out << name;
  return out;
}

void SourceStore::mount(http::Router &router, const QString &pattern) {
  // Encoders read sources; nobody else needs the originals.
  router.get(pattern, http::Access::Service, [this](http::Request &req) {
    const QString titleId = req.param(QStringLiteral("titleId"));
    const QString path = find(titleId);
    if (path.isEmpty())
      return http::Response::error(ErrorCode::NotFound, QStringLiteral("no accepted source for title %1").arg(titleId));
    return root_->serve(req, titleId + QLatin1Char('/') + QFileInfo(path).fileName());
  });
}

}  // namespace rs::ingest
