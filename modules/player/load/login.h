#pragma once
// SEAM(identity): the journey's "log in" step. The identity API (issue 9) is being
// built; until it lands there is no login endpoint to call, so a run either uses an
// API token it was given (--player-token, sent as "Authorization: Bearer …") or none.
// When identity merges, obtainToken() calls its login route with the user's name and
// password and hands back the bearer value every later request carries.

#include "core/status.h"

#include <QByteArray>
#include <QString>
#include <QUrl>

namespace rs::player {

struct Credentials {
  QString user;
  QString password;
};

// "Bearer <token>" for `credentials` at the api `target`. Today: NotImplemented.
Result<QByteArray> obtainToken(const QUrl &target, const Credentials &credentials);

}  // namespace rs::player
