#pragma once
// The schema of control's one SQLite database (<data-dir>/control/control.db): the
// instance registry, the catalogue of titles and the encode job queue.

#include "core/store/database.h"

#include <vector>

namespace rs::control {

const std::vector<store::Migration> &controlMigrations();

}  // namespace rs::control
