#pragma once
// A development KeySource, NOT a license server: every key id and key is
// HMAC-SHA-256(secret, "reelstack-dev-v1|<purpose>|<titleId>|<track>") cut to 16 bytes,
// so a test (or the developer) who holds the secret can compute any title's keys
// without asking anything. The secret lives in a file only its owner can read (created
// with 32 random bytes, mode 0600, on first use); a file others can read is refused.
// The license role replaces this with keys from its own hierarchy.

#include "encode/keysource.h"

#include <QByteArray>
#include <QMutex>

namespace rs::encode {

class DevKeySource final : public KeySource {
 public:
  // URLs may hold "{title}" (the title id); hlsKeyUrl must hold "{kid}" as well.
  DevKeySource(QString secretFile, QString licenseUrl, QString hlsKeyUrl);
  ~DevKeySource() override;

  Result<package::TitleProtection> keysFor(const QString &titleId, package::Scheme scheme, const QStringList &tracks) override;
  QString describe() const override;

  // The derivation, public so tests can check it against their own computation.
  static package::Bytes16 derive(QByteArrayView secret, QStringView purpose, QStringView titleId, QStringView track);

 private:
  Result<QByteArray> secret();

  const QString file_, licenseUrl_, hlsKeyUrl_;
  QMutex mutex_;
  QByteArray secret_;  // loaded on first use; wiped on destruction
};

}  // namespace rs::encode
