#pragma once
// The edge module's log category, "rs.edge".

#include <QLoggingCategory>

namespace rs {
Q_DECLARE_LOGGING_CATEGORY(lcEdge)
}
