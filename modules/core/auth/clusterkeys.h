#pragma once
// The cluster key ring: the secret every role of one stack shares (control creates it,
// other machines get it as a file), from which service and playback tokens are signed.
// The first unexpired key signs; every unexpired key verifies, so a new key can be
// rolled out while the old one is still accepted for a grace period.

#include "core/auth/crypto.h"
#include "core/status.h"

#include <QByteArray>
#include <QDateTime>
#include <QObject>
#include <QString>
#include <QTimer>
#include <atomic>
#include <memory>
#include <vector>

namespace rs::auth {

struct ClusterKey {
  QByteArray id;      // 8 lowercase hex; public, names the key inside tokens
  QByteArray secret;  // 32 random bytes
  qint64 untilSec = 0;  // unix seconds after which it no longer verifies; 0 = no end
  bool validAt(qint64 nowSec) const { return untilSec == 0 || nowSec < untilSec; }
};

// One immutable version of the ring, with the keys each job derives (HKDF), so a
// token's signature never doubles as another kind of token's.
class KeyRing {
 public:
  // The file format: '#' comments, then one line per key: "<id> <base64url secret>
  // [until=<unix seconds>]". Errors name the file and line; the secret never appears.
  static Result<KeyRing> parse(QByteArrayView text, const QString &source);
  QByteArray serialize() const;
  static KeyRing generate();  // one fresh key, no end

  struct Derived {
    ClusterKey key;
    std::shared_ptr<const HmacKey> service;
    std::shared_ptr<const HmacKey> playback;
  };
  const Derived *signing(qint64 nowSec) const;  // null when every key has expired
  const Derived *find(QByteArrayView id, qint64 nowSec) const;  // null: unknown or expired
  const std::vector<Derived> &keys() const { return keys_; }

  // Rotation (docs/security.md): add() stages a new key that verifies but does not
  // sign yet; promote() makes one the signer and gives every other key `graceSec`
  // more seconds; drop() removes one. rotate() is add + promote in one step.
  QByteArray add();
  Status promote(QByteArrayView id, qint64 graceSec, qint64 nowSec);
  Status drop(QByteArrayView id);
  QByteArray rotate(qint64 graceSec, qint64 nowSec);

 private:
  void push(ClusterKey key, bool front);
  std::vector<Derived> keys_;
};

// Reads and writes a key file: created 0600 (only the service user reads it), replaced
// atomically, so a reader never sees half a ring.
Result<KeyRing> readKeyFile(const QString &path);
Status writeKeyFile(const QString &path, const KeyRing &ring);
// Control's first start: a fresh ring at `path` unless one is there.
Status ensureKeyFile(const QString &path, bool *created = nullptr);

// The ring a process runs with: loaded from its file and reloaded when the file
// changes (a rotation on disk reaches every role without a restart). current() is
// safe from any thread.
class ClusterKeys : public QObject {
  Q_OBJECT
 public:
  explicit ClusterKeys(QString path, QObject *parent = nullptr);
  Status load();
  // Polls the file every `intervalMs` (inode, size, mtime); a bad new file is logged
  // and the old ring kept.
  void watch(int intervalMs);
  std::shared_ptr<const KeyRing> current() const { return ring_.load(); }
  bool loaded() const { return ring_.load() != nullptr; }
  quint64 generation() const { return generation_.load(); }  // +1 on every (re)load
  const QString &path() const { return path_; }

 Q_SIGNALS:
  void reloaded();

 private:
  void poll();
  QString path_;
  QByteArray stamp_;
  std::atomic<std::shared_ptr<const KeyRing>> ring_;
  std::atomic<quint64> generation_{0};
  QTimer timer_;
};

inline qint64 nowSeconds() { return QDateTime::currentSecsSinceEpoch(); }

}  // namespace rs::auth
