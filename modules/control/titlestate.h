#pragma once
// A title's life: uploading → probing → queued → encoding → packaging → ready | failed,
// and who may move it where. The rules live here once; the catalogue and the job
// queue both ask them.

#include "core/status.h"

#include <QString>
#include <optional>

namespace rs::control {

enum class TitleState { Uploading, Probing, Queued, Encoding, Packaging, Ready, Failed };

QString stateName(TitleState state);
std::optional<TitleState> parseTitleState(QStringView name);
inline bool isTerminal(TitleState s) { return s == TitleState::Ready || s == TitleState::Failed; }

// Clients (PATCH) move forward through the non-terminal states or to failed; ready is
// only reached by a completed job. The queue may also move a title back to queued
// (a retry) and from failed to queued (a new job). Ready never changes again.
enum class Mover { Client, Queue };

// Ok, or Conflict explaining why the move is not allowed. Staying put is allowed.
Status checkMove(TitleState from, TitleState to, Mover who);

}  // namespace rs::control
