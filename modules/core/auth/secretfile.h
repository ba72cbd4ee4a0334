#pragma once
// Files that hold secrets (keys, passwords, tokens): written owner-only before a byte
// of the secret lands, replaced atomically, read with a size bound.

#include "core/status.h"

#include <QByteArray>
#include <QString>

namespace rs::auth {

Status writeSecretFile(const QString &path, const QByteArray &content);
// NotFound when absent; the secret (trimmed of surrounding whitespace) otherwise.
Result<QByteArray> readSecretFile(const QString &path, qint64 maxBytes = 64 * 1024);

}  // namespace rs::auth
