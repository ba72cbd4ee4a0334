#include "encode/devkeysource.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QMutexLocker>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace rs::encode {

namespace {

constexpr int kSecretBytes = 32;

Status fileError(const QString &what, const QString &path) {
  return Status(ErrorCode::IoError, QStringLiteral("%1 %2: %3").arg(what, path, QString::fromLocal8Bit(std::strerror(errno))));
}

// Creates the secret with O_EXCL and mode 0600, so it is never readable by others,
// not even for a moment, and two encoders starting together cannot both write one.
Status createSecret(const QString &path) {
  const QString dir = QFileInfo(path).absolutePath();
  if (!QDir().mkpath(dir)) return Status(ErrorCode::IoError, QStringLiteral("cannot create %1").arg(dir));
  std::uint8_t raw[kSecretBytes];
  RS_RETURN_IF_ERROR(package::randomBytes(raw, sizeof raw));
  QByteArray text = QByteArray(reinterpret_cast<const char *>(raw), sizeof raw).toHex() + '\n';
  package::wipe(raw, sizeof raw);
  const QByteArray native = QFile::encodeName(path);
  const int fd = ::open(native.constData(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return errno == EEXIST ? Status::ok() : fileError(QStringLiteral("cannot create"), path);
  const bool wrote = ::write(fd, text.constData(), std::size_t(text.size())) == text.size();
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  package::wipe(text);
  if (!wrote || !synced) {
    ::unlink(native.constData());
    return fileError(QStringLiteral("cannot write"), path);
  }
  return Status::ok();
}

}  // namespace

DevKeySource::DevKeySource(QString secretFile, QString licenseUrl, QString hlsKeyUrl)
    : file_(std::move(secretFile)), licenseUrl_(std::move(licenseUrl)), hlsKeyUrl_(std::move(hlsKeyUrl)) {}

DevKeySource::~DevKeySource() { package::wipe(secret_); }

QString DevKeySource::describe() const {
  return QStringLiteral("development key source (keys derived from %1; NOT a license server)").arg(file_);
}

package::Bytes16 DevKeySource::derive(QByteArrayView secret, QStringView purpose, QStringView titleId, QStringView track) {
  const QByteArray label = QByteArrayLiteral("reelstack-dev-v1|") + purpose.toUtf8() + '|' + titleId.toUtf8() + '|' + track.toUtf8();
  return package::derive16(secret, label);
}

Result<QByteArray> DevKeySource::secret() {
  QMutexLocker lock(&mutex_);
  if (!secret_.isEmpty()) return secret_;
  if (!QFileInfo::exists(file_)) RS_RETURN_IF_ERROR(createSecret(file_));
  struct stat st {};
  const QByteArray native = QFile::encodeName(file_);
  if (::stat(native.constData(), &st) != 0) return fileError(QStringLiteral("cannot read"), file_);
  if (st.st_mode & (S_IRWXG | S_IRWXO))
    return Status(ErrorCode::Forbidden, QStringLiteral("the key secret %1 is open to group or others (mode %2): chmod 600 it")
                                            .arg(file_).arg(st.st_mode & 0777, 3, 8, QLatin1Char('0')));
  QFile f(file_);
  if (!f.open(QIODevice::ReadOnly)) return Status(ErrorCode::IoError, QStringLiteral("cannot read %1: %2").arg(file_, f.errorString()));
  QByteArray text = f.readAll().trimmed();
  QByteArray raw = QByteArray::fromHex(text);
  const bool valid = text.size() == raw.size() * 2 && raw.size() >= 16;
  package::wipe(text);
  if (!valid) {
    package::wipe(raw);
    return Status(ErrorCode::BadRequest, QStringLiteral("the key secret %1 must be at least 32 hex digits on one line").arg(file_));
  }
  secret_ = raw;
  package::wipe(raw);
  return secret_;
}

Result<package::TitleProtection> DevKeySource::keysFor(const QString &titleId, package::Scheme scheme, const QStringList &tracks) {
  auto s = secret();
  if (!s) return s.status();
  package::TitleProtection p;
  p.scheme = scheme;
  for (const QString &track : tracks) {
    package::TrackKey t;
    t.track = track;
    t.kid = derive(*s, u"kid", titleId, track);
    t.key = package::ContentKey(derive(*s, u"key", titleId, track));
    t.aes128Kid = derive(*s, u"aes128-kid", titleId, track);
    t.aes128Key = package::ContentKey(derive(*s, u"aes128-key", titleId, track));
    p.tracks.push_back(std::move(t));
  }
  // Fresh for every packaging: the same keys over a re-encode must not meet the same IVs.
  RS_RETURN_IF_ERROR(package::randomBytes(p.ivSeed.data(), p.ivSeed.size()));
  p.licenseUrl = QString(licenseUrl_).replace(QStringLiteral("{title}"), titleId);
  p.hlsKeyUrl = QString(hlsKeyUrl_).replace(QStringLiteral("{title}"), titleId);
  RS_RETURN_IF_ERROR(package::validate(p));
  return p;
}

}  // namespace rs::encode
