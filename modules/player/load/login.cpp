#include "player/load/login.h"

namespace rs::player {

Result<QByteArray> obtainToken(const QUrl &target, const Credentials &credentials) {
  Q_UNUSED(target);
  Q_UNUSED(credentials);
  return Status(ErrorCode::NotImplemented,
                QStringLiteral("logging in with --player-user needs the identity API, which is not in this build yet; "
                               "give an API token with --player-token instead"));
}

}  // namespace rs::player
