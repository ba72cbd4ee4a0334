#include "player/manifest/hlsparser.h"

#include <QList>
#include <algorithm>
#include <cmath>

namespace rs::player {

namespace {

constexpr std::size_t kMaxSegments = 200'000;
constexpr std::size_t kMaxVariants = 64;

Status bad(int line, const QString &why) {
  return Status(ErrorCode::BadRequest, QStringLiteral("HLS playlist line %1: %2").arg(line).arg(why));
}

// The lines of a playlist, numbered from 1, with CR LF and blank lines handled.
QList<QPair<int, QString>> linesOf(const QByteArray &text) {
  QList<QPair<int, QString>> out;
  int n = 0;
  for (const QByteArray &raw : text.split('\n')) {
    ++n;
    QString line = QString::fromUtf8(raw).trimmed();
    if (!line.isEmpty()) out.append({n, line});
  }
  return out;
}

// RFC 8216 §4.2 attribute list: KEY=value pairs, values quoted or not, commas inside
// quotes kept.
QList<QPair<QString, QString>> attributes(QStringView list) {
  QList<QPair<QString, QString>> out;
  qsizetype i = 0;
  while (i < list.size()) {
    const qsizetype eq = list.indexOf(u'=', i);
    if (eq < 0) break;
    const QString key = list.mid(i, eq - i).trimmed().toString();
    qsizetype j = eq + 1;
    QString value;
    if (j < list.size() && list[j] == u'"') {
      const qsizetype close = list.indexOf(u'"', j + 1);
      if (close < 0) {
        value = list.mid(j + 1).toString();
        j = list.size();
      } else {
        value = list.mid(j + 1, close - j - 1).toString();
        j = close + 1;
      }
      const qsizetype comma = list.indexOf(u',', j);
      j = comma < 0 ? list.size() : comma + 1;
    } else {
      const qsizetype comma = list.indexOf(u',', j);
      value = list.mid(j, comma < 0 ? -1 : comma - j).trimmed().toString();
      j = comma < 0 ? list.size() : comma + 1;
    }
    out.append({key, value});
    i = j;
  }
  return out;
}

QString attr(const QList<QPair<QString, QString>> &a, QStringView key) {
  for (const auto &[k, v] : a)
    if (k == key) return v;
  return {};
}

struct Rendition {
  QString group, name, language, uri;
  bool isDefault = false;
};

}  // namespace

bool looksLikeHls(const QByteArray &text) {
  QByteArrayView v(text);
  if (v.startsWith("\xEF\xBB\xBF")) v = v.sliced(3);
  return v.trimmed().startsWith("#EXTM3U");
}

Result<Presentation> parseHlsMultivariant(const QByteArray &text, const QUrl &url) {
  const auto lines = linesOf(text);
  if (lines.isEmpty() || !looksLikeHls(text)) return bad(1, QStringLiteral("not an HLS playlist (no #EXTM3U first line)"));
  Presentation p;
  p.format = Presentation::Format::Hls;
  p.manifestUrl = url;

  const bool media = std::any_of(lines.begin(), lines.end(), [](const auto &l) { return l.second.startsWith(u"#EXTINF:"); });
  if (media) {
    // A media playlist played on its own: one video track.
    Track t;
    t.id = QStringLiteral("main");
    t.bandwidth = 1;
    t.playlistUrl = url;
    RS_RETURN_IF_ERROR(parseHlsMedia(text, url, &t));
    p.duration = t.segments.empty() ? 0 : t.segments.back().start + t.segments.back().duration;
    p.video.push_back(std::move(t));
    return p;
  }

  QList<Rendition> audio;
  QStringList audioGroups;  // the AUDIO group of each variant, in order
  for (int i = 0; i < lines.size(); ++i) {
    const auto &[n, line] = lines[i];
    if (line.startsWith(u"#EXT-X-MEDIA:")) {
      const auto a = attributes(QStringView(line).mid(13));
      if (attr(a, u"TYPE") != u"AUDIO") continue;
      Rendition r{attr(a, u"GROUP-ID"), attr(a, u"NAME"), attr(a, u"LANGUAGE"), attr(a, u"URI"), attr(a, u"DEFAULT") == u"YES"};
      if (r.uri.isEmpty()) continue;  // audio muxed into the variants
      audio.append(r);
    } else if (line.startsWith(u"#EXT-X-STREAM-INF:")) {
      const auto a = attributes(QStringView(line).mid(18));
      bool ok = false;
      const qint64 bandwidth = attr(a, u"BANDWIDTH").toLongLong(&ok);
      if (!ok || bandwidth <= 0) return bad(n, QStringLiteral("EXT-X-STREAM-INF without a positive BANDWIDTH"));
      if (i + 1 >= lines.size() || lines[i + 1].second.startsWith(u'#'))
        return bad(n, QStringLiteral("EXT-X-STREAM-INF is not followed by a URI line"));
      if (p.video.size() >= kMaxVariants) return bad(n, QStringLiteral("too many variants"));
      Track t;
      t.kind = MediaKind::Video;
      t.bandwidth = bandwidth;
      t.codecs = attr(a, u"CODECS");
      const QString res = attr(a, u"RESOLUTION");
      const qsizetype x = res.indexOf(u'x');
      if (x > 0) {
        t.width = res.left(x).toInt();
        t.height = res.mid(x + 1).toInt();
      }
      const QString uri = lines[++i].second;
      t.playlistUrl = url.resolved(QUrl(uri));
      // Our packager names variants by directory ("video/720p/index.m3u8" → "720p").
      const QStringList parts = uri.split(u'/', Qt::SkipEmptyParts);
      t.id = parts.size() >= 2 ? parts[parts.size() - 2] : (t.height > 0 ? QStringLiteral("%1p").arg(t.height) : uri);
      t.loaded = false;
      p.video.push_back(std::move(t));
      audioGroups << attr(a, u"AUDIO");
    }
  }
  if (p.video.empty()) return bad(1, QStringLiteral("the multivariant playlist lists no variant (EXT-X-STREAM-INF)"));
  // The audio of the first variant's group: its DEFAULT rendition first.
  const QString group = audioGroups.value(0);
  QList<Rendition> mine;
  for (const Rendition &r : audio)
    if (r.group == group) mine.append(r);
  std::stable_sort(mine.begin(), mine.end(), [](const Rendition &x, const Rendition &y) { return x.isDefault && !y.isDefault; });
  for (const Rendition &r : mine) {
    Track t;
    t.kind = MediaKind::Audio;
    t.id = r.name.isEmpty() ? r.group : r.name;
    t.language = r.language;
    t.playlistUrl = url.resolved(QUrl(r.uri));
    t.loaded = false;
    p.audio.push_back(std::move(t));
  }
  std::stable_sort(p.video.begin(), p.video.end(), [](const Track &a, const Track &b) { return a.bandwidth < b.bandwidth; });
  return p;
}

Status parseHlsMedia(const QByteArray &text, const QUrl &url, Track *track) {
  const auto lines = linesOf(text);
  if (lines.isEmpty() || !looksLikeHls(text)) return bad(1, QStringLiteral("not an HLS playlist (no #EXTM3U first line)"));
  std::vector<SegmentTiming> segments;
  std::vector<QString> uris;
  QString init;
  double start = 0, pending = -1;
  std::uint64_t sequence = 0;
  bool ended = false, vod = false;
  for (const auto &[n, line] : lines) {
    if (line.startsWith(u"#EXTINF:")) {
      const QStringView v = QStringView(line).mid(8);
      const qsizetype comma = v.indexOf(u',');
      bool ok = false;
      pending = (comma < 0 ? v : v.left(comma)).toDouble(&ok);
      if (!ok || !std::isfinite(pending) || pending < 0 || pending > 86400) return bad(n, QStringLiteral("EXTINF duration is not a number"));
    } else if (line.startsWith(u"#EXT-X-MAP:")) {
      const auto a = attributes(QStringView(line).mid(11));
      if (!attr(a, u"BYTERANGE").isEmpty()) return bad(n, QStringLiteral("EXT-X-MAP with BYTERANGE is not supported"));
      init = attr(a, u"URI");
    } else if (line.startsWith(u"#EXT-X-BYTERANGE")) {
      return bad(n, QStringLiteral("EXT-X-BYTERANGE is not supported"));
    } else if (line.startsWith(u"#EXT-X-MEDIA-SEQUENCE:")) {
      sequence = QStringView(line).mid(22).toULongLong();
    } else if (line == u"#EXT-X-ENDLIST") {
      ended = true;
    } else if (line.startsWith(u"#EXT-X-PLAYLIST-TYPE:")) {
      vod = QStringView(line).mid(21) == u"VOD";
    } else if (line.startsWith(u"#EXT-X-STREAM-INF")) {
      return bad(n, QStringLiteral("a multivariant playlist where a media playlist was expected"));
    } else if (!line.startsWith(u'#')) {
      if (pending < 0) return bad(n, QStringLiteral("segment URI without a preceding EXTINF"));
      if (segments.size() >= kMaxSegments) return bad(n, QStringLiteral("too many segments"));
      SegmentTiming s;
      s.start = start;
      s.duration = pending;
      s.number = sequence + segments.size();
      segments.push_back(s);
      uris.push_back(line);
      start += pending;
      pending = -1;
    }
  }
  if (!ended && !vod) return bad(1, QStringLiteral("live playlists (no EXT-X-ENDLIST) are not supported"));
  if (segments.empty()) return bad(1, QStringLiteral("the media playlist has no segments"));
  track->base = url;
  track->initPath = init;
  track->mediaTemplate.clear();
  track->segments = std::move(segments);
  track->uris = std::move(uris);
  track->loaded = true;
  return Status::ok();
}

}  // namespace rs::player
