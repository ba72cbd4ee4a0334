// The player's MPD and HLS readers: the packager's golden files (what origin serves)
// read back into tracks, segments and URLs; the SegmentTemplate features other
// packagers use (inheritance, BaseURL levels, $Time$, widths, @duration, r=-1); and
// malformed or unsupported manifests refused with an error that says what is wrong;
// and playback tokens: segment and playlist URLs of a manifest fetched at /m/<token>/…
// keep the token, and a renewal swaps it in every URL still to be fetched.

#include "player/manifest/hlsparser.h"
#include "player/manifest/mpdparser.h"
#include "player/net/urlrewriter.h"

#include <QFile>
#include <QTest>

using namespace rs::player;
using rs::Status;

namespace {

QByteArray golden(const char *name) {
  QFile f(QStringLiteral(REELSTACK_SOURCE_DIR "/tests/package/golden/") + QLatin1String(name));
  return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

const QUrl kManifest(QStringLiteral("http://edge.test:8082/media/t_1/manifest.mpd"));

QByteArray mpd(const char *adaptationSets, const char *mpdAttributes = R"(type="static" mediaPresentationDuration="PT12S")") {
  return QByteArray(R"(<?xml version="1.0"?><MPD xmlns="urn:mpeg:dash:schema:mpd:2011" )") + mpdAttributes +
         "><Period>" + adaptationSets + "</Period></MPD>";
}

}  // namespace

class TestPlayerManifests : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void goldenMpdReadsBack() {
    auto p = parseMpd(golden("full.mpd"), kManifest);
    QVERIFY2(p.isOk(), qPrintable(p.status().message()));
    QCOMPARE(p->format, Presentation::Format::Dash);
    QCOMPARE(p->duration, 10.0);
    QCOMPARE(p->video.size(), std::size_t(3));
    QCOMPARE(p->audio.size(), std::size_t(1));
    QStringList ids;
    for (const Track &t : p->video) ids << t.id;
    QCOMPARE(ids, (QStringList{u"240p"_qs, u"360p"_qs, u"720p"_qs}));
    const Track &top = p->video[2];
    QCOMPARE(top.bandwidth, 2800000);
    QCOMPARE(top.width, 1280);
    QCOMPARE(top.height, 720);
    QCOMPARE(top.codecs, u"avc1.64001f"_qs);
    QCOMPARE(top.segments.size(), std::size_t(3));
    QCOMPARE(top.segments[0].duration, 4.0);
    QCOMPARE(top.segments[1].start, 4.0);
    QCOMPARE(top.segments[2].duration, 2.0);
    QCOMPARE(top.initUrl().toString(), u"http://edge.test:8082/media/t_1/video/720p/init.mp4"_qs);
    QCOMPARE(top.segmentUrl(0).toString(), u"http://edge.test:8082/media/t_1/video/720p/seg-1.m4s"_qs);
    QCOMPARE(top.segmentUrl(2).toString(), u"http://edge.test:8082/media/t_1/video/720p/seg-3.m4s"_qs);
    QVERIFY(top.segmentUrl(3).isEmpty());
    const Track &aac = p->audio[0];
    QCOMPARE(aac.kind, MediaKind::Audio);
    QCOMPARE(aac.language, u"en"_qs);
    QCOMPARE(aac.segments[2].duration, 94976.0 / 48000);
    QCOMPARE(urlOf(*p, {MediaKind::Audio, 0, -1}).toString(), u"http://edge.test:8082/media/t_1/audio/aac/init.mp4"_qs);
  }

  void goldenFractionalAndSmallOnes() {
    auto f = parseMpd(golden("fractional.mpd"), kManifest);
    QVERIFY2(f.isOk(), qPrintable(f.status().message()));
    QCOMPARE(f->video[0].segments[0].duration, 120120.0 / 30000);
    QCOMPARE(f->duration, 9.977);
    auto n = parseMpd(golden("noaudio.mpd"), kManifest);
    QVERIFY2(n.isOk(), qPrintable(n.status().message()));
    QVERIFY(n->audio.empty());
    auto one = parseMpd(golden("onesegment.mpd"), kManifest);
    QVERIFY2(one.isOk(), qPrintable(one.status().message()));
    QCOMPARE(one->video[0].segments.size(), std::size_t(1));
    QCOMPARE(one->video[0].segments[0].duration, 1.5);
  }

  // Features our packager does not write but other packagers do.
  void templateInheritanceBaseUrlsAndIdentifiers() {
    const QByteArray text = mpd(R"(
      <BaseURL>cdn/</BaseURL>
      <AdaptationSet contentType="video" mimeType="video/mp4">
        <BaseURL>v/</BaseURL>
        <SegmentTemplate timescale="10" initialization="$RepresentationID$/i.mp4" media="$RepresentationID$/$Number%05d$-$Time$-$Bandwidth$.m4s" startNumber="7">
          <SegmentTimeline><S t="100" d="40" r="1"/><S d="20"/></SegmentTimeline>
        </SegmentTemplate>
        <Representation id="lo" bandwidth="500000"/>
        <Representation id="hi" bandwidth="900000"><BaseURL>http://other.test/x/</BaseURL></Representation>
      </AdaptationSet>
      <AdaptationSet mimeType="text/vtt"><Representation id="subs" bandwidth="1"/></AdaptationSet>)");
    auto p = parseMpd(text, kManifest);
    QVERIFY2(p.isOk(), qPrintable(p.status().message()));
    QCOMPARE(p->video.size(), std::size_t(2));
    QVERIFY(p->audio.empty());  // the subtitles are not ours to fetch
    const Track &lo = p->video[0];
    QCOMPARE(lo.segments.size(), std::size_t(3));
    QCOMPARE(lo.segments[0].start, 10.0);
    QCOMPARE(lo.segments[2].start, 18.0);
    QCOMPARE(lo.segments[2].duration, 2.0);
    QCOMPARE(lo.initUrl().toString(), u"http://edge.test:8082/media/t_1/cdn/v/lo/i.mp4"_qs);
    QCOMPARE(lo.segmentUrl(0).toString(), u"http://edge.test:8082/media/t_1/cdn/v/lo/00007-100-500000.m4s"_qs);
    QCOMPARE(lo.segmentUrl(2).toString(), u"http://edge.test:8082/media/t_1/cdn/v/lo/00009-180-500000.m4s"_qs);
    QCOMPARE(p->video[1].segmentUrl(1).toString(), u"http://other.test/x/hi/00008-140-900000.m4s"_qs);
  }

  void durationTemplatesAndOpenEndedRepeats() {
    auto byDuration = parseMpd(mpd(R"(<AdaptationSet contentType="audio">
        <SegmentTemplate timescale="1000" duration="5000" media="a-$Number$.m4s"/>
        <Representation id="a" bandwidth="64000"/></AdaptationSet>)"), kManifest);
    QVERIFY2(byDuration.isOk(), qPrintable(byDuration.status().message()));
    const Track &a = byDuration->audio[0];
    QCOMPARE(a.segments.size(), std::size_t(3));  // 5 + 5 + 2 s of a 12 s period
    QCOMPARE(a.segments[2].duration, 2.0);
    QCOMPARE(a.segmentUrl(0).toString(), u"http://edge.test:8082/media/t_1/a-1.m4s"_qs);
    QVERIFY(a.initPath.isEmpty());
    QVERIFY(a.initUrl().isEmpty());

    auto repeat = parseMpd(mpd(R"(<AdaptationSet contentType="video">
        <SegmentTemplate timescale="1" media="s-$Number$.m4s"><SegmentTimeline><S t="0" d="4" r="-1"/></SegmentTimeline></SegmentTemplate>
        <Representation id="v" bandwidth="1000"/></AdaptationSet>)"), kManifest);
    QVERIFY2(repeat.isOk(), qPrintable(repeat.status().message()));
    QCOMPARE(repeat->video[0].segments.size(), std::size_t(3));  // up to the 12 s end
  }

  void malformedOrUnsupportedMpdsSayWhy() {
    struct Case {
      QByteArray text;
      const char *mentions;
    };
    const QList<Case> cases = {
        {"not xml at all", "no <MPD>"},
        {"<MPD><Period>", "MPD line"},
        {mpd("", R"(type="dynamic")"), "only static"},
        {"<MPD/>", "no Period"},
        {mpd(R"(<AdaptationSet contentType="video"><Representation id="v" bandwidth="1"><SegmentBase/></Representation></AdaptationSet>)"),
         "SegmentBase is not supported"},
        {mpd(R"(<AdaptationSet contentType="video"><Representation id="v"><SegmentTemplate media="x"/></Representation></AdaptationSet>)"),
         "no positive @bandwidth"},
        {mpd(R"(<AdaptationSet contentType="video"><Representation id="v" bandwidth="9"/></AdaptationSet>)"), "no SegmentTemplate@media"},
        {mpd(R"(<AdaptationSet contentType="video"><SegmentTemplate media="x"><SegmentTimeline><S t="0"/></SegmentTimeline></SegmentTemplate><Representation id="v" bandwidth="9"/></AdaptationSet>)"),
         "without a positive @d"},
        {mpd(R"(<AdaptationSet contentType="video"><SegmentTemplate media="x"><SegmentTimeline><S d="1" r="999999999"/></SegmentTimeline></SegmentTemplate><Representation id="v" bandwidth="9"/></AdaptationSet>)"),
         "too many segments"},
        {mpd(R"(<AdaptationSet contentType="video"><SegmentTemplate media="x" timescale="0" duration="1"/><Representation id="v" bandwidth="9"/></AdaptationSet>)"),
         "timescale is 0"},
        {mpd(R"(<AdaptationSet contentType="video"><SegmentTemplate media="x" duration="1"/><Representation id="v" bandwidth="9"/></AdaptationSet>)",
             R"(type="static")"),
         "without a Period or MPD duration"},
        {R"(<MPD type="static"><Period/><Period/></MPD>)", "several Periods"},
        {mpd("", R"(mediaPresentationDuration="P1Y")"), "not an ISO 8601 duration"},
        {mpd(""), "no audio or video"},
    };
    for (const Case &c : cases) {
      auto p = parseMpd(c.text, kManifest);
      QVERIFY2(!p.isOk(), c.text.constData());
      QVERIFY2(p.status().message().contains(QLatin1String(c.mentions)),
               qPrintable(p.status().message() + QStringLiteral(" (wanted: ") + QLatin1String(c.mentions) + u')'));
    }
  }

  void isoDurations() {
    QCOMPARE(parseIsoDuration(u"PT10.000S"), 10.0);
    QCOMPARE(parseIsoDuration(u"PT1H2M3.5S"), 3723.5);
    QCOMPARE(parseIsoDuration(u"P1DT1S"), 86401.0);
    QCOMPARE(parseIsoDuration(u"PT0S"), 0.0);
    QCOMPARE(parseIsoDuration(u"P1M"), -1.0);
    QCOMPARE(parseIsoDuration(u"PT"), -1.0);
    QCOMPARE(parseIsoDuration(u"10"), -1.0);
    QCOMPARE(parseIsoDuration(u"PTS"), -1.0);
  }

  void goldenHlsReadsBack() {
    const QUrl master(QStringLiteral("http://edge.test/media/t_1/master.m3u8"));
    auto p = parseHlsMultivariant(golden("full-master.m3u8"), master);
    QVERIFY2(p.isOk(), qPrintable(p.status().message()));
    QCOMPARE(p->format, Presentation::Format::Hls);
    QCOMPARE(p->video.size(), std::size_t(3));
    QCOMPARE(p->video[0].id, u"240p"_qs);
    QCOMPARE(p->video[0].bandwidth, 531072);  // BANDWIDTH counts the audio too
    QCOMPARE(p->video[2].height, 720);
    QVERIFY(!p->video[2].loaded);
    QCOMPARE(p->video[2].playlistUrl.toString(), u"http://edge.test/media/t_1/video/720p/index.m3u8"_qs);
    QCOMPARE(p->audio.size(), std::size_t(1));
    QCOMPARE(p->audio[0].language, u"en"_qs);
    QCOMPARE(p->audio[0].playlistUrl.toString(), u"http://edge.test/media/t_1/audio/aac/index.m3u8"_qs);

    Track &v = p->video[2];
    QVERIFY(parseHlsMedia(golden("full-720p.m3u8"), v.playlistUrl, &v).isOk());
    QVERIFY(v.loaded);
    QCOMPARE(v.segments.size(), std::size_t(3));
    QCOMPARE(v.segments[2].start, 8.0);
    QCOMPARE(v.segments[2].duration, 2.0);
    QCOMPARE(v.initUrl().toString(), u"http://edge.test/media/t_1/video/720p/init.mp4"_qs);
    QCOMPARE(v.segmentUrl(1).toString(), u"http://edge.test/media/t_1/video/720p/seg-2.m4s"_qs);

    // A media playlist given on its own plays as one video track.
    auto single = parseHlsMultivariant(golden("full-aac.m3u8"), QUrl(QStringLiteral("http://e/a/index.m3u8")));
    QVERIFY2(single.isOk(), qPrintable(single.status().message()));
    QCOMPARE(single->video.size(), std::size_t(1));
    QVERIFY(single->video[0].loaded);
    QCOMPARE(single->duration, 4.01067 * 2 + 1.97867);
  }

  void malformedOrUnsupportedHlsSaysWhy() {
    const QUrl url(QStringLiteral("http://e/x.m3u8"));
    auto notHls = parseHlsMultivariant("<MPD/>", url);
    QVERIFY(!notHls.isOk() && notHls.status().message().contains(u"#EXTM3U"));
    auto noVariant = parseHlsMultivariant("#EXTM3U\n#EXT-X-VERSION:7\n", url);
    QVERIFY(!noVariant.isOk() && noVariant.status().message().contains(u"no variant"));
    auto noUri = parseHlsMultivariant("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\n", url);
    QVERIFY(!noUri.isOk() && noUri.status().message().contains(u"URI line"));
    auto noBandwidth = parseHlsMultivariant("#EXTM3U\n#EXT-X-STREAM-INF:CODECS=\"a,b\"\nv.m3u8\n", url);
    QVERIFY(!noBandwidth.isOk() && noBandwidth.status().message().contains(u"BANDWIDTH"));

    Track t;
    const Status live = parseHlsMedia("#EXTM3U\n#EXTINF:4,\ns1.ts\n", url, &t);
    QVERIFY(!live.isOk() && live.message().contains(u"live playlists"));
    const Status ranges = parseHlsMedia("#EXTM3U\n#EXT-X-BYTERANGE:100@0\n#EXTINF:4,\ns.mp4\n#EXT-X-ENDLIST\n", url, &t);
    QVERIFY(!ranges.isOk() && ranges.message().contains(u"BYTERANGE"));
    const Status orphan = parseHlsMedia("#EXTM3U\ns1.ts\n#EXT-X-ENDLIST\n", url, &t);
    QVERIFY(!orphan.isOk() && orphan.message().contains(u"line 2"));
    const Status badDuration = parseHlsMedia("#EXTM3U\n#EXTINF:four,\ns1.ts\n#EXT-X-ENDLIST\n", url, &t);
    QVERIFY(!badDuration.isOk() && badDuration.message().contains(u"not a number"));
    const Status crlf = parseHlsMedia("#EXTM3U\r\n#EXT-X-PLAYLIST-TYPE:VOD\r\n#EXTINF:4.5,\r\ns1.ts\r\n", url, &t);
    QVERIFY2(crlf.isOk(), qPrintable(crlf.message()));
    QCOMPARE(t.segmentUrl(0).toString(), u"http://e/s1.ts"_qs);
    QCOMPARE(t.segments[0].duration, 4.5);
  }

  void templateExpansion() {
    QCOMPARE(expandTemplate(u"$RepresentationID$/$Number$.m4s"_qs, u"a"_qs, 1, 12, 0), u"a/12.m4s"_qs);
    QCOMPARE(expandTemplate(u"$Number%03d$-$$-$Time$"_qs, u"a"_qs, 1, 7, 99), u"007-$-99"_qs);
    QCOMPARE(expandTemplate(u"$Unknown$ and a $ alone"_qs, u"a"_qs, 1, 1, 1), u"$Unknown$ and a $ alone"_qs);
  }

  void playbackTokensReachEverySegmentAndRenewalSwapsThem() {
    const QString token = u"p1.0a1b2c3d.szk3h0.s_Abc-9.QmFzZTY0dXJsTWFj"_qs;
    const QUrl manifest(u"http://edge.test:8082/m/%1/t_1/manifest.mpd"_qs.arg(token));
    auto p = parseMpd(golden("full.mpd"), manifest);
    QVERIFY2(p.isOk(), qPrintable(p.status().message()));
    QCOMPARE(playbackTokenOf(manifest), token);
    for (const Track &t : p->video) {
      QCOMPARE(playbackTokenOf(t.initUrl()), token);
      for (std::size_t i = 0; i < t.segments.size(); ++i) QCOMPARE(playbackTokenOf(t.segmentUrl(i)), token);
    }
    QCOMPARE(p->video.back().segmentUrl(0).toString(), u"http://edge.test:8082/m/%1/t_1/video/720p/seg-1.m4s"_qs.arg(token));
    QCOMPARE(playbackTokenOf(p->audio.front().initUrl()), token);
    // HLS: the media playlists and their segments too.
    const QUrl master(u"http://edge.test/m/%1/t_1/master.m3u8"_qs.arg(token));
    auto h = parseHlsMultivariant(golden("full-master.m3u8"), master);
    QVERIFY2(h.isOk(), qPrintable(h.status().message()));
    Track &v = h->video[2];
    QCOMPARE(playbackTokenOf(v.playlistUrl), token);
    QVERIFY(parseHlsMedia(golden("full-720p.m3u8"), v.playlistUrl, &v).isOk());
    QCOMPARE(playbackTokenOf(v.segmentUrl(2)), token);

    // A renewal: the transport sends every URL with the new value in place of the old.
    const QString fresh = u"p1.0a1b2c3d.szk3p0.s_Abc-9.TmV3ZXJNYWM"_qs;
    const QUrl renewed = withPlaybackToken(p->video.back().segmentUrl(1), fresh);
    QCOMPARE(renewed.toString(), u"http://edge.test:8082/m/%1/t_1/video/720p/seg-2.m4s"_qs.arg(fresh));
    QCOMPARE(withPlaybackToken(v.segmentUrl(0), fresh).toString(), u"http://edge.test/m/%1/t_1/video/720p/seg-1.m4s"_qs.arg(fresh));
    // Only a token after /m/ is one: a title or a folder called "m", an api URL and a
    // tokenless media URL pass unchanged.
    for (const char *plain : {"http://e/media/m/manifest.mpd", "http://e/media/t/m/x.m4s", "http://api/api/v1/titles/t/playback",
                              "http://e/m/notatoken/t/x.m4s"}) {
      const QUrl u(QString::fromLatin1(plain));
      QCOMPARE(playbackTokenOf(u), QString());
      QCOMPARE(withPlaybackToken(u, fresh), u);
    }
    // What logs, errors and reports show: the token blanked, as in the access log.
    QCOMPARE(displayUrl(manifest), u"http://edge.test:8082/m/-/t_1/manifest.mpd"_qs);
    QVERIFY(!displayUrl(renewed).contains(fresh));
    QCOMPARE(displayUrl(QUrl(u"http://e/media/t/x.m4s"_qs)), u"http://e/media/t/x.m4s"_qs);
  }
};

QTEST_GUILESS_MAIN(TestPlayerManifests)
#include "tst_playermanifests.moc"
