#include "player/manifest/presentation.h"

namespace rs::player {

namespace {

// "$Number%05d$" → width 5; the spec allows only the %0[width]d format tag.
QString formatted(QStringView format, std::uint64_t value) {
  const QString digits = QString::number(value);
  if (format.isEmpty()) return digits;
  if (format.size() < 3 || format.front() != u'%' || format.back() != u'd') return digits;
  bool ok = false;
  const int width = format.mid(1, format.size() - 2).toInt(&ok);
  if (!ok || width <= 0 || width > 32) return digits;
  return digits.rightJustified(width, u'0');
}

}  // namespace

QString expandTemplate(const QString &tmpl, const QString &representationId, std::int64_t bandwidth,
                       std::uint64_t number, std::uint64_t time) {
  QString out;
  out.reserve(tmpl.size() + 16);
  qsizetype i = 0;
  while (i < tmpl.size()) {
    const qsizetype open = tmpl.indexOf(u'$', i);
    if (open < 0) {
      out += QStringView(tmpl).mid(i);
      break;
    }
    out += QStringView(tmpl).mid(i, open - i);
    const qsizetype close = tmpl.indexOf(u'$', open + 1);
    if (close < 0) {  // a lone '$' is kept as it is
      out += QStringView(tmpl).mid(open);
      break;
    }
    const QStringView ident = QStringView(tmpl).mid(open + 1, close - open - 1);
    const qsizetype pct = ident.indexOf(u'%');
    const QStringView name = pct < 0 ? ident : ident.left(pct);
    const QStringView format = pct < 0 ? QStringView() : ident.mid(pct);
    if (ident.isEmpty()) out += u'$';
    else if (name == u"RepresentationID") out += representationId;
    else if (name == u"Number") out += formatted(format, number);
    else if (name == u"Time") out += formatted(format, time);
    else if (name == u"Bandwidth") out += formatted(format, std::uint64_t(qMax<std::int64_t>(0, bandwidth)));
    else out += QStringView(tmpl).mid(open, close - open + 1);  // unknown: left alone
    i = close + 1;
  }
  return out;
}

QUrl Track::initUrl() const {
  if (initPath.isEmpty()) return {};
  const QString path = mediaTemplate.isEmpty() ? initPath : expandTemplate(initPath, id, bandwidth, 0, 0);
  return base.resolved(QUrl(path));
}

QUrl Track::segmentUrl(std::size_t index) const {
  if (index >= segments.size()) return {};
  if (!mediaTemplate.isEmpty()) {
    const SegmentTiming &s = segments[index];
    return base.resolved(QUrl(expandTemplate(mediaTemplate, id, bandwidth, s.number, s.time)));
  }
  return index < uris.size() ? base.resolved(QUrl(uris[index])) : QUrl();
}

QUrl urlOf(const Presentation &p, const MediaRef &ref) {
  const std::vector<Track> &list = p.tracks(ref.kind);
  if (ref.track < 0 || std::size_t(ref.track) >= list.size()) return {};
  const Track &t = list[std::size_t(ref.track)];
  return ref.segment < 0 ? t.initUrl() : t.segmentUrl(std::size_t(ref.segment));
}

}  // namespace rs::player
