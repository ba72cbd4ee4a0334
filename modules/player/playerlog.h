#pragma once
// The player module's log category, "rs.player".

#include <QLoggingCategory>

namespace rs {
Q_DECLARE_LOGGING_CATEGORY(lcPlayer)
}
