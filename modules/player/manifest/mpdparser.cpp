#include "player/manifest/mpdparser.h"

#include <QXmlStreamReader>
#include <algorithm>
#include <cmath>
#include <optional>

namespace rs::player {

namespace {

// Bounds that keep a hostile manifest from costing more than a real one could.
constexpr std::size_t kMaxSegmentsPerTrack = 200'000;
constexpr std::size_t kMaxTracks = 64;

struct S {
  std::optional<std::uint64_t> t;
  std::uint64_t d = 0;
  std::int64_t r = 0;
};

// A SegmentTemplate as seen so far down the Period → AdaptationSet → Representation
// chain: each level overrides only the attributes it sets.
struct Template {
  std::optional<std::uint64_t> timescale, duration, startNumber, presentationTimeOffset;
  std::optional<QString> initialization, media;
  std::optional<std::vector<S>> timeline;
  bool present = false;

  void overlay(const Template &o) {
    if (!o.present) return;
    present = true;
    if (o.timescale) timescale = o.timescale;
    if (o.duration) duration = o.duration;
    if (o.startNumber) startNumber = o.startNumber;
    if (o.presentationTimeOffset) presentationTimeOffset = o.presentationTimeOffset;
    if (o.initialization) initialization = o.initialization;
    if (o.media) media = o.media;
    if (o.timeline) timeline = o.timeline;
  }
};

class MpdReader {
 public:
  MpdReader(const QByteArray &xml, const QUrl &url) : xml_(xml), url_(url) {}

  Result<Presentation> read() {
    if (!xml_.readNextStartElement() || xml_.name() != u"MPD")
      return fail(QStringLiteral("the document is not an MPD (no <MPD> root element%1)")
                      .arg(xml_.hasError() ? QStringLiteral(": ") + xml_.errorString() : QString()));
    const auto a = xml_.attributes();
    const QString type = a.value(QLatin1String("type")).toString();
    if (!type.isEmpty() && type != u"static")
      return fail(QStringLiteral("MPD@type is '%1': only static (on-demand) MPDs are supported").arg(type));
    out_.format = Presentation::Format::Dash;
    out_.manifestUrl = url_;
    if (a.hasAttribute(QLatin1String("mediaPresentationDuration"))) {
      mpdDuration_ = parseIsoDuration(a.value(QLatin1String("mediaPresentationDuration")));
      if (mpdDuration_ < 0) return fail(QStringLiteral("MPD@mediaPresentationDuration is not an ISO 8601 duration"));
    }
    QUrl base = url_;
    int periods = 0;
    while (xml_.readNextStartElement()) {
      if (xml_.name() == u"BaseURL") {
        base = base.resolved(QUrl(xml_.readElementText().trimmed()));
      } else if (xml_.name() == u"Period") {
        if (++periods > 1) return fail(QStringLiteral("the MPD has several Periods; only one is supported"));
        if (Status s = readPeriod(base); !s.isOk()) return s;
      } else {
        xml_.skipCurrentElement();
      }
    }
    if (xml_.hasError()) return fail(xml_.errorString());
    if (periods == 0) return fail(QStringLiteral("the MPD has no Period"));
    if (out_.video.empty() && out_.audio.empty()) return fail(QStringLiteral("the MPD has no audio or video Representation"));
    std::stable_sort(out_.video.begin(), out_.video.end(), [](const Track &x, const Track &y) { return x.bandwidth < y.bandwidth; });
    double longest = 0;
    for (const auto *list : {&out_.video, &out_.audio}) {
      for (const Track &t : *list) {
        if (!t.segments.empty()) longest = std::max(longest, t.segments.back().start + t.segments.back().duration);
      }
    }
    out_.duration = mpdDuration_ > 0 ? mpdDuration_ : longest;
    return std::move(out_);
  }

 private:
  Status fail(const QString &why) const {
    if (xml_.lineNumber() > 0)
      return Status(ErrorCode::BadRequest, QStringLiteral("MPD line %1: %2").arg(xml_.lineNumber()).arg(why));
    return Status(ErrorCode::BadRequest, QStringLiteral("MPD: %1").arg(why));
  }

  std::optional<std::uint64_t> unsignedAttr(QLatin1String name, bool *bad) {
    const auto a = xml_.attributes();
    if (!a.hasAttribute(name)) return std::nullopt;
    bool ok = false;
    const std::uint64_t v = a.value(name).toULongLong(&ok);
    if (!ok) *bad = true;
    return v;
  }

  Status readTemplate(Template *t) {
    bool bad = false;
    t->present = true;
    t->timescale = unsignedAttr(QLatin1String("timescale"), &bad);
    t->duration = unsignedAttr(QLatin1String("duration"), &bad);
    t->startNumber = unsignedAttr(QLatin1String("startNumber"), &bad);
    t->presentationTimeOffset = unsignedAttr(QLatin1String("presentationTimeOffset"), &bad);
    if (bad) return fail(QStringLiteral("SegmentTemplate has a malformed number attribute"));
    const auto a = xml_.attributes();
    if (a.hasAttribute(QLatin1String("initialization"))) t->initialization = a.value(QLatin1String("initialization")).toString();
    if (a.hasAttribute(QLatin1String("media"))) t->media = a.value(QLatin1String("media")).toString();
    if (t->timescale && *t->timescale == 0) return fail(QStringLiteral("SegmentTemplate@timescale is 0"));
    while (xml_.readNextStartElement()) {
      if (xml_.name() != u"SegmentTimeline") {
        xml_.skipCurrentElement();
        continue;
      }
      std::vector<S> list;
      while (xml_.readNextStartElement()) {
        if (xml_.name() != u"S") {
          xml_.skipCurrentElement();
          continue;
        }
        S s;
        s.t = unsignedAttr(QLatin1String("t"), &bad);
        s.d = unsignedAttr(QLatin1String("d"), &bad).value_or(0);
        const auto ra = xml_.attributes();
        if (ra.hasAttribute(QLatin1String("r"))) {
          bool ok = false;
          s.r = ra.value(QLatin1String("r")).toLongLong(&ok);
          if (!ok || s.r < -1) return fail(QStringLiteral("SegmentTimeline S@r must be an integer ≥ -1"));
        }
        if (bad) return fail(QStringLiteral("SegmentTimeline S has a malformed number attribute"));
        if (s.d == 0) return fail(QStringLiteral("SegmentTimeline S without a positive @d"));
        if (list.size() >= kMaxSegmentsPerTrack) return fail(QStringLiteral("SegmentTimeline has too many entries"));
        list.push_back(s);
        xml_.skipCurrentElement();
      }
      t->timeline = std::move(list);
    }
    return Status::ok();
  }

  Status readPeriod(QUrl base) {
    const auto a = xml_.attributes();
    double start = 0;
    if (a.hasAttribute(QLatin1String("start"))) start = std::max(0.0, parseIsoDuration(a.value(QLatin1String("start"))));
    periodDuration_ = -1;
    if (a.hasAttribute(QLatin1String("duration"))) periodDuration_ = parseIsoDuration(a.value(QLatin1String("duration")));
    if (periodDuration_ < 0 && mpdDuration_ > 0) periodDuration_ = mpdDuration_ - start;
    Template periodTemplate;
    while (xml_.readNextStartElement()) {
      if (xml_.name() == u"BaseURL") base = base.resolved(QUrl(xml_.readElementText().trimmed()));
      else if (xml_.name() == u"SegmentTemplate") RS_RETURN_IF_ERROR(readTemplate(&periodTemplate));
      else if (xml_.name() == u"AdaptationSet") RS_RETURN_IF_ERROR(readAdaptationSet(base, periodTemplate));
      else if (xml_.name() == u"SegmentList" || xml_.name() == u"SegmentBase")
        return fail(QStringLiteral("%1 is not supported (only SegmentTemplate)").arg(xml_.name().toString()));
      else xml_.skipCurrentElement();
    }
    return Status::ok();
  }

  static std::optional<MediaKind> kindOf(const QString &contentType, const QString &mimeType, const QString &codecs) {
    if (contentType == u"video" || mimeType.startsWith(u"video/")) return MediaKind::Video;
    if (contentType == u"audio" || mimeType.startsWith(u"audio/")) return MediaKind::Audio;
    if (!contentType.isEmpty() || !mimeType.isEmpty()) return std::nullopt;  // text, image, …
    for (const char *v : {"avc", "hvc", "hev", "vp09", "av01"})
      if (codecs.startsWith(QLatin1String(v))) return MediaKind::Video;
    for (const char *v : {"mp4a", "ac-3", "ec-3", "opus", "flac"})
      if (codecs.startsWith(QLatin1String(v))) return MediaKind::Audio;
    return std::nullopt;
  }

  Status readAdaptationSet(QUrl base, Template inherited) {
    const auto a = xml_.attributes();
    const QString contentType = a.value(QLatin1String("contentType")).toString();
    const QString mimeType = a.value(QLatin1String("mimeType")).toString();
    const QString codecs = a.value(QLatin1String("codecs")).toString();
    const QString lang = a.value(QLatin1String("lang")).toString();
    while (xml_.readNextStartElement()) {
      if (xml_.name() == u"BaseURL") {
        base = base.resolved(QUrl(xml_.readElementText().trimmed()));
      } else if (xml_.name() == u"SegmentTemplate") {
        Template here;
        RS_RETURN_IF_ERROR(readTemplate(&here));
        inherited.overlay(here);
      } else if (xml_.name() == u"Representation") {
        RS_RETURN_IF_ERROR(readRepresentation(base, inherited, contentType, mimeType, codecs, lang));
      } else if (xml_.name() == u"SegmentList" || xml_.name() == u"SegmentBase") {
        return fail(QStringLiteral("%1 is not supported (only SegmentTemplate)").arg(xml_.name().toString()));
      } else {
        xml_.skipCurrentElement();
      }
    }
    return Status::ok();
  }

  Status readRepresentation(QUrl base, Template tmpl, const QString &contentType, const QString &setMime,
                            const QString &setCodecs, const QString &lang) {
    const auto a = xml_.attributes();
    Track t;
    t.id = a.value(QLatin1String("id")).toString();
    bool ok = false;
    t.bandwidth = a.value(QLatin1String("bandwidth")).toLongLong(&ok);
    if (!ok || t.bandwidth <= 0) return fail(QStringLiteral("Representation '%1' has no positive @bandwidth").arg(t.id));
    t.width = a.value(QLatin1String("width")).toInt();
    t.height = a.value(QLatin1String("height")).toInt();
    t.codecs = a.hasAttribute(QLatin1String("codecs")) ? a.value(QLatin1String("codecs")).toString() : setCodecs;
    t.language = lang;
    const QString mime = a.hasAttribute(QLatin1String("mimeType")) ? a.value(QLatin1String("mimeType")).toString() : setMime;
    const int line = int(xml_.lineNumber());
    while (xml_.readNextStartElement()) {
      if (xml_.name() == u"BaseURL") {
        base = base.resolved(QUrl(xml_.readElementText().trimmed()));
      } else if (xml_.name() == u"SegmentTemplate") {
        Template here;
        RS_RETURN_IF_ERROR(readTemplate(&here));
        tmpl.overlay(here);
      } else if (xml_.name() == u"SegmentList" || xml_.name() == u"SegmentBase") {
        return fail(QStringLiteral("%1 is not supported (only SegmentTemplate)").arg(xml_.name().toString()));
      } else {
        xml_.skipCurrentElement();
      }
    }
    const auto kind = kindOf(contentType, mime, t.codecs);
    if (!kind) return Status::ok();  // subtitles and the like: not ours to fetch
    t.kind = *kind;
    t.base = base;
    if (!tmpl.present || !tmpl.media)
      return Status(ErrorCode::BadRequest, QStringLiteral("MPD line %1: Representation '%2' has no SegmentTemplate@media").arg(line).arg(t.id));
    t.mediaTemplate = *tmpl.media;
    t.initPath = tmpl.initialization.value_or(QString());
    RS_RETURN_IF_ERROR(buildSegments(tmpl, &t, line));
    auto &list = out_.tracks(t.kind);
    if (out_.video.size() + out_.audio.size() >= kMaxTracks) return fail(QStringLiteral("the MPD has too many Representations"));
    list.push_back(std::move(t));
    return Status::ok();
  }

  Status buildSegments(const Template &tmpl, Track *t, int line) {
    auto bad = [&](const QString &why) {
      return Status(ErrorCode::BadRequest, QStringLiteral("MPD line %1: Representation '%2': %3").arg(line).arg(t->id, why));
    };
    const double timescale = double(tmpl.timescale.value_or(1));
    const std::uint64_t pto = tmpl.presentationTimeOffset.value_or(0);
    std::uint64_t number = tmpl.startNumber.value_or(1);
    const double periodEnd = periodDuration_ > 0 ? periodDuration_ : -1;
    if (tmpl.timeline) {
      const std::vector<S> &list = *tmpl.timeline;
      std::uint64_t time = list.empty() ? 0 : list.front().t.value_or(0);
      for (std::size_t i = 0; i < list.size(); ++i) {
        const S &s = list[i];
        if (s.t) time = *s.t;
        std::int64_t repeats = s.r;
        if (repeats == -1) {
          // Repeat up to the next S@t, else to the end of the Period.
          double until = -1;
          if (i + 1 < list.size() && list[i + 1].t) until = double(*list[i + 1].t);
          else if (periodEnd > 0) until = periodEnd * timescale + double(pto);
          if (until < 0) return bad(QStringLiteral("S@r=-1 with nothing to say where it ends"));
          repeats = std::int64_t(std::ceil((until - double(time)) / double(s.d))) - 1;
        }
        for (std::int64_t k = 0; k <= repeats; ++k) {
          if (t->segments.size() >= kMaxSegmentsPerTrack) return bad(QStringLiteral("too many segments"));
          SegmentTiming seg;
          seg.number = number++;
          seg.time = time;
          seg.start = (double(time) - double(pto)) / timescale;
          seg.duration = double(s.d) / timescale;
          t->segments.push_back(seg);
          time += s.d;
        }
      }
    } else if (tmpl.duration) {
      if (*tmpl.duration == 0) return bad(QStringLiteral("SegmentTemplate@duration is 0"));
      if (periodEnd <= 0) return bad(QStringLiteral("SegmentTemplate@duration without a Period or MPD duration"));
      const double d = double(*tmpl.duration) / timescale;
      const double count = std::ceil(periodEnd / d - 1e-9);
      if (count > double(kMaxSegmentsPerTrack)) return bad(QStringLiteral("too many segments"));
      for (std::size_t i = 0; i < std::size_t(count); ++i) {
        SegmentTiming seg;
        seg.number = number++;
        seg.time = std::uint64_t(i) * *tmpl.duration;
        seg.start = double(i) * d;
        seg.duration = std::min(d, periodEnd - seg.start);
        t->segments.push_back(seg);
      }
    } else {
      return bad(QStringLiteral("SegmentTemplate has neither a SegmentTimeline nor @duration"));
    }
    if (t->segments.empty()) return bad(QStringLiteral("no segments"));
    return Status::ok();
  }

  QXmlStreamReader xml_;
  QUrl url_;
  Presentation out_;
  double mpdDuration_ = -1;
  double periodDuration_ = -1;
};

}  // namespace

double parseIsoDuration(QStringView text) {
  // P[nD][T[nH][nM][n.nS]]; years, months and weeks have no fixed length in seconds.
  const QStringView s = text.trimmed();
  if (s.size() < 2 || s.front() != u'P') return -1;
  double total = 0;
  bool timePart = false, any = false;
  qsizetype i = 1;
  while (i < s.size()) {
    if (s[i] == u'T') {
      if (timePart) return -1;
      timePart = true;
      ++i;
      continue;
    }
    qsizetype j = i;
    while (j < s.size() && (s[j].isDigit() || s[j] == u'.')) ++j;
    if (j == i || j >= s.size()) return -1;
    bool ok = false;
    const double v = s.mid(i, j - i).toDouble(&ok);
    if (!ok || !std::isfinite(v)) return -1;
    const QChar unit = s[j];
    if (!timePart && unit == u'D') total += v * 86400;
    else if (timePart && unit == u'H') total += v * 3600;
    else if (timePart && unit == u'M') total += v * 60;
    else if (timePart && unit == u'S') total += v;
    else return -1;
    any = true;
    i = j + 1;
  }
  return any ? total : -1;
}

Result<Presentation> parseMpd(const QByteArray &xml, const QUrl &manifestUrl) { return MpdReader(xml, manifestUrl).read(); }

}  // namespace rs::player
