#pragma once
// The ingest role, mounted on the api listener: tus uploads at /api/v1/uploads,
// accepted sources at /api/v1/sources/{titleId}, and the optional watch folder. Every
// finished file is hashed, probed and registered with control's catalogue.

#include "core/roles/roles.h"

namespace rs::ingest {
std::unique_ptr<roles::Role> createIngestRole();
}
