#pragma once
// `platform ingest FILE [--title NAME] [--api URL] [--wait]`: uploads a file to a
// running stack with tus, prints JSON, and with --wait follows the title until it is
// ready (manifest URLs) or failed (the reason).

#include <QStringList>

namespace rs::app {

// `args` are the words after "ingest". Returns the process exit code.
int runIngestCommand(int argc, char **argv, const QStringList &args);

}  // namespace rs::app
