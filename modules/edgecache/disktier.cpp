#include "edgecache/disktier.h"

#include "edgecache/objectfile.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QRandomGenerator>
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace rs::edgecache {
namespace {

QString hashOf(const QString &key) {
  return QString::fromLatin1(QCryptographicHash::hash(key.toUtf8(), QCryptographicHash::Sha256).toHex());
}

QString errnoText(int error) { return QString::fromLocal8Bit(std::strerror(error)); }

// 0, or the errno of the failed write.
int writeAll(int fd, const char *data, qint64 size) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size_t(std::min<qint64>(size, 1 << 30)));
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    if (n == 0) return EIO;
    data += n;
    size -= n;
  }
  return 0;
}

// Makes a rename or unlink in `dir` durable; a failure only costs durability across
// a power loss (open() re-indexes whatever survived), so it is not an error.
void syncDirectory(const QByteArray &dir) {
  const int fd = ::open(dir.constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

bool sameFile(const struct stat &a, const struct stat &b) { return a.st_dev == b.st_dev && a.st_ino == b.st_ino; }

}  // namespace

DiskTier::DiskTier(QString dir, qint64 maxBytes, std::unique_ptr<EvictionPolicy> policy)
    : dir_(QDir::cleanPath(dir)),
      maxBytes_(std::max<qint64>(0, maxBytes)),
      policy_(policy ? std::move(policy) : makePolicy(QStringLiteral("lru"))) {
  policy_->setCapacity(maxBytes_);
}

DiskTier::~DiskTier() = default;

QString DiskTier::pathFor(const QString &key) const {
  const QString hash = hashOf(key);
  return dir_ + u"/objects/" + hash.left(2) + u'/' + hash;
}

Status DiskTier::open(int *dropped) {
  int droppedFiles = 0;
  std::lock_guard lock(mutex_);
  for (auto it = index_.cbegin(); it != index_.cend(); ++it) policy_->remove(it.key());
  index_.clear();
  bytes_ = 0;

  const QString objectsDir = dir_ + u"/objects", tmpDir = dir_ + u"/tmp";
  if (!QDir().mkpath(objectsDir) || !QDir().mkpath(tmpDir))
    return Status(ErrorCode::IoError, QStringLiteral("cannot create %1").arg(dir_));

  // Whatever is in tmp/ was being written when the process died.
  if (reserved_ == 0) {
    const QFileInfoList leftovers =
        QDir(tmpDir).entryInfoList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden | QDir::System);
    for (const QFileInfo &f : leftovers) {
      if (f.isDir() && !f.isSymLink())
        QDir(f.filePath()).removeRecursively();
      else
        QFile::remove(f.filePath());
    }
  }

  struct Found {
    QString key;
    qint64 fileBytes;
    qint64 storedMs;
  };
  std::vector<Found> found;
  auto drop = [&](const QString &path) {
    QFile::remove(path);
    ++droppedFiles;
  };
  const QDir objects(objectsDir);
  for (const QFileInfo &f : objects.entryInfoList(QDir::Files | QDir::Hidden | QDir::System)) drop(f.filePath());
  for (const QString &sub : objects.entryList(QDir::Dirs | QDir::NoDotAndDotDot | QDir::Hidden)) {
    const QDir subDir(objects.filePath(sub));
    for (const QFileInfo &f : subDir.entryInfoList(QDir::Files | QDir::Hidden | QDir::System)) {
      const int fd = ::open(QFile::encodeName(f.filePath()).constData(), O_RDONLY | O_CLOEXEC);
      if (fd < 0) continue;  // unreadable: not ours to judge or delete
      const std::optional<objectfile::Head> head = objectfile::readHead(fd);
      struct stat st {};
      const bool statOk = ::fstat(fd, &st) == 0;
      ::close(fd);
      // The name must be the key's hash, or lookups would never find it and a second
      // copy could be written under the right name.
      if (!head || !statOk || qint64(st.st_size) != head->fileBytes() || f.fileName() != hashOf(head->meta.key) ||
          sub != f.fileName().left(2)) {
        drop(f.filePath());
        continue;
      }
      found.push_back({head->meta.key, head->fileBytes(), head->meta.storedMs});
    }
  }

  // Oldest first, so the order the policy rebuilds approximates the one it had.
  std::sort(found.begin(), found.end(), [](const Found &a, const Found &b) {
    return a.storedMs != b.storedMs ? a.storedMs < b.storedMs : a.key < b.key;
  });
  for (const Found &f : found) {
    index_.insert(f.key, Entry{f.fileBytes, false});
    policy_->insert(f.key, f.fileBytes);
    bytes_ += f.fileBytes;
  }
  while (bytes_ + reserved_ > maxBytes_) {
    const QString victim = policy_->evict();
    if (victim.isNull()) break;
    evictLocked(victim);
  }
  if (dropped) *dropped = droppedFiles;
  return Status::ok();
}

void DiskTier::evictLocked(const QString &key) {
  auto it = index_.find(key);
  if (it == index_.end()) return;
  ::unlink(QFile::encodeName(pathFor(key)).constData());
  bytes_ -= it->fileBytes;
  index_.erase(it);
  ++evictions_;
}

void DiskTier::discardLocked(const QString &key, bool unlinkFile) {
  auto it = index_.find(key);
  if (it == index_.end()) return;
  if (unlinkFile) ::unlink(QFile::encodeName(pathFor(key)).constData());
  bytes_ -= it->fileBytes;
  index_.erase(it);
  policy_->remove(key);
}

std::optional<DiskTier::Hit> DiskTier::lookup(const QString &key) {
  std::unique_lock lock(mutex_);
  auto it = index_.find(key);
  if (it == index_.end()) return std::nullopt;
  const QByteArray path = QFile::encodeName(pathFor(key));
  // Opened under the lock, so the descriptor is the file the index describes.
  const int fd = ::open(path.constData(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    discardLocked(key, false);  // deleted behind our back
    return std::nullopt;
  }
  auto file = std::make_shared<http::FileHandle>(fd);
  const std::optional<objectfile::Head> head = objectfile::readHead(fd);
  struct stat opened {};
  if (!head || ::fstat(fd, &opened) != 0 || head->meta.key != key || qint64(opened.st_size) != head->fileBytes()) {
    discardLocked(key, true);
    return std::nullopt;
  }
  policy_->touch(key);
  const bool verified = it->verified;
  lock.unlock();

  if (!verified) {
    // Reading a whole body must not stall every other lookup, so the CRC is computed
    // unlocked; the file may meanwhile be evicted or replaced, hence the inode checks.
    const Result<quint32> crc = objectfile::crc32(fd, head->bodyOffset, head->meta.size);
    lock.lock();
    struct stat current {};
    const bool stillIndexed =
        index_.contains(key) && ::stat(path.constData(), &current) == 0 && sameFile(current, opened);
    if (!crc.isOk() || crc.value() != head->crc32) {
      if (stillIndexed) discardLocked(key, true);
      return std::nullopt;
    }
    if (stillIndexed) index_[key].verified = true;
    lock.unlock();
  }
  return Hit{head->meta, http::FileBody{std::move(file), head->bodyOffset, head->meta.size}};
}

bool DiskTier::contains(const QString &key) const {
  std::lock_guard lock(mutex_);
  return index_.contains(key);
}

Status DiskTier::insert(const ObjectMeta &meta, const QByteArray &body) {
  ObjectMeta stored = meta;
  stored.size = body.size();
  const QByteArray head = objectfile::encodeHead(stored, objectfile::crc32(body));
  const qint64 fileBytes = head.size() + body.size();
  if (fileBytes > maxBytes_)
    return Status(ErrorCode::PayloadTooLarge,
                  QStringLiteral("object of %1 bytes exceeds the disk tier (%2 bytes)").arg(fileBytes).arg(maxBytes_));

  {
    // Reserve before writing: the temporary file counts as soon as it exists.
    std::lock_guard lock(mutex_);
    while (bytes_ + reserved_ + fileBytes > maxBytes_) {
      const QString victim = policy_->evict();
      if (victim.isNull())
        return Status(ErrorCode::Unavailable, QStringLiteral("disk tier space is held by writes in progress"));
      evictLocked(victim);
    }
    reserved_ += fileBytes;
  }

  const QString finalPath = pathFor(meta.key);
  const QByteArray finalName = QFile::encodeName(finalPath);
  const QByteArray subDir = QFile::encodeName(finalPath.left(finalPath.lastIndexOf(u'/')));
  const QByteArray tmpName = QFile::encodeName(
      dir_ + u"/tmp/" + QString::number(QRandomGenerator::global()->generate64(), 16) + u".part");

  auto fail = [&](int error, const QString &what) -> Status {
    ::unlink(tmpName.constData());
    std::lock_guard lock(mutex_);
    reserved_ -= fileBytes;
    ++writeErrors_;
    return Status(ErrorCode::IoError, QStringLiteral("disk tier: %1 %2: %3").arg(what, meta.key, errnoText(error)));
  };

  if (::mkdir(subDir.constData(), 0755) != 0 && errno != EEXIST) return fail(errno, QStringLiteral("mkdir for"));
  const int fd = ::open(tmpName.constData(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return fail(errno, QStringLiteral("create for"));
  int error = writeAll(fd, head.constData(), head.size());
  if (!error) error = writeAll(fd, body.constData(), body.size());
  if (!error && ::fsync(fd) != 0) error = errno;
  if (::close(fd) != 0 && !error) error = errno;
  if (error) return fail(error, QStringLiteral("write of"));

  {
    std::lock_guard lock(mutex_);
    // Renamed under the lock so that the index and objects/ never disagree.
    if (::rename(tmpName.constData(), finalName.constData()) != 0) {
      const int renameError = errno;
      ::unlink(tmpName.constData());
      reserved_ -= fileBytes;
      ++writeErrors_;
      return Status(ErrorCode::IoError,
                    QStringLiteral("disk tier: rename of %1: %2").arg(meta.key, errnoText(renameError)));
    }
    reserved_ -= fileBytes;
    if (auto it = index_.find(meta.key); it != index_.end()) {  // the rename replaced it
      bytes_ -= it->fileBytes;
      policy_->remove(meta.key);
    }
    index_.insert(meta.key, Entry{fileBytes, true});
    policy_->insert(meta.key, fileBytes);
    bytes_ += fileBytes;
  }
  syncDirectory(subDir);
  return Status::ok();
}

bool DiskTier::remove(const QString &key) {
  std::lock_guard lock(mutex_);
  if (!index_.contains(key)) return false;
  discardLocked(key, true);
  return true;
}

int DiskTier::removePrefix(const QString &prefix) {
  std::lock_guard lock(mutex_);
  QStringList matching;
  for (auto it = index_.cbegin(); it != index_.cend(); ++it)
    if (it.key().startsWith(prefix)) matching << it.key();
  for (const QString &key : std::as_const(matching)) discardLocked(key, true);
  return int(matching.size());
}

qint64 DiskTier::bytes() const {
  std::lock_guard lock(mutex_);
  return bytes_;
}

qsizetype DiskTier::objects() const {
  std::lock_guard lock(mutex_);
  return index_.size();
}

quint64 DiskTier::evictions() const {
  std::lock_guard lock(mutex_);
  return evictions_;
}

quint64 DiskTier::writeErrors() const {
  std::lock_guard lock(mutex_);
  return writeErrors_;
}

QStringList DiskTier::keys() const {
  std::lock_guard lock(mutex_);
  return index_.keys();
}

}  // namespace rs::edgecache
