// A static DASH MPD (ISO/IEC 23009-1, isoff-live profile): one Period, video in one
// AdaptationSet, audio in one per language, each Representation with its own
// SegmentTemplate and a run-length SegmentTimeline.

#include "package/manifests.h"
#include "package/manifestcommon.h"
#include "package/textformat.h"

#include <QStringList>
#include <algorithm>

namespace rs::package {

namespace {

using text::decimal;
using text::xmlEscape;

QString attr(const char *name, const QString &value) {
  return u' ' + QLatin1String(name) + QStringLiteral("=\"") + xmlEscape(value) + u'"';
}
QString attr(const char *name, std::int64_t value) { return attr(name, QString::number(value)); }

QString isoSeconds(std::uint64_t num, std::uint64_t den) {
  return QStringLiteral("PT") + decimal(num, den, 3) + u'S';
}

void segmentTemplate(const Representation &r, const QString &indent, QStringList *out) {
  out->append(indent + QStringLiteral("<SegmentTemplate") + attr("timescale", r.timescale) +
              attr("initialization", r.initPath) + attr("media", r.mediaTemplate) +
              attr("startNumber", std::int64_t(r.startNumber)) + u'>');
  out->append(indent + QStringLiteral("  <SegmentTimeline>"));
  const auto &d = r.segmentDurations;
  for (std::size_t i = 0; i < d.size();) {
    std::size_t run = 1;
    while (i + run < d.size() && d[i + run] == d[i]) ++run;
    out->append(indent + QStringLiteral("    <S") +
                (i == 0 ? attr("t", std::int64_t(r.timelineStart)) : QString()) + attr("d", std::int64_t(d[i])) +
                (run > 1 ? attr("r", std::int64_t(run - 1)) : QString()) + QStringLiteral("/>"));
    i += run;
  }
  out->append(indent + QStringLiteral("  </SegmentTimeline>"));
  out->append(indent + QStringLiteral("</SegmentTemplate>"));
}

// ISO/IEC 23009-1 §5.8.5.2 (mp4protection with the KID every player reads) and the
// DASH-IF ClearKey descriptor with its license URL (DASH-IF IOP, ClearKey).
void contentProtection(const Encryption &e, const QString &indent, QStringList *out) {
  out->append(indent + QStringLiteral("<ContentProtection") +
              attr("schemeIdUri", QStringLiteral("urn:mpeg:dash:mp4protection:2011")) + attr("value", e.scheme) +
              attr("cenc:default_KID", e.defaultKid) + QStringLiteral("/>"));
  out->append(indent + QStringLiteral("<ContentProtection") +
              attr("schemeIdUri", QStringLiteral("urn:uuid:e2719d58-a985-b3c9-781a-b030af78d30e")) +
              attr("value", QStringLiteral("ClearKey1.0")) + u'>');
  out->append(indent + QStringLiteral("  <dashif:Laurl>") + xmlEscape(e.licenseUrl) + QStringLiteral("</dashif:Laurl>"));
  out->append(indent + QStringLiteral("</ContentProtection>"));
}

// Protection described once for the set when every representation shares it (the
// usual case: one key per track kind), else on each representation.
bool sameForDash(const std::optional<Encryption> &a, const std::optional<Encryption> &b) {
  if (a.has_value() != b.has_value()) return false;
  return !a || (a->scheme == b->scheme && a->defaultKid == b->defaultKid && a->licenseUrl == b->licenseUrl);
}

bool sharedEncryption(const std::vector<Representation> &reps) {
  for (const Representation &r : reps)
    if (!sameForDash(r.encryption, reps.front().encryption)) return false;
  return reps.front().encryption.has_value();
}

void perRepresentationProtection(const Representation &r, bool shared, QStringList *out) {
  if (!shared && r.encryption) contentProtection(*r.encryption, QStringLiteral("        "), out);
}

void videoSet(const std::vector<Representation> &reps, int id, QStringList *out) {
  int maxWidth = 0, maxHeight = 0;
  QString maxRate;
  std::uint64_t maxNum = 0, maxDen = 1;
  for (const Representation &r : reps) {
    maxWidth = std::max(maxWidth, r.width);
    maxHeight = std::max(maxHeight, r.height);
    std::uint64_t num = 0, den = 1;
    if (text::parseFrameRate(r.frameRate, &num, &den) && text::ratioLess(maxNum, maxDen, num, den)) {
      maxNum = num;
      maxDen = den;
      maxRate = r.frameRate;
    }
  }
  out->append(QStringLiteral("    <AdaptationSet") + attr("id", id) + attr("contentType", QStringLiteral("video")) +
              attr("mimeType", QStringLiteral("video/mp4")) + attr("segmentAlignment", QStringLiteral("true")) +
              attr("startWithSAP", 1) + (maxWidth > 0 ? attr("maxWidth", maxWidth) : QString()) +
              (maxHeight > 0 ? attr("maxHeight", maxHeight) : QString()) +
              (maxRate.isEmpty() ? QString() : attr("maxFrameRate", maxRate)) + u'>');
  const bool shared = sharedEncryption(reps);
  if (shared) contentProtection(*reps.front().encryption, QStringLiteral("      "), out);
  for (const Representation &r : reps) {
    out->append(QStringLiteral("      <Representation") + attr("id", r.id) + attr("bandwidth", r.bandwidth) +
                attr("width", r.width) + attr("height", r.height) +
                (r.frameRate.isEmpty() ? QString() : attr("frameRate", r.frameRate)) + attr("codecs", r.codecs) +
                attr("sar", QStringLiteral("1:1")) + u'>');
    perRepresentationProtection(r, shared, out);
    segmentTemplate(r, QStringLiteral("        "), out);
    out->append(QStringLiteral("      </Representation>"));
  }
  out->append(QStringLiteral("    </AdaptationSet>"));
}

void audioSet(const std::vector<Representation> &reps, int id, QStringList *out) {
  out->append(QStringLiteral("    <AdaptationSet") + attr("id", id) + attr("contentType", QStringLiteral("audio")) +
              attr("mimeType", QStringLiteral("audio/mp4")) + attr("lang", reps.front().language) +
              attr("segmentAlignment", QStringLiteral("true")) + attr("startWithSAP", 1) + u'>');
  const bool shared = sharedEncryption(reps);
  if (shared) contentProtection(*reps.front().encryption, QStringLiteral("      "), out);
  for (const Representation &r : reps) {
    out->append(QStringLiteral("      <Representation") + attr("id", r.id) + attr("bandwidth", r.bandwidth) +
                attr("codecs", r.codecs) + (r.sampleRate > 0 ? attr("audioSamplingRate", r.sampleRate) : QString()) +
                u'>');
    if (r.channels > 0)
      out->append(QStringLiteral("        <AudioChannelConfiguration") +
                  attr("schemeIdUri", QStringLiteral("urn:mpeg:dash:23003:3:audio_channel_configuration:2011")) +
                  attr("value", r.channels) + QStringLiteral("/>"));
    perRepresentationProtection(r, shared, out);
    segmentTemplate(r, QStringLiteral("        "), out);
    out->append(QStringLiteral("      </Representation>"));
  }
  out->append(QStringLiteral("    </AdaptationSet>"));
}

}  // namespace

QByteArray writeMpd(const Presentation &p) {
  const std::vector<Representation> video = byBandwidth(p.video);
  const std::vector<std::vector<Representation>> audio = audioByLanguage(p.audio);
  const Seconds longest = longestSegment(p);
  const Seconds duration = p.durationSeconds > 0 ? Seconds{std::uint64_t(p.durationSeconds * 1000 + 0.5), 1000}
                                                 : longestTimeline(p);
  QStringList out;
  out.append(QStringLiteral("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
  bool encrypted = false;
  for (const auto *list : {&p.video, &p.audio})
    for (const Representation &r : *list) encrypted = encrypted || r.encryption.has_value();
  out.append(QStringLiteral("<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\"") +
             (encrypted ? attr("xmlns:cenc", QStringLiteral("urn:mpeg:cenc:2013")) +
                              attr("xmlns:dashif", QStringLiteral("https://dashif.org/CPS"))
                        : QString()) +
             attr("profiles", QStringLiteral("urn:mpeg:dash:profile:isoff-live:2011")) +
             attr("type", QStringLiteral("static")) +
             attr("mediaPresentationDuration", isoSeconds(duration.num, duration.den)) +
             // Bandwidths are peaks over about one segment, so one longest segment of
             // buffer is what lets a client at that rate play without stalling.
             attr("minBufferTime", isoSeconds(longest.num, longest.den)) + u'>');
  out.append(QStringLiteral("  <Period id=\"0\" start=\"PT0S\">"));
  int id = 0;
  if (!video.empty()) videoSet(video, id++, &out);
  for (const auto &group : audio) audioSet(group, id++, &out);
  out.append(QStringLiteral("  </Period>"));
  out.append(QStringLiteral("</MPD>"));
  return (out.join(u'\n') + u'\n').toUtf8();
}

}  // namespace rs::package
