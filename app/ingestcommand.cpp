#include "ingestcommand.h"

#include <cstdio>

namespace rs::app {

int runIngestCommand(int, char **, const QStringList &) {
  std::fputs("platform: the ingest command is being built\n", stderr);
  return 2;
}

}  // namespace rs::app
