#pragma once
// Which credential a command-line client (`platform ingest`, later `watch` and `play`)
// sends to an api: --token, else $REELSTACK_TOKEN, else the local bootstrap token of
// the data directory (identity/bootstrap.h) — but that one only to an api on this
// machine, or when --data-dir was given on purpose, so a local admin token is never
// sent to another host by default.

#include "core/status.h"

#include <QByteArray>
#include <QString>
#include <QUrl>

namespace rs::app {

// "Bearer …", or empty for none (the api will then say it wants one).
Result<QByteArray> clientCredential(const QString &token, const QString &dataDir, bool dataDirGiven, const QUrl &api);

}  // namespace rs::app
