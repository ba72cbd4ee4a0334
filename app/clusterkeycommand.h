#pragma once
// The cluster key ring on disk (docs/security.md, "Rotating the cluster key"):
//   platform cluster-key list                      key ids, which signs, until when
//   platform cluster-key rotate [--grace SECONDS]  a new signing key; old keys verify for the grace
//   platform cluster-key add                       a new key that verifies but does not sign yet
//   platform cluster-key promote ID [--grace S]    make a staged key the signer
//   platform cluster-key drop ID                   stop accepting a key at once
// and a service token for operators' scripts (a Prometheus credentials_file, curl):
//   platform service-token [--ttl SECONDS] [--roles NAME]
// Both take --data-dir DIR or --cluster-key-file FILE. Running roles pick up a changed
// file within two seconds; other machines need the new file copied within the grace.

#include <QStringList>

namespace rs::app {

int runClusterKeyCommand(const QStringList &args);
int runServiceTokenCommand(const QStringList &args);

}  // namespace rs::app
