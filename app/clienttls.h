#pragma once
// The --tls-ca option the client commands (ingest, play, simulate) share: the system
// store plus that CA, default the local CA of the stack's data directory if present.

#include <QCommandLineOption>
#include <QString>

namespace rs::app {

QCommandLineOption tlsCaOption();
// Installs the trust for every TLS connection of this process; false (after printing
// why) when the CA file is unreadable.
bool applyClientTls(const QString &tlsCa, const QString &dataDir = QStringLiteral("~/.local/share/reelstack"));

}  // namespace rs::app
