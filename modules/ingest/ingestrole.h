#pragma once
// The ingest role. Mounted on the api listener; uploads arrive with the media pipeline issue.

#include "core/roles/roles.h"

namespace rs::ingest {
std::unique_ptr<roles::Role> createIngestRole();
}
