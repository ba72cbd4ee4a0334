#pragma once
// The ingest module's log category ("rs.ingest").

#include <QLoggingCategory>

namespace rs {
Q_DECLARE_LOGGING_CATEGORY(lcIngest)
}
