#include "player/engine/sessionlog.h"

#include <QJsonArray>
#include <cmath>

namespace rs::player {

namespace {

// Reports are compared byte for byte: round once, here.
double round3(double v) { return std::isfinite(v) ? std::round(v * 1000) / 1000 : 0; }
double round1(double v) { return std::isfinite(v) ? std::round(v * 10) / 10 : 0; }

}  // namespace

QoeSummary summarise(const SessionLog &log) {
  QoeSummary q;
  q.startupMs = log.playStartedAt < 0 ? -1 : (log.playStartedAt - log.startedAt) * 1000;
  for (const Stall &s : log.stalls) q.rebufferS += s.durationS;
  q.rebufferEvents = int(log.stalls.size());
  // A segment counts once the playhead reached its media start (every segment, when
  // the title played to its end). Records are one per segment, in media order.
  const bool all = log.endedBy == QLatin1String("end");
  double sum = 0, changes = 0, bitrateSum = 0, prev = -1;
  int n = 0;
  for (const SegmentRecord &r : log.segments) {
    if (!all && r.mediaStartS >= log.positionS) continue;
    const double mbps = r.bitrate / 1e6;
    sum += mbps;
    bitrateSum += r.bitrate;
    if (prev >= 0) {
      changes += std::abs(mbps - prev);
      if (mbps != prev) ++q.switches;
    }
    prev = mbps;
    ++n;
  }
  q.playedSegments = n;
  q.meanBitrate = n ? bitrateSum / n : 0;
  q.qoeLin = sum - 4.3 * q.rebufferS - changes;
  q.qoePerSegment = n ? q.qoeLin / n : 0;
  return q;
}

QJsonObject reportJson(const SessionLog &log, const QJsonObject &extra) {
  const QoeSummary q = summarise(log);
  QJsonArray segments;
  for (const SegmentRecord &r : log.segments) {
    QJsonObject inputs;
    for (int i = 0; i < r.decision.inputCount; ++i)
      inputs.insert(QLatin1String(r.decision.inputs[std::size_t(i)].name), round3(r.decision.inputs[std::size_t(i)].value));
    QJsonObject o{{QStringLiteral("index"), r.index},
                  {QStringLiteral("rung"), r.rung},
                  {QStringLiteral("rung_id"), r.rungId},
                  {QStringLiteral("bitrate"), r.bitrate},
                  {QStringLiteral("bytes"), double(r.bytes)},
                  {QStringLiteral("download_ms"), round1(r.downloadMs)},
                  {QStringLiteral("latency_ms"), round1(r.latencyMs)},
                  {QStringLiteral("throughput_bps"), std::round(r.throughputBps)},
                  {QStringLiteral("estimate_bps"), std::round(r.estimateBps)},
                  {QStringLiteral("buffer_before_s"), round3(r.bufferBeforeS)},
                  {QStringLiteral("buffer_s"), round3(r.bufferAfterS)},
                  {QStringLiteral("t_s"), round3(r.finishedAt - log.startedAt)},
                  {QStringLiteral("media_s"), round3(r.mediaStartS)},
                  {QStringLiteral("reason"), QLatin1String(r.decision.reason)},
                  {QStringLiteral("inputs"), inputs}};
    if (r.decision.delayS > 0) o.insert(QStringLiteral("delay_s"), round3(r.decision.delayS));
    if (r.retries > 0) o.insert(QStringLiteral("retries"), r.retries);
    if (!r.xCache.isEmpty()) o.insert(QStringLiteral("x_cache"), QString::fromLatin1(r.xCache));
    if (!r.abandoned.empty()) {
      QJsonArray a;
      for (const AbandonedAttempt &x : r.abandoned)
        a.append(QJsonObject{{QStringLiteral("rung"), x.rung}, {QStringLiteral("bitrate"), x.bitrate},
                             {QStringLiteral("bytes"), double(x.bytes)}, {QStringLiteral("ms"), round1(x.ms)},
                             {QStringLiteral("reason"), QLatin1String(x.reason)}});
      o.insert(QStringLiteral("abandoned"), a);
    }
    segments.append(o);
  }
  QJsonArray stalls;
  for (const Stall &s : log.stalls)
    stalls.append(QJsonObject{{QStringLiteral("at_s"), round3(s.atS - log.startedAt)},
                              {QStringLiteral("position_s"), round3(s.positionS)},
                              {QStringLiteral("duration_s"), round3(s.durationS)}});
  QJsonObject o{{QStringLiteral("abr"), log.abr},
                {QStringLiteral("manifest"), log.manifest},
                {QStringLiteral("segments"), segments},
                {QStringLiteral("stalls"), stalls},
                {QStringLiteral("startup_ms"), round1(q.startupMs)},
                {QStringLiteral("rebuffer_s"), round3(q.rebufferS)},
                {QStringLiteral("rebuffer_events"), q.rebufferEvents},
                {QStringLiteral("switches"), q.switches},
                {QStringLiteral("mean_bitrate"), std::round(q.meanBitrate)},
                {QStringLiteral("qoe_lin"), round3(q.qoeLin)},
                {QStringLiteral("qoe_per_segment"), round3(q.qoePerSegment)},
                {QStringLiteral("played_segments"), q.playedSegments},
                {QStringLiteral("played_s"), round3(log.positionS)},
                {QStringLiteral("duration_s"), round3(log.durationS)},
                {QStringLiteral("session_s"), round3(log.endedAt - log.startedAt)},
                {QStringLiteral("ended_by"), log.endedBy},
                {QStringLiteral("bytes"), double(log.bytes)},
                {QStringLiteral("requests"), log.requests},
                {QStringLiteral("failovers"), log.failovers}};
  if (!log.error.isEmpty()) o.insert(QStringLiteral("error"), log.error);
  for (auto it = extra.begin(); it != extra.end(); ++it) o.insert(it.key(), it.value());
  return o;
}

QString tableHeader() {
  return QStringLiteral("%1 %2 %3 %4 %5 %6 %7 %8")
      .arg(QStringLiteral("abr"), -10)
      .arg(QStringLiteral("qoe_lin"), 10)
      .arg(QStringLiteral("qoe/seg"), 8)
      .arg(QStringLiteral("bitrate"), 10)
      .arg(QStringLiteral("rebuf_s"), 8)
      .arg(QStringLiteral("stalls"), 6)
      .arg(QStringLiteral("switches"), 8)
      .arg(QStringLiteral("startup_ms"), 10);
}

QString tableRow(const QString &name, const QoeSummary &q) {
  return QStringLiteral("%1 %2 %3 %4 %5 %6 %7 %8")
      .arg(name, -10)
      .arg(q.qoeLin, 10, 'f', 2)
      .arg(q.qoePerSegment, 8, 'f', 3)
      .arg(QStringLiteral("%1k").arg(qRound(q.meanBitrate / 1000)), 10)
      .arg(q.rebufferS, 8, 'f', 2)
      .arg(q.rebufferEvents, 6)
      .arg(q.switches, 8)
      .arg(q.startupMs, 10, 'f', 0);
}

}  // namespace rs::player
