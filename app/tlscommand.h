#pragma once
// `platform tls init`: the local CA and this host's server certificate in
// <data-dir>/tls/, and how to make browsers and other machines trust the CA.

#include <QStringList>

namespace rs::app {

int runTlsCommand(const QStringList &args);

}  // namespace rs::app
