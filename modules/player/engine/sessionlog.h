#pragma once
// The structured decision log of one playback session and the report made from it:
// per video segment the rung, why (the algorithm's reason and inputs), bytes,
// download time, the estimate and the buffer before and after; stalls; start-up; and
// the QoE summary (docs/player.md, "The report"). The UI and the desktop player draw
// exactly this shape.

#include "player/abr/abr.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>
#include <QStringList>
#include <vector>

namespace rs::player {

struct AbandonedAttempt {
  int rung = 0;
  double bitrate = 0;
  std::int64_t bytes = 0;   // received before it was dropped
  double ms = 0;
  const char *reason = "";
};

struct SegmentRecord {
  int index = 0;
  int rung = 0;
  QString rungId;
  double bitrate = 0;       // the rung's manifest bandwidth, bits/s
  std::int64_t bytes = 0;
  double requestedAt = 0;   // session seconds
  double finishedAt = 0;
  double downloadMs = 0;    // request to last byte
  double latencyMs = 0;     // request to first byte
  double throughputBps = 0; // this download's own sample (first read to last byte)
  double estimateBps = 0;   // the safe estimate when the decision was made
  double bufferBeforeS = 0; // when the decision was made
  double bufferAfterS = 0;  // just after the segment was added
  double positionS = 0;     // playhead when it was added
  double mediaStartS = 0;   // where the segment starts in the title
  Decision decision;
  std::vector<AbandonedAttempt> abandoned;
  int retries = 0;
  QByteArray xCache;
};

struct Stall {
  double atS = 0;        // session seconds
  double positionS = 0;  // playhead (media seconds) where playback ran dry
  double durationS = 0;
};

struct SessionLog {
  QString abr;
  QString manifest;
  double startedAt = 0;
  double playStartedAt = -1;  // -1: never started
  double endedAt = 0;
  double positionS = 0;       // playhead at the end
  double durationS = 0;       // of the title
  QString endedBy;            // "end", "watch limit", "time limit", "error", "stopped"
  QString error;
  std::vector<SegmentRecord> segments;  // video, in download order
  std::vector<Stall> stalls;
  std::int64_t bytes = 0;     // everything downloaded (video, audio, manifests, aborted)
  int requests = 0;
  int failovers = 0;
  std::vector<QString> sources;  // manifest URLs used, in order
};

struct QoeSummary {
  double startupMs = -1;
  double rebufferS = 0;
  int rebufferEvents = 0;
  int switches = 0;
  double meanBitrate = 0;
  double qoeLin = 0;
  int playedSegments = 0;
  double qoePerSegment = 0;
};

// QoE_lin (Pensieve / MPC): Σ bitrate (Mbit/s) − 4.3 × rebuffer s − Σ |Δ bitrate|,
// over the video segments whose playback began; start-up is reported apart.
QoeSummary summarise(const SessionLog &log);

// The report shared by `platform simulate` and `platform play`.
QJsonObject reportJson(const SessionLog &log, const QJsonObject &extra = {});

// One row of the comparison table and its header (for --abr all).
QString tableHeader();
QString tableRow(const QString &name, const QoeSummary &q);

}  // namespace rs::player
