#pragma once
// Offline administration of accounts on a data directory, for recovery and scripts
// (works while the stack runs: the accounts database is SQLite in WAL mode):
//   platform user add NAME --role admin|viewer [--password-file F]
//   platform user passwd NAME [--password-file F]
//   platform user list | platform user remove NAME
//   platform token create --name N --role R [--expires SECONDS]   (the token alone on stdout)
//   platform token list | platform token revoke ID
// Each takes --data-dir DIR; without --password-file the password is asked for on a
// terminal (twice, not echoed) or read as one line from standard input.

#include <QStringList>

namespace rs::app {

int runUserCommand(const QStringList &args);
int runTokenCommand(const QStringList &args);

}  // namespace rs::app
