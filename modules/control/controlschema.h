#pragma once
// The schema of control's one SQLite database (<data-dir>/control/control.db): the
// instance registry, the catalogue of titles, the encode job queue, and the
// delivery tables (views per region, pinned titles).

#include "core/store/database.h"

#include <vector>

namespace rs::control {

const std::vector<store::Migration> &controlMigrations();

}  // namespace rs::control
