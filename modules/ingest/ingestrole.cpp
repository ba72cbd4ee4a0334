#include "ingest/ingestrole.h"

#include "core/roles/pendingrole.h"

namespace rs::ingest {

std::unique_ptr<roles::Role> createIngestRole() {
  return std::make_unique<roles::PendingRole>(QStringLiteral("ingest"), QStringLiteral("tus uploads and probing arrive with the media pipeline issue"));
}

}  // namespace rs::ingest
