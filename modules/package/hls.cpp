// HLS (RFC 8216) over the same CMAF files as the MPD: version 7 for fMP4 segments
// with EXT-X-MAP; a master with one audio group that every video variant refers to.

#include "package/manifestcommon.h"
#include "package/manifests.h"
#include "package/textformat.h"

#include <QStringList>
#include <algorithm>

namespace rs::package {

namespace {

// Quoted-string attribute values cannot hold '"', CR or LF (RFC 8216 §4.2).
QString quoted(const QString &s) {
  QString v = s;
  v.remove(u'"').remove(u'\r').remove(u'\n');
  return u'"' + v + u'"';
}

QString groupIdFor(const std::vector<Representation> &audio) {
  const bool allAac = std::all_of(audio.begin(), audio.end(),
                                  [](const Representation &r) { return r.codecs.startsWith(u"mp4a"); });
  return allAac ? QStringLiteral("aac") : QStringLiteral("audio");
}

QString streamInf(std::int64_t bandwidth, std::int64_t average, const QStringList &codecs) {
  QString line = QStringLiteral("#EXT-X-STREAM-INF:BANDWIDTH=") + QString::number(bandwidth);
  if (average > 0) line += QStringLiteral(",AVERAGE-BANDWIDTH=") + QString::number(average);
  return line + QStringLiteral(",CODECS=") + quoted(codecs.join(u','));
}

}  // namespace

QByteArray writeHlsMaster(const Presentation &p) {
  const std::vector<Representation> video = byBandwidth(p.video);
  std::vector<Representation> audio;
  for (const auto &group : audioByLanguage(p.audio)) audio.insert(audio.end(), group.begin(), group.end());

  QStringList out{QStringLiteral("#EXTM3U"), QStringLiteral("#EXT-X-VERSION:7"),
                  QStringLiteral("#EXT-X-INDEPENDENT-SEGMENTS")};
  if (video.empty()) {
    // Audio only: each audio playlist is a variant of its own.
    for (const Representation &a : audio) {
      out.append(streamInf(a.bandwidth, a.averageBandwidth, {a.codecs}));
      out.append(a.playlistPath);
    }
    return (out.join(u'\n') + u'\n').toUtf8();
  }

  const QString group = groupIdFor(audio);
  std::int64_t audioPeak = 0, audioAverage = 0;
  QStringList audioCodecs;
  for (std::size_t i = 0; i < audio.size(); ++i) {
    const Representation &a = audio[i];
    audioPeak = std::max(audioPeak, a.bandwidth);
    audioAverage = std::max(audioAverage, a.averageBandwidth);
    if (!audioCodecs.contains(a.codecs)) audioCodecs.append(a.codecs);
    QString line = QStringLiteral("#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=") + quoted(group) + QStringLiteral(",NAME=") +
                   quoted(a.id);
    if (!a.language.isEmpty()) line += QStringLiteral(",LANGUAGE=") + quoted(a.language);
    line += i == 0 ? QStringLiteral(",DEFAULT=YES") : QStringLiteral(",DEFAULT=NO");
    line += QStringLiteral(",AUTOSELECT=YES");
    if (a.channels > 0) line += QStringLiteral(",CHANNELS=") + quoted(QString::number(a.channels));
    out.append(line + QStringLiteral(",URI=") + quoted(a.playlistPath));
  }
  for (const Representation &v : video) {
    QString line = streamInf(v.bandwidth + audioPeak,
                             v.averageBandwidth > 0 ? v.averageBandwidth + audioAverage : 0,
                             QStringList{v.codecs} + audioCodecs);
    if (v.width > 0 && v.height > 0)
      line += QStringLiteral(",RESOLUTION=") + QString::number(v.width) + u'x' + QString::number(v.height);
    std::uint64_t num = 0, den = 1;
    if (text::parseFrameRate(v.frameRate, &num, &den)) line += QStringLiteral(",FRAME-RATE=") + text::decimal(num, den, 3);
    if (!audio.empty()) line += QStringLiteral(",AUDIO=") + quoted(group);
    out.append(line);
    out.append(v.playlistPath);
  }
  return (out.join(u'\n') + u'\n').toUtf8();
}

namespace {

// EXT-X-KEY (RFC 8216 §4.3.2.4; SAMPLE-AES-CTR from its successor draft).
QString keyLine(const Encryption &e, const QString &iv) {
  QString line = QStringLiteral("#EXT-X-KEY:METHOD=") + e.hlsMethod + QStringLiteral(",URI=") + quoted(e.hlsKeyUri);
  if (!iv.isEmpty()) line += QStringLiteral(",IV=") + iv;
  if (!e.hlsKeyFormat.isEmpty()) line += QStringLiteral(",KEYFORMAT=") + quoted(e.hlsKeyFormat) + QStringLiteral(",KEYFORMATVERSIONS=\"1\"");
  return line;
}

}  // namespace

QByteArray writeHlsMedia(const Representation &r) {
  const Seconds longest = longestSegment(r);
  // Rounded up, so every EXTINF rounded to the nearest integer stays within it (RFC 8216 §4.3.3.1).
  const std::uint64_t target = std::max<std::uint64_t>(1, (longest.num + longest.den - 1) / longest.den);
  const QString dir = text::directoryOf(r.playlistPath);
  QStringList out{QStringLiteral("#EXTM3U"),
                  QStringLiteral("#EXT-X-VERSION:7"),
                  QStringLiteral("#EXT-X-TARGETDURATION:") + QString::number(target),
                  QStringLiteral("#EXT-X-PLAYLIST-TYPE:VOD"),
                  QStringLiteral("#EXT-X-MEDIA-SEQUENCE:") + QString::number(r.startNumber),
                  QStringLiteral("#EXT-X-INDEPENDENT-SEGMENTS")};
  // An encrypted EXT-X-MAP needs its IV stated (§4.3.2.5); with AES-128 each segment
  // then gets an EXT-X-KEY of its own with its IV.
  const bool aes128 = r.encryption && r.encryption->hlsMethod == QLatin1String("AES-128");
  if (r.encryption) out.append(keyLine(*r.encryption, aes128 ? r.encryption->initIv : QString()));
  out.append(QStringLiteral("#EXT-X-MAP:URI=") + quoted(text::relativePath(dir, r.initPath)));
  for (std::size_t i = 0; i < r.segmentDurations.size(); ++i) {
    if (aes128 && i < r.encryption->segmentIvs.size()) out.append(keyLine(*r.encryption, r.encryption->segmentIvs[i]));
    out.append(QStringLiteral("#EXTINF:") + text::decimal(r.segmentDurations[i], r.timescale, 5) + u',');
    QString media = r.mediaTemplate;
    media.replace(QStringLiteral("$Number$"), QString::number(r.startNumber + i));
    out.append(text::relativePath(dir, media));
  }
  out.append(QStringLiteral("#EXT-X-ENDLIST"));
  return (out.join(u'\n') + u'\n').toUtf8();
}

}  // namespace rs::package
