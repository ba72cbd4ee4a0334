#include "core/auth/clusterkeys.h"

#include "core/auth/secretfile.h"
#include "core/log/log.h"

#include <QFile>
#include <QFileInfo>

#include <sys/stat.h>

namespace rs::auth {

namespace {
constexpr int kSecretBytes = 32;

bool isKeyId(QByteArrayView id) {
  if (id.size() != 8) return false;
  for (const char c : id)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

ClusterKey freshKey() {
  return ClusterKey{randomBytes(4).toHex(), randomBytes(kSecretBytes), 0};
}
}  // namespace

void KeyRing::push(ClusterKey key, bool front) {
  Derived d{key, std::make_shared<const HmacKey>(hkdfSha256(key.secret, "reelstack service token v1")),
            std::make_shared<const HmacKey>(hkdfSha256(key.secret, "reelstack playback token v1"))};
  if (front) keys_.insert(keys_.begin(), std::move(d));
  else keys_.push_back(std::move(d));
}

Result<KeyRing> KeyRing::parse(QByteArrayView text, const QString &source) {
  KeyRing ring;
  int lineNo = 0;
  for (const QByteArray &raw : QByteArray(text.data(), text.size()).split('\n')) {
    ++lineNo;
    const QByteArray line = raw.trimmed();
    if (line.isEmpty() || line.startsWith('#')) continue;
    const QList<QByteArray> f = line.simplified().split(' ');
    auto bad = [&](const QString &why) {
      return Status(ErrorCode::BadRequest, QStringLiteral("%1:%2: %3").arg(source).arg(lineNo).arg(why));
    };
    if (f.size() < 2 || f.size() > 3) return bad(QStringLiteral("expected '<key id> <secret> [until=<unix seconds>]'"));
    if (!isKeyId(f[0])) return bad(QStringLiteral("key id must be 8 lowercase hex digits"));
    const auto secret = fromBase64Url(f[1]);
    if (!secret || secret->size() != kSecretBytes) return bad(QStringLiteral("secret must be 32 bytes in base64url"));
    ClusterKey k{f[0], *secret, 0};
    if (f.size() == 3) {
      bool ok = false;
      if (!f[2].startsWith("until=") || (k.untilSec = f[2].mid(6).toLongLong(&ok), !ok) || k.untilSec <= 0)
        return bad(QStringLiteral("third field must be until=<unix seconds>"));
    }
    if (ring.find(k.id, 0)) return bad(QStringLiteral("key id %1 appears twice").arg(QString::fromLatin1(k.id)));
    ring.push(std::move(k), false);
  }
  if (ring.keys_.empty()) return Status(ErrorCode::BadRequest, QStringLiteral("%1 holds no key").arg(source));
  return ring;
}

QByteArray KeyRing::serialize() const {
  QByteArray out =
      "# ReelStack cluster key ring: SECRET, keep it mode 0600 and give it only to this stack's machines.\n"
      "# The first unexpired key signs; every unexpired key verifies (platform cluster-key --help).\n";
  for (const Derived &d : keys_) {
    out += d.key.id + ' ' + base64Url(d.key.secret);
    if (d.key.untilSec) out += " until=" + QByteArray::number(d.key.untilSec);
    out += '\n';
  }
  return out;
}

KeyRing KeyRing::generate() {
  KeyRing r;
  r.push(freshKey(), false);
  return r;
}

const KeyRing::Derived *KeyRing::signing(qint64 nowSec) const {
  for (const Derived &d : keys_)
    if (d.key.validAt(nowSec)) return &d;
  return nullptr;
}

const KeyRing::Derived *KeyRing::find(QByteArrayView id, qint64 nowSec) const {
  for (const Derived &d : keys_)
    if (d.key.id == id) return nowSec == 0 || d.key.validAt(nowSec) ? &d : nullptr;
  return nullptr;
}

QByteArray KeyRing::add() {
  ClusterKey k = freshKey();
  while (find(k.id, 0)) k.id = randomBytes(4).toHex();
  const QByteArray id = k.id;
  push(std::move(k), false);
  return id;
}

Status KeyRing::promote(QByteArrayView id, qint64 graceSec, qint64 nowSec) {
  auto it = std::find_if(keys_.begin(), keys_.end(), [&](const Derived &d) { return d.key.id == id; });
  if (it == keys_.end()) return Status(ErrorCode::NotFound, QStringLiteral("no key %1 in the ring").arg(QString::fromLatin1(id)));
  Derived chosen = std::move(*it);
  keys_.erase(it);
  chosen.key.untilSec = 0;
  for (Derived &d : keys_) {
    const qint64 end = nowSec + graceSec;
    if (d.key.untilSec == 0 || d.key.untilSec > end) d.key.untilSec = end;
  }
  keys_.insert(keys_.begin(), std::move(chosen));
  return Status::ok();
}

Status KeyRing::drop(QByteArrayView id) {
  auto it = std::find_if(keys_.begin(), keys_.end(), [&](const Derived &d) { return d.key.id == id; });
  if (it == keys_.end()) return Status(ErrorCode::NotFound, QStringLiteral("no key %1 in the ring").arg(QString::fromLatin1(id)));
  if (keys_.size() == 1) return Status(ErrorCode::Conflict, QStringLiteral("%1 is the only key; rotate first").arg(QString::fromLatin1(id)));
  keys_.erase(it);
  return Status::ok();
}

QByteArray KeyRing::rotate(qint64 graceSec, qint64 nowSec) {
  const QByteArray id = add();
  promote(id, graceSec, nowSec);
  return id;
}

Result<KeyRing> readKeyFile(const QString &path) {
  auto text = readSecretFile(path);
  if (!text) {
    const Status s = text.status();
    return Status(s.code(), QStringLiteral("cluster key: ") + s.message());
  }
  return KeyRing::parse(*text, path);
}

Status writeKeyFile(const QString &path, const KeyRing &ring) { return writeSecretFile(path, ring.serialize()); }

Status ensureKeyFile(const QString &path, bool *created) {
  if (created) *created = false;
  if (QFileInfo::exists(path)) return Status::ok();
  RS_RETURN_IF_ERROR(writeKeyFile(path, KeyRing::generate()));
  if (created) *created = true;
  return Status::ok();
}

namespace {
// What tells a changed file from the same one: a rotation replaces it (new inode).
QByteArray fileStamp(const QString &path) {
  struct stat st {};
  if (::stat(QFile::encodeName(path).constData(), &st) != 0) return {};
  return QByteArray::number(qulonglong(st.st_ino)) + ':' + QByteArray::number(qlonglong(st.st_size)) + ':' +
         QByteArray::number(qlonglong(st.st_mtim.tv_sec)) + '.' + QByteArray::number(qlonglong(st.st_mtim.tv_nsec));
}
}  // namespace

ClusterKeys::ClusterKeys(QString path, QObject *parent) : QObject(parent), path_(std::move(path)) {
  connect(&timer_, &QTimer::timeout, this, &ClusterKeys::poll);
}

Status ClusterKeys::load() {
  const QByteArray stamp = fileStamp(path_);
  auto ring = readKeyFile(path_);
  RS_RETURN_IF_ERROR(ring.status());
  QFileInfo info(path_);
  if (info.permissions() & (QFileDevice::ReadGroup | QFileDevice::ReadOther))
    qCWarning(lcCore).noquote() << "cluster key" << path_ << "is readable by other users; chmod 600 it";
  stamp_ = stamp;
  ring_.store(std::make_shared<const KeyRing>(std::move(*ring)));
  ++generation_;
  return Status::ok();
}

void ClusterKeys::watch(int intervalMs) {
  timer_.start(intervalMs);
}

void ClusterKeys::poll() {
  const QByteArray stamp = fileStamp(path_);
  if (stamp.isEmpty() || stamp == stamp_) return;
  if (Status s = load(); !s.isOk()) {
    stamp_ = stamp;  // said once per version of the file, not every poll
    qCWarning(lcCore).noquote() << "cluster key changed but cannot be used, keeping the old ring:" << s.message();
    return;
  }
  QStringList ids;
  for (const auto &d : ring_.load()->keys()) ids << QString::fromLatin1(d.key.id);
  qCInfo(lcCore).noquote() << "cluster key ring reloaded from" << path_ << "| keys:" << ids.join(QStringLiteral(", "));
  Q_EMIT reloaded();
}

}  // namespace rs::auth
