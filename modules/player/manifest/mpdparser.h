#pragma once
// Reads a static DASH MPD (ISO/IEC 23009-1) into a Presentation: one Period,
// SegmentTemplate with SegmentTimeline or @duration, inherited from AdaptationSet and
// Period level, BaseURL at every level. Anything else (live MPDs, SegmentBase,
// SegmentList, several Periods) is refused with an error that says what it was.

#include "core/status.h"
#include "player/manifest/presentation.h"

#include <QByteArray>

namespace rs::player {

Result<Presentation> parseMpd(const QByteArray &xml, const QUrl &manifestUrl);

// ISO 8601 durations as MPDs write them ("PT1H2M3.5S", "P1DT2H"); nullopt-like -1 on error.
double parseIsoDuration(QStringView text);

}  // namespace rs::player
