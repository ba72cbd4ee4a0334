#include "player/playerlog.h"

namespace rs {
Q_LOGGING_CATEGORY(lcPlayer, "rs.player")
}
