#pragma once
// Where the encoder gets a title's content keys: the one seam between packaging and
// key management. The license role's key hierarchy (wrapped keys, rotation, the
// license URL it serves) will implement it; until then DevKeySource derives keys from
// a local secret for development and tests. It is NOT a license server.

#include "core/status.h"
#include "package/protection.h"

#include <QString>
#include <QStringList>

namespace rs::encode {

class KeySource {
 public:
  virtual ~KeySource() = default;
  // Keys for the title's tracks ("video", "audio"), a fresh IV seed and the URLs
  // players get keys from, for packaging with `scheme`. Called on the job's thread; may
  // block (a call to the license role). Errors never carry key material.
  virtual Result<package::TitleProtection> keysFor(const QString &titleId, package::Scheme scheme,
                                                   const QStringList &tracks) = 0;
  // For the log: what kind of source this is (never a key).
  virtual QString describe() const = 0;
};

}  // namespace rs::encode
