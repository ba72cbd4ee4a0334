#include "control/titlestate.h"

#include <array>

namespace rs::control {

namespace {
constexpr std::array<const char16_t *, 7> kNames = {u"uploading", u"probing",   u"queued", u"encoding",
                                                    u"packaging", u"ready", u"failed"};
}

QString stateName(TitleState state) { return QString::fromUtf16(kNames[size_t(state)]); }

std::optional<TitleState> parseTitleState(QStringView name) {
  for (size_t i = 0; i < kNames.size(); ++i) {
    if (name == QStringView(kNames[i])) return TitleState(i);
  }
  return std::nullopt;
}

Status checkMove(TitleState from, TitleState to, Mover who) {
  if (from == to) return Status::ok();
  auto refuse = [&](const QString &why) {
    return Status(ErrorCode::Conflict,
                  QStringLiteral("cannot move a title from %1 to %2: %3").arg(stateName(from), stateName(to), why));
  };
  if (from == TitleState::Ready) return refuse(QStringLiteral("ready is final"));
  if (from == TitleState::Failed) {
    if (who == Mover::Queue && to == TitleState::Queued) return Status::ok();
    return refuse(QStringLiteral("a failed title is retried only by a new job (POST /control/v1/jobs)"));
  }
  if (to == TitleState::Failed) return Status::ok();
  if (to == TitleState::Ready) {
    if (who == Mover::Queue && (from == TitleState::Encoding || from == TitleState::Packaging)) return Status::ok();
    return refuse(QStringLiteral("ready is reached by completing the title's job"));
  }
  if (who == Mover::Queue || to > from) return Status::ok();
  return refuse(QStringLiteral("states only move forward"));
}

}  // namespace rs::control
