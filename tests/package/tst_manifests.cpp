// Manifest writers against golden files in tests/package/golden/, plus checks that
// read the output back (XML parser, HLS attribute lists) so a golden file that was
// regenerated from a broken writer still fails.
//
// Regenerating the golden files after an intended change to the output:
//   REELSTACK_REGENERATE_GOLDEN=1 build/<dir>/tests/tst_manifests
// then review `git diff tests/package/golden` before committing them.

#include "package/fmp4.h"
#include "package/manifestparse.h"
#include "package/manifests.h"
#include "package/textformat.h"

#include <QDir>
#include <QFile>
#include <QLocale>
#include <QTest>
#include <cmath>

using namespace rs::package;
using namespace rs::package::testing;

namespace {

Representation videoRep(const QString &id, int w, int h, std::int64_t bw, std::int64_t avg, const QString &codecs) {
  Representation r;
  r.id = id;
  r.isVideo = true;
  r.codecs = codecs;
  r.width = w;
  r.height = h;
  r.bandwidth = bw;
  r.averageBandwidth = avg;
  r.frameRate = QStringLiteral("30");
  r.timescale = 15360;
  r.segmentDurations = {61440, 61440, 30720};  // 4 s, 4 s, 2 s
  r.initPath = QStringLiteral("video/") + id + QStringLiteral("/init.mp4");
  r.mediaTemplate = QStringLiteral("video/") + id + QStringLiteral("/seg-$Number$.m4s");
  r.playlistPath = QStringLiteral("video/") + id + QStringLiteral("/index.m3u8");
  return r;
}

Representation audioRep() {
  Representation r;
  r.id = QStringLiteral("aac");
  r.isVideo = false;
  r.codecs = QStringLiteral("mp4a.40.2");
  r.bandwidth = 131072;
  r.averageBandwidth = 128512;
  r.sampleRate = 48000;
  r.channels = 2;
  r.language = QStringLiteral("en");
  r.timescale = 48000;
  r.segmentDurations = {192512, 192512, 94976};  // 188, 188 and 92.75 AAC frames: 10 s in all
  r.initPath = QStringLiteral("audio/aac/init.mp4");
  r.mediaTemplate = QStringLiteral("audio/aac/seg-$Number$.m4s");
  r.playlistPath = QStringLiteral("audio/aac/index.m3u8");
  return r;
}

// Video given out of bandwidth order on purpose: the writers sort.
Presentation fullPresentation() {
  Presentation p;
  p.durationSeconds = 10.0;
  p.video = {videoRep(QStringLiteral("720p"), 1280, 720, 2800000, 2100000, QStringLiteral("avc1.64001f")),
             videoRep(QStringLiteral("240p"), 426, 240, 400000, 330000, QStringLiteral("avc1.64000d")),
             videoRep(QStringLiteral("360p"), 640, 360, 800000, 650000, QStringLiteral("avc1.64001e"))};
  p.audio = {audioRep()};
  return p;
}

Presentation noAudioPresentation() {
  Presentation p = fullPresentation();
  p.audio.clear();
  return p;
}

Presentation oneSegmentPresentation() {
  Presentation p;
  p.durationSeconds = 1.5;
  Representation v = videoRep(QStringLiteral("720p"), 1280, 720, 2500000, 2500000, QStringLiteral("avc1.64001f"));
  v.segmentDurations = {23040};
  Representation a = audioRep();
  a.segmentDurations = {72704};  // 71 AAC frames
  p.video = {v};
  p.audio = {a};
  return p;
}

// 720p and 240p at 29.97 fps.
Presentation fractionalPresentation() {
  Presentation p = fullPresentation();
  p.video.pop_back();
  for (Representation &v : p.video) {
    v.frameRate = QStringLiteral("30000/1001");
    v.timescale = 30000;
    v.segmentDurations = {120120, 120120, 59059};  // 120, 120 and 59 frames
  }
  p.durationSeconds = 299299.0 / 30000;
  return p;
}

// A protected title as the packager describes it: video (every rung one key) and
// audio keys, ClearKey license URL, HLS key URLs; the AES-128 variant's playlists
// under hls-aes128/ with an IV per file. The values are pinned: key ids and IVs here
// are test values, and no key is ever part of a Presentation.
Encryption encryption(const QString &scheme, const QString &kid, const QString &keyUri) {
  Encryption e;
  e.scheme = scheme;
  e.defaultKid = kid;
  e.licenseUrl = QStringLiteral("https://license.example/license/v1/clearkey?title=t_1&x=<&>");
  e.hlsMethod = scheme == QLatin1String("cenc") ? QStringLiteral("SAMPLE-AES-CTR") : QStringLiteral("SAMPLE-AES");
  e.hlsKeyUri = keyUri;
  e.hlsKeyFormat = QStringLiteral("identity");
  return e;
}

Presentation protectedPresentation(const QString &scheme) {
  Presentation p = fullPresentation();
  for (Representation &v : p.video)
    v.encryption = encryption(scheme, QStringLiteral("0123abcd-0123-4567-89ab-cdef01234567"),
                              QStringLiteral("https://license.example/license/v1/hls/t_1/0123abcd0123456789abcdef01234567"));
  p.audio[0].encryption = encryption(scheme, QStringLiteral("fedc0123-4567-89ab-cdef-0123456789ab"),
                                     QStringLiteral("https://license.example/license/v1/hls/t_1/fedc0123456789abcdef0123456789ab"));
  return p;
}

Presentation aes128Presentation() {
  Presentation p = protectedPresentation(QStringLiteral("cenc"));
  for (auto *list : {&p.video, &p.audio}) {
    for (Representation &r : *list) {
      for (QString *path : {&r.initPath, &r.mediaTemplate, &r.playlistPath}) path->prepend(QStringLiteral("hls-aes128/"));
      Encryption &e = *r.encryption;
      e.hlsMethod = QStringLiteral("AES-128");
      e.hlsKeyFormat.clear();
      e.hlsKeyUri = QStringLiteral("https://license.example/license/v1/hls/t_1/aa00") + r.id;
      e.initIv = QStringLiteral("0x000102030405060708090a0b0c0d0e0f");
      for (int n = 1; n <= int(r.segmentDurations.size()); ++n)
        e.segmentIvs.push_back(QStringLiteral("0x1112131415161718191a1b1c1d1e1f%1").arg(n, 2, 10, QLatin1Char('0')));
    }
  }
  return p;
}

QString goldenPath(const QString &name) {
  return QStringLiteral(REELSTACK_SOURCE_DIR "/tests/package/golden/") + name;
}

bool regenerating() { return qEnvironmentVariableIntValue("REELSTACK_REGENERATE_GOLDEN") == 1; }

// Compares with the golden file (or rewrites it); on a mismatch names the first line that differs.
bool matchesGolden(const QString &name, const QByteArray &actual) {
  QFile f(goldenPath(name));
  if (regenerating()) {
    QDir().mkpath(QFileInfo(f).absolutePath());
    return f.open(QIODevice::WriteOnly) && f.write(actual) == actual.size();
  }
  if (!f.open(QIODevice::ReadOnly)) {
    qWarning("missing golden file %s (REELSTACK_REGENERATE_GOLDEN=1 writes it)", qPrintable(f.fileName()));
    return false;
  }
  const QByteArray expected = f.readAll();
  if (expected == actual) return true;
  const QList<QByteArray> want = expected.split('\n'), got = actual.split('\n');
  for (qsizetype i = 0; i < std::max(want.size(), got.size()); ++i) {
    const QByteArray w = want.value(i), g = got.value(i);
    if (w != g) {
      qWarning("%s differs at line %lld:\n  golden: %s\n  actual: %s", qPrintable(name), i + 1, w.constData(), g.constData());
      break;
    }
  }
  return false;
}

double seconds(std::uint64_t d, std::uint32_t timescale) { return double(d) / timescale; }

}  // namespace

class TestManifests : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void golden_data() {
    QTest::addColumn<QString>("file");
    QTest::addColumn<QByteArray>("output");
    const Presentation full = fullPresentation();
    QTest::newRow("full mpd") << QStringLiteral("full.mpd") << writeMpd(full);
    QTest::newRow("full master") << QStringLiteral("full-master.m3u8") << writeHlsMaster(full);
    QTest::newRow("full 720p") << QStringLiteral("full-720p.m3u8") << writeHlsMedia(full.video[0]);
    QTest::newRow("full aac") << QStringLiteral("full-aac.m3u8") << writeHlsMedia(full.audio[0]);
    const Presentation noAudio = noAudioPresentation();
    QTest::newRow("no audio mpd") << QStringLiteral("noaudio.mpd") << writeMpd(noAudio);
    QTest::newRow("no audio master") << QStringLiteral("noaudio-master.m3u8") << writeHlsMaster(noAudio);
    const Presentation one = oneSegmentPresentation();
    QTest::newRow("one segment mpd") << QStringLiteral("onesegment.mpd") << writeMpd(one);
    QTest::newRow("one segment master") << QStringLiteral("onesegment-master.m3u8") << writeHlsMaster(one);
    QTest::newRow("one segment 720p") << QStringLiteral("onesegment-720p.m3u8") << writeHlsMedia(one.video[0]);
    const Presentation fractional = fractionalPresentation();
    QTest::newRow("fractional mpd") << QStringLiteral("fractional.mpd") << writeMpd(fractional);
    QTest::newRow("fractional master") << QStringLiteral("fractional-master.m3u8") << writeHlsMaster(fractional);
    QTest::newRow("fractional 240p") << QStringLiteral("fractional-240p.m3u8") << writeHlsMedia(fractional.video[1]);
    const Presentation cenc = protectedPresentation(QStringLiteral("cenc")), cbcs = protectedPresentation(QStringLiteral("cbcs"));
    QTest::newRow("cenc mpd") << QStringLiteral("cenc.mpd") << writeMpd(cenc);
    QTest::newRow("cbcs mpd") << QStringLiteral("cbcs.mpd") << writeMpd(cbcs);
    QTest::newRow("cenc sample-aes master") << QStringLiteral("cenc-master.m3u8") << writeHlsMaster(cenc);
    QTest::newRow("cenc sample-aes 720p") << QStringLiteral("cenc-720p.m3u8") << writeHlsMedia(cenc.video[0]);
    QTest::newRow("cbcs sample-aes aac") << QStringLiteral("cbcs-aac.m3u8") << writeHlsMedia(cbcs.audio[0]);
    const Presentation aes = aes128Presentation();
    QTest::newRow("aes-128 master") << QStringLiteral("aes128-master.m3u8") << writeHlsMaster(aes);
    QTest::newRow("aes-128 720p") << QStringLiteral("aes128-720p.m3u8") << writeHlsMedia(aes.video[0]);
  }
  void golden() {
    QFETCH(QString, file);
    QFETCH(QByteArray, output);
    QVERIFY2(matchesGolden(file, output), qPrintable(file));
  }

  // Numbers must not follow the process locale (a German locale writes "4,00000").
  void outputIgnoresLocale() {
    const Presentation p = fractionalPresentation();
    const QByteArray mpd = writeMpd(p), master = writeHlsMaster(p), media = writeHlsMedia(p.video[0]);
    const QLocale before;
    QLocale::setDefault(QLocale(QLocale::German, QLocale::Germany));
    const QByteArray mpd2 = writeMpd(p), master2 = writeHlsMaster(p), media2 = writeHlsMedia(p.video[0]);
    QLocale::setDefault(before);
    QCOMPARE(mpd2, mpd);
    QCOMPARE(master2, master);
    QCOMPARE(media2, media);
    QVERIFY(media.contains("#EXTINF:4.00400,"));
  }

  void mpdReadsBack() {
    const Presentation p = fullPresentation();
    QString error;
    const XmlElement mpd = parseXml(writeMpd(p), &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(mpd.name, QStringLiteral("MPD"));
    QCOMPARE(mpd.attrs.value(QStringLiteral("type")), QStringLiteral("static"));
    QVERIFY(mpd.attrs.value(QStringLiteral("profiles")).split(u',').contains(QStringLiteral("urn:mpeg:dash:profile:isoff-live:2011")));
    QCOMPARE(mpd.attrs.value(QStringLiteral("mediaPresentationDuration")), QStringLiteral("PT10.000S"));
    QCOMPARE(mpd.attrs.value(QStringLiteral("minBufferTime")), QStringLiteral("PT4.011S"));  // the longest segment (audio)

    const auto periods = mpd.all(QStringLiteral("Period"));
    QCOMPARE(periods.size(), std::size_t(1));
    const auto sets = periods[0]->all(QStringLiteral("AdaptationSet"));
    QCOMPARE(sets.size(), std::size_t(2));
    const XmlElement &video = *sets[0];
    QCOMPARE(video.attrs.value(QStringLiteral("contentType")), QStringLiteral("video"));
    QCOMPARE(video.attrs.value(QStringLiteral("mimeType")), QStringLiteral("video/mp4"));
    QCOMPARE(video.attrs.value(QStringLiteral("segmentAlignment")), QStringLiteral("true"));
    QCOMPARE(video.attrs.value(QStringLiteral("startWithSAP")), QStringLiteral("1"));
    QCOMPARE(video.attrs.value(QStringLiteral("maxWidth")), QStringLiteral("1280"));
    QCOMPARE(video.attrs.value(QStringLiteral("maxHeight")), QStringLiteral("720"));
    QCOMPARE(video.attrs.value(QStringLiteral("maxFrameRate")), QStringLiteral("30"));

    const auto reps = video.all(QStringLiteral("Representation"));
    QCOMPARE(reps.size(), std::size_t(3));
    QStringList ids;
    std::int64_t lastBandwidth = 0;
    for (const XmlElement *r : reps) {
      ids.append(r->attrs.value(QStringLiteral("id")));
      const std::int64_t bw = r->attrs.value(QStringLiteral("bandwidth")).toLongLong();
      QVERIFY(bw > lastBandwidth);
      lastBandwidth = bw;
      const Representation *src = nullptr;
      for (const Representation &v : p.video)
        if (v.id == ids.last()) src = &v;
      QVERIFY(src);
      QCOMPARE(bw, src->bandwidth);
      QCOMPARE(r->attrs.value(QStringLiteral("width")).toInt(), src->width);
      QCOMPARE(r->attrs.value(QStringLiteral("height")).toInt(), src->height);
      QCOMPARE(r->attrs.value(QStringLiteral("codecs")), src->codecs);
      QCOMPARE(r->attrs.value(QStringLiteral("frameRate")), QStringLiteral("30"));
      QCOMPARE(r->attrs.value(QStringLiteral("sar")), QStringLiteral("1:1"));
      const XmlElement *tpl = r->first(QStringLiteral("SegmentTemplate"));
      QVERIFY(tpl);
      QCOMPARE(tpl->attrs.value(QStringLiteral("timescale")), QStringLiteral("15360"));
      QCOMPARE(tpl->attrs.value(QStringLiteral("initialization")), src->initPath);
      QCOMPARE(tpl->attrs.value(QStringLiteral("media")), src->mediaTemplate);
      QVERIFY(tpl->attrs.value(QStringLiteral("media")).contains(QStringLiteral("$Number$")));
      QCOMPARE(tpl->attrs.value(QStringLiteral("startNumber")), QStringLiteral("1"));
      const XmlElement *timeline = tpl->first(QStringLiteral("SegmentTimeline"));
      QVERIFY(timeline);
      QCOMPARE(timeline->all(QStringLiteral("S")).size(), std::size_t(2));  // 2×4 s run-length encoded, then 2 s
      std::uint64_t start = 99;
      QCOMPARE(expandTimeline(*timeline, &start), src->segmentDurations);
      QCOMPARE(start, std::uint64_t(0));
    }
    QCOMPARE(ids, (QStringList{QStringLiteral("240p"), QStringLiteral("360p"), QStringLiteral("720p")}));

    const XmlElement &audio = *sets[1];
    QCOMPARE(audio.attrs.value(QStringLiteral("contentType")), QStringLiteral("audio"));
    QCOMPARE(audio.attrs.value(QStringLiteral("mimeType")), QStringLiteral("audio/mp4"));
    QCOMPARE(audio.attrs.value(QStringLiteral("lang")), QStringLiteral("en"));
    const auto audioReps = audio.all(QStringLiteral("Representation"));
    QCOMPARE(audioReps.size(), std::size_t(1));
    QCOMPARE(audioReps[0]->attrs.value(QStringLiteral("codecs")), QStringLiteral("mp4a.40.2"));
    QCOMPARE(audioReps[0]->attrs.value(QStringLiteral("audioSamplingRate")), QStringLiteral("48000"));
    const XmlElement *channels = audioReps[0]->first(QStringLiteral("AudioChannelConfiguration"));
    QVERIFY(channels);
    QCOMPARE(channels->attrs.value(QStringLiteral("value")), QStringLiteral("2"));
    const XmlElement *timeline = audioReps[0]->first(QStringLiteral("SegmentTemplate"))->first(QStringLiteral("SegmentTimeline"));
    QCOMPARE(expandTimeline(*timeline, nullptr), p.audio[0].segmentDurations);
  }

  // ContentProtection read back with a namespace-aware XML parser: the mp4protection
  // descriptor with cenc:default_KID in urn:mpeg:cenc:2013, then ClearKey with its
  // license URL in dashif:Laurl (https://dashif.org/CPS), once per AdaptationSet.
  void protectedMpdReadsBack_data() {
    QTest::addColumn<QString>("scheme");
    QTest::newRow("cenc") << QStringLiteral("cenc");
    QTest::newRow("cbcs") << QStringLiteral("cbcs");
  }
  void protectedMpdReadsBack() {
    QFETCH(QString, scheme);
    const Presentation p = protectedPresentation(scheme);
    QString error;
    const XmlElement mpd = parseXml(writeMpd(p), &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    const auto sets = mpd.first(QStringLiteral("Period"))->all(QStringLiteral("AdaptationSet"));
    QCOMPARE(sets.size(), std::size_t(2));
    for (std::size_t i = 0; i < 2; ++i) {
      const Encryption &e = *(i == 0 ? p.video[0] : p.audio[0]).encryption;
      const auto cps = sets[i]->all(QStringLiteral("ContentProtection"));
      QCOMPARE(cps.size(), std::size_t(2));
      QCOMPARE(cps[0]->attrs.value(QStringLiteral("schemeIdUri")), QStringLiteral("urn:mpeg:dash:mp4protection:2011"));
      QCOMPARE(cps[0]->attrs.value(QStringLiteral("value")), scheme);
      QCOMPARE(cps[0]->attrs.value(QStringLiteral("{urn:mpeg:cenc:2013}default_KID")), e.defaultKid);
      QCOMPARE(cps[1]->attrs.value(QStringLiteral("schemeIdUri")), QStringLiteral("urn:uuid:e2719d58-a985-b3c9-781a-b030af78d30e"));
      const XmlElement *laurl = cps[1]->first(QStringLiteral("Laurl"));
      QVERIFY(laurl);
      QCOMPARE(laurl->namespaceUri, QStringLiteral("https://dashif.org/CPS"));
      QCOMPARE(laurl->text, e.licenseUrl);
      // Said once for the set, not again on each representation.
      for (const XmlElement *r : sets[i]->all(QStringLiteral("Representation"))) QVERIFY(r->all(QStringLiteral("ContentProtection")).empty());
    }
    // A clear title's MPD has no ContentProtection and no extra namespaces.
    QVERIFY(!writeMpd(fullPresentation()).contains("ContentProtection"));
    QVERIFY(!writeMpd(fullPresentation()).contains("xmlns:cenc"));
  }

  // Representations of one set with different keys: each states its own.
  void mpdProtectionPerRepresentationWhenKeysDiffer() {
    Presentation p = protectedPresentation(QStringLiteral("cenc"));
    p.video[1].encryption->defaultKid = QStringLiteral("11111111-2222-3333-4444-555555555555");
    QString error;
    const XmlElement mpd = parseXml(writeMpd(p), &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    const XmlElement *video = mpd.first(QStringLiteral("Period"))->all(QStringLiteral("AdaptationSet"))[0];
    QVERIFY(video->all(QStringLiteral("ContentProtection")).empty());
    QStringList kids;
    for (const XmlElement *r : video->all(QStringLiteral("Representation")))
      kids.append(r->first(QStringLiteral("ContentProtection"))->attrs.value(QStringLiteral("default_KID")));
    QCOMPARE(kids.size(), 3);
    QVERIFY(kids.contains(QStringLiteral("11111111-2222-3333-4444-555555555555")));
  }

  // EXT-X-KEY lines: SAMPLE-AES(-CTR) once before EXT-X-MAP with KEYFORMAT identity;
  // AES-128 before EXT-X-MAP with the init IV and again before each segment with its own.
  void hlsKeysReadBack() {
    const Presentation cenc = protectedPresentation(QStringLiteral("cenc"));
    const QByteArray sampleAes = writeHlsMedia(cenc.video[0]);
    const auto keys = tagged(sampleAes, QStringLiteral("#EXT-X-KEY:"));
    QCOMPARE(keys.size(), std::size_t(1));
    const QMap<QString, QString> k = hlsAttributes(keys[0].value);
    QCOMPARE(k.value(QStringLiteral("METHOD")), QStringLiteral("SAMPLE-AES-CTR"));
    QCOMPARE(k.value(QStringLiteral("KEYFORMAT")), QStringLiteral("identity"));
    QVERIFY(k.value(QStringLiteral("URI")).contains(QStringLiteral("0123abcd0123456789abcdef01234567")));
    QVERIFY(keys[0].line < tagged(sampleAes, QStringLiteral("#EXT-X-MAP:"))[0].line);
    QCOMPARE(hlsAttributes(tagged(writeHlsMedia(protectedPresentation(QStringLiteral("cbcs")).video[0]), QStringLiteral("#EXT-X-KEY:"))[0].value)
                 .value(QStringLiteral("METHOD")),
             QStringLiteral("SAMPLE-AES"));

    const Presentation aes = aes128Presentation();
    const QByteArray media = writeHlsMedia(aes.video[0]);
    const auto aesKeys = tagged(media, QStringLiteral("#EXT-X-KEY:"));
    const auto extinf = tagged(media, QStringLiteral("#EXTINF:"));
    QCOMPARE(aesKeys.size(), aes.video[0].segmentDurations.size() + 1);
    QCOMPARE(hlsAttributes(aesKeys[0].value).value(QStringLiteral("IV")), aes.video[0].encryption->initIv);
    QVERIFY(aesKeys[0].line < tagged(media, QStringLiteral("#EXT-X-MAP:"))[0].line);
    for (std::size_t i = 0; i < extinf.size(); ++i) {
      const QMap<QString, QString> a = hlsAttributes(aesKeys[i + 1].value);
      QCOMPARE(a.value(QStringLiteral("METHOD")), QStringLiteral("AES-128"));
      QCOMPARE(a.value(QStringLiteral("IV")), aes.video[0].encryption->segmentIvs[i]);
      QVERIFY(!a.contains(QStringLiteral("KEYFORMAT")));
      QCOMPARE(aesKeys[i + 1].line, extinf[i].line - 1);  // right before the segment it applies to
    }
    // The master points at the AES-128 playlists.
    QVERIFY(writeHlsMaster(aes).contains("hls-aes128/video/720p/index.m3u8"));
  }

  void mpdEscapesAttributes() {
    Presentation p = oneSegmentPresentation();
    p.video[0].id = QStringLiteral("a\"b<&>");
    QString error;
    const XmlElement mpd = parseXml(writeMpd(p), &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    const auto *rep = mpd.first(QStringLiteral("Period"))->first(QStringLiteral("AdaptationSet"))->first(QStringLiteral("Representation"));
    QCOMPARE(rep->attrs.value(QStringLiteral("id")), QStringLiteral("a\"b<&>"));
  }

  void timelineStartsAtFirstDecodeTime() {
    Presentation p = oneSegmentPresentation();
    p.video[0].segmentDurations = {512, 512, 512, 256};
    p.video[0].timelineStart = 1024;
    QString error;
    const XmlElement mpd = parseXml(writeMpd(p), &error);
    const auto *tpl = mpd.first(QStringLiteral("Period"))->first(QStringLiteral("AdaptationSet"))
                          ->first(QStringLiteral("Representation"))->first(QStringLiteral("SegmentTemplate"));
    std::uint64_t start = 0;
    QCOMPARE(expandTimeline(*tpl->first(QStringLiteral("SegmentTimeline")), &start), p.video[0].segmentDurations);
    QCOMPARE(start, std::uint64_t(1024));
  }

  void masterReadsBack() {
    const Presentation p = fullPresentation();
    const QByteArray master = writeHlsMaster(p);
    QVERIFY(master.startsWith("#EXTM3U\n"));
    QVERIFY(master.contains("\n#EXT-X-VERSION:7\n"));
    QVERIFY(master.contains("\n#EXT-X-INDEPENDENT-SEGMENTS\n"));

    const auto media = tagged(master, QStringLiteral("#EXT-X-MEDIA:"));
    QCOMPARE(media.size(), std::size_t(1));
    const auto audio = hlsAttributes(media[0].value);
    QCOMPARE(audio.value(QStringLiteral("TYPE")), QStringLiteral("AUDIO"));
    QCOMPARE(audio.value(QStringLiteral("GROUP-ID")), QStringLiteral("aac"));
    QCOMPARE(audio.value(QStringLiteral("LANGUAGE")), QStringLiteral("en"));
    QCOMPARE(audio.value(QStringLiteral("DEFAULT")), QStringLiteral("YES"));
    QCOMPARE(audio.value(QStringLiteral("AUTOSELECT")), QStringLiteral("YES"));
    QCOMPARE(audio.value(QStringLiteral("CHANNELS")), QStringLiteral("2"));
    QCOMPARE(audio.value(QStringLiteral("URI")), QStringLiteral("audio/aac/index.m3u8"));
    QVERIFY(!audio.value(QStringLiteral("NAME")).isEmpty());

    const auto variants = tagged(master, QStringLiteral("#EXT-X-STREAM-INF:"));
    QCOMPARE(variants.size(), std::size_t(3));
    QStringList uris;
    for (const TaggedLine &v : variants) {
      const auto a = hlsAttributes(v.value);
      uris.append(v.next);
      const Representation *src = nullptr;
      for (const Representation &r : p.video)
        if (r.playlistPath == v.next) src = &r;
      QVERIFY2(src, qPrintable(v.next));
      QCOMPARE(a.value(QStringLiteral("BANDWIDTH")).toLongLong(), src->bandwidth + p.audio[0].bandwidth);
      QCOMPARE(a.value(QStringLiteral("AVERAGE-BANDWIDTH")).toLongLong(),
               src->averageBandwidth + p.audio[0].averageBandwidth);
      QCOMPARE(a.value(QStringLiteral("CODECS")), src->codecs + QStringLiteral(",mp4a.40.2"));
      QCOMPARE(a.value(QStringLiteral("RESOLUTION")),
               QString::number(src->width) + u'x' + QString::number(src->height));
      QCOMPARE(a.value(QStringLiteral("FRAME-RATE")), QStringLiteral("30.000"));
      QCOMPARE(a.value(QStringLiteral("AUDIO")), QStringLiteral("aac"));
    }
    QCOMPARE(uris, (QStringList{QStringLiteral("video/240p/index.m3u8"), QStringLiteral("video/360p/index.m3u8"),
                                QStringLiteral("video/720p/index.m3u8")}));
  }

  void masterWithoutAudio() {
    const Presentation p = noAudioPresentation();
    const QByteArray master = writeHlsMaster(p);
    QVERIFY(tagged(master, QStringLiteral("#EXT-X-MEDIA:")).empty());
    const auto variants = tagged(master, QStringLiteral("#EXT-X-STREAM-INF:"));
    QCOMPARE(variants.size(), std::size_t(3));
    for (const TaggedLine &v : variants) {
      const auto a = hlsAttributes(v.value);
      QVERIFY(!a.contains(QStringLiteral("AUDIO")));
      QVERIFY(!a.value(QStringLiteral("CODECS")).contains(QStringLiteral("mp4a")));
      QVERIFY(a.value(QStringLiteral("CODECS")).startsWith(QStringLiteral("avc1.")));
    }
    QCOMPARE(hlsAttributes(variants[0].value).value(QStringLiteral("BANDWIDTH")), QStringLiteral("400000"));

    QString error;
    const XmlElement mpd = parseXml(writeMpd(p), &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    const auto sets = mpd.first(QStringLiteral("Period"))->all(QStringLiteral("AdaptationSet"));
    QCOMPARE(sets.size(), std::size_t(1));
    QCOMPARE(sets[0]->attrs.value(QStringLiteral("contentType")), QStringLiteral("video"));
  }

  void audioOnlyMasterListsAudioVariants() {
    Presentation p;
    p.durationSeconds = 10;
    p.audio = {audioRep()};
    const auto variants = tagged(writeHlsMaster(p), QStringLiteral("#EXT-X-STREAM-INF:"));
    QCOMPARE(variants.size(), std::size_t(1));
    QCOMPARE(variants[0].next, QStringLiteral("audio/aac/index.m3u8"));
    QCOMPARE(hlsAttributes(variants[0].value).value(QStringLiteral("CODECS")), QStringLiteral("mp4a.40.2"));
  }

  void mediaPlaylistRules_data() {
    QTest::addColumn<std::vector<std::uint64_t>>("durations");
    QTest::addColumn<int>("targetDuration");
    QTest::newRow("whole seconds") << std::vector<std::uint64_t>{61440, 61440, 30720} << 4;
    // 4.4 s rounds to 4 but the rule is "rounded EXTINF ≤ target", so ceil is the safe bound.
    QTest::newRow("4.4 s") << std::vector<std::uint64_t>{67584, 30720} << 5;
    QTest::newRow("4.6 s") << std::vector<std::uint64_t>{70656} << 5;
    QTest::newRow("barely over") << std::vector<std::uint64_t>{61441, 61440} << 5;
    QTest::newRow("short") << std::vector<std::uint64_t>{1536} << 1;
  }
  void mediaPlaylistRules() {
    QFETCH(std::vector<std::uint64_t>, durations);
    QFETCH(int, targetDuration);
    Representation r = videoRep(QStringLiteral("720p"), 1280, 720, 1, 1, QStringLiteral("avc1.64001f"));
    r.segmentDurations = durations;
    r.startNumber = 7;
    const QByteArray playlist = writeHlsMedia(r);
    QVERIFY(playlist.startsWith("#EXTM3U\n#EXT-X-VERSION:7\n"));
    QVERIFY(playlist.endsWith("#EXT-X-ENDLIST\n"));
    QVERIFY(playlist.contains("\n#EXT-X-PLAYLIST-TYPE:VOD\n"));
    QVERIFY(playlist.contains("\n#EXT-X-MEDIA-SEQUENCE:7\n"));
    QVERIFY(playlist.contains("\n#EXT-X-INDEPENDENT-SEGMENTS\n"));
    QVERIFY(playlist.contains("\n#EXT-X-MAP:URI=\"init.mp4\"\n"));
    const auto target = tagged(playlist, QStringLiteral("#EXT-X-TARGETDURATION:"));
    QCOMPARE(target.size(), std::size_t(1));
    QCOMPARE(target[0].value.toInt(), targetDuration);
    const auto segments = tagged(playlist, QStringLiteral("#EXTINF:"));
    QCOMPARE(segments.size(), durations.size());
    for (std::size_t i = 0; i < segments.size(); ++i) {
      QVERIFY(segments[i].value.endsWith(u','));
      const QString number = segments[i].value.chopped(1);
      QCOMPARE(number.size() - number.indexOf(u'.') - 1, 5);  // five decimals
      const double extinf = number.toDouble();
      QVERIFY(std::abs(extinf - seconds(durations[i], r.timescale)) < 0.000005);
      QVERIFY(std::lround(extinf) <= targetDuration);
      QCOMPARE(segments[i].next, QStringLiteral("seg-%1.m4s").arg(7 + i));
    }
  }

  void mediaPlaylistUrisAreRelativeToThePlaylist() {
    Representation r = videoRep(QStringLiteral("720p"), 1280, 720, 1, 1, QStringLiteral("avc1.64001f"));
    r.playlistPath = QStringLiteral("hls/720p.m3u8");
    const QByteArray playlist = writeHlsMedia(r);
    QVERIFY(playlist.contains("#EXT-X-MAP:URI=\"../video/720p/init.mp4\"\n"));
    QCOMPARE(tagged(playlist, QStringLiteral("#EXTINF:"))[0].next, QStringLiteral("../video/720p/seg-1.m4s"));
  }

  void fractionalFrameRate() {
    const Presentation p = fractionalPresentation();
    QString error;
    const XmlElement mpd = parseXml(writeMpd(p), &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    const XmlElement *video = mpd.first(QStringLiteral("Period"))->first(QStringLiteral("AdaptationSet"));
    QCOMPARE(video->attrs.value(QStringLiteral("maxFrameRate")), QStringLiteral("30000/1001"));
    for (const XmlElement *r : video->all(QStringLiteral("Representation")))
      QCOMPARE(r->attrs.value(QStringLiteral("frameRate")), QStringLiteral("30000/1001"));
    QCOMPARE(mpd.attrs.value(QStringLiteral("mediaPresentationDuration")), QStringLiteral("PT9.977S"));
    for (const TaggedLine &v : tagged(writeHlsMaster(p), QStringLiteral("#EXT-X-STREAM-INF:")))
      QCOMPARE(hlsAttributes(v.value).value(QStringLiteral("FRAME-RATE")), QStringLiteral("29.970"));
    const QByteArray media = writeHlsMedia(p.video[0]);
    QVERIFY(media.contains("#EXTINF:4.00400,\n"));
    QVERIFY(media.contains("#EXTINF:1.96863,\n"));
    QVERIFY(media.contains("#EXT-X-TARGETDURATION:5\n"));
  }

  void maxFrameRateIsTheHighest() {
    Presentation p = fullPresentation();
    p.video[0].frameRate = QStringLiteral("60000/1001");
    p.video[1].frameRate = QStringLiteral("25");
    p.video[2].frameRate = QStringLiteral("50");
    QString error;
    const XmlElement mpd = parseXml(writeMpd(p), &error);
    QCOMPARE(mpd.first(QStringLiteral("Period"))->first(QStringLiteral("AdaptationSet"))->attrs.value(QStringLiteral("maxFrameRate")),
             QStringLiteral("60000/1001"));
  }

  void oneSegment() {
    const Presentation p = oneSegmentPresentation();
    QString error;
    const XmlElement mpd = parseXml(writeMpd(p), &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    const auto *timeline = mpd.first(QStringLiteral("Period"))->first(QStringLiteral("AdaptationSet"))
                               ->first(QStringLiteral("Representation"))->first(QStringLiteral("SegmentTemplate"))
                               ->first(QStringLiteral("SegmentTimeline"));
    const auto s = timeline->all(QStringLiteral("S"));
    QCOMPARE(s.size(), std::size_t(1));
    QVERIFY(!s[0]->attrs.contains(QStringLiteral("r")));
    const QByteArray media = writeHlsMedia(p.video[0]);
    QCOMPARE(tagged(media, QStringLiteral("#EXTINF:")).size(), std::size_t(1));
    QVERIFY(media.contains("#EXT-X-TARGETDURATION:2\n"));
  }

  void writersAreDeterministic() {
    Presentation p = fullPresentation();
    const QByteArray mpd = writeMpd(p), master = writeHlsMaster(p);
    std::reverse(p.video.begin(), p.video.end());
    QCOMPARE(writeMpd(p), mpd);
    QCOMPARE(writeHlsMaster(p), master);
  }

  void decimals() {
    QCOMPARE(text::decimal(61440, 15360, 3), QStringLiteral("4.000"));
    QCOMPARE(text::decimal(1, 3, 5), QStringLiteral("0.33333"));
    QCOMPARE(text::decimal(2, 3, 5), QStringLiteral("0.66667"));
    QCOMPARE(text::decimal(5, 1000000, 5), QStringLiteral("0.00001"));  // half up
    QCOMPARE(text::decimal(30000, 1001, 3), QStringLiteral("29.970"));
    QCOMPARE(text::decimal(std::uint64_t(1) << 62, 1, 0), QStringLiteral("4611686018427387904"));
    std::uint64_t n = 0, d = 0;
    QVERIFY(text::parseFrameRate(QStringLiteral("29.97"), &n, &d));
    QCOMPARE(n * 100 / d, std::uint64_t(2997));
    QVERIFY(!text::parseFrameRate(QString(), &n, &d));
    QVERIFY(!text::parseFrameRate(QStringLiteral("0/1"), &n, &d));
    QVERIFY(!text::parseFrameRate(QStringLiteral("30/0"), &n, &d));
    QVERIFY(!text::parseFrameRate(QStringLiteral("fast"), &n, &d));
    QCOMPARE(text::relativePath(QStringLiteral("video/720p"), QStringLiteral("video/720p/init.mp4")), QStringLiteral("init.mp4"));
    QCOMPARE(text::relativePath(QString(), QStringLiteral("video/720p/init.mp4")), QStringLiteral("video/720p/init.mp4"));
    QCOMPARE(text::relativePath(QStringLiteral("audio/aac"), QStringLiteral("video/720p/init.mp4")),
             QStringLiteral("../../video/720p/init.mp4"));
    QCOMPARE(text::relativePath(QStringLiteral("a"), QStringLiteral("a")), QStringLiteral("../a"));
  }

  // representationFrom over a synthetic summary: RFC 8216's peak (runs of 0.5–1.5 target
  // durations) keeps a tiny, dense last segment from inflating the bandwidth.
  void representationBandwidths() {
    TrackSummary t;
    t.isVideo = true;
    t.timescale = 1000;
    t.codecs = QStringLiteral("avc1.64001f");
    t.width = 1280;
    t.height = 720;
    const std::int64_t sizes[] = {500000, 1000000, 750000, 5000};
    const std::uint64_t durations[] = {4000, 4000, 4000, 40};
    std::uint64_t time = 0;
    for (int i = 0; i < 4; ++i) {
      SegmentInfo s;
      s.number = std::uint64_t(i) + 1;
      s.baseDecodeTime = time;
      s.duration = durations[i];
      s.bytes = sizes[i];
      s.startsWithSyncSample = true;
      t.segments.push_back(s);
      time += durations[i];
    }
    const Representation r = representationFrom(t, QStringLiteral("720p"), QStringLiteral("video/720p"));
    QCOMPARE(r.bandwidth, std::int64_t(2000000));  // 1 MB in 4 s
    QCOMPARE(r.averageBandwidth, std::int64_t((500000 + 1000000 + 750000 + 5000) * 8000LL / 12040 + 1));
    QCOMPARE(r.segmentDurations, (std::vector<std::uint64_t>{4000, 4000, 4000, 40}));
    QCOMPARE(r.initPath, QStringLiteral("video/720p/init.mp4"));
    QCOMPARE(r.mediaTemplate, QStringLiteral("video/720p/seg-$Number$.m4s"));
    QCOMPARE(r.playlistPath, QStringLiteral("video/720p/index.m3u8"));
    QCOMPARE(r.startNumber, std::uint64_t(1));
    QVERIFY(r.frameRate.isEmpty());
    QCOMPARE(r.width, 1280);
    QCOMPARE(r.codecs, t.codecs);

    // A dense short last segment: alone it would be 40 Mbit/s; joined with its neighbour it is not.
    t.segments[3].bytes = 200000;
    const Representation dense = representationFrom(t, QStringLiteral("720p"), QStringLiteral("video/720p"));
    QCOMPARE(dense.bandwidth, std::int64_t(2000000));
    t.segments[2].bytes = 1100000;
    const Representation joined = representationFrom(t, QStringLiteral("720p"), QStringLiteral("video/720p"));
    QCOMPARE(joined.bandwidth, std::int64_t((1100000 + 200000) * 8000LL / 4040 + 1));  // segments 3+4 together
  }

  // Decode times, not sample durations, drive the timeline, so nothing drifts when a
  // fragment's last sample ends short of the next fragment.
  void representationTimelineFollowsDecodeTimes() {
    TrackSummary t;
    t.isVideo = false;
    t.timescale = 48000;
    t.codecs = QStringLiteral("mp4a.40.2");
    const std::uint64_t starts[] = {1024, 97280, 193536};
    for (int i = 0; i < 3; ++i) {
      SegmentInfo s;
      s.number = std::uint64_t(i) + 1;
      s.baseDecodeTime = starts[i];
      s.duration = 96000;  // a little less than the distance to the next fragment
      s.bytes = 32000;
      t.segments.push_back(s);
    }
    const Representation r = representationFrom(t, QStringLiteral("aac"), QStringLiteral("audio/aac/"));
    QCOMPARE(r.segmentDurations, (std::vector<std::uint64_t>{96256, 96256, 96000}));
    QCOMPARE(r.timelineStart, std::uint64_t(1024));
    QCOMPARE(r.initPath, QStringLiteral("audio/aac/init.mp4"));
    QVERIFY(!r.isVideo);
  }
};

QTEST_GUILESS_MAIN(TestManifests)
#include "tst_manifests.moc"
