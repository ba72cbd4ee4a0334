// The whole package step on real media: two H.264 renditions with the same GOP and
// one AAC track, split and described by the MPD and HLS writers in the published
// layout, then opened by FFmpeg's own DASH and HLS demuxers straight from the file
// system (ffprobe 5.1 opens local manifests and their relative segment URIs without
// any -protocol_whitelist: nested opens inherit the manifest's own "file" protocol).

#include "package/fmp4.h"
#include "package/manifests.h"
#include "package/tools.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using namespace rs::package;
using namespace rs::package::testing;

namespace {

bool writeAll(const QString &path, const QByteArray &data) {
  QDir().mkpath(QFileInfo(path).absolutePath());
  QFile f(path);
  return f.open(QIODevice::WriteOnly) && f.write(data) == data.size();
}

struct Stream {
  QString type, codec;
  int width = 0, height = 0, frames = -1;
};

std::vector<Stream> probe(const QString &manifest, const QStringList &extra, QString *error) {
  const ToolRun run = runTool(QStringLiteral("ffprobe"),
                              QStringList{QStringLiteral("-v"), QStringLiteral("error"), QStringLiteral("-of"),
                                          QStringLiteral("json"), QStringLiteral("-show_streams")} +
                                  extra + QStringList{manifest});
  std::vector<Stream> out;
  if (!run.ok) {
    *error = run.error;
    return out;
  }
  for (const QJsonValue &v : QJsonDocument::fromJson(run.out).object().value(QStringLiteral("streams")).toArray()) {
    const QJsonObject s = v.toObject();
    Stream st;
    st.type = s.value(QStringLiteral("codec_type")).toString();
    st.codec = s.value(QStringLiteral("codec_name")).toString();
    st.width = s.value(QStringLiteral("width")).toInt();
    st.height = s.value(QStringLiteral("height")).toInt();
    if (s.contains(QStringLiteral("nb_read_frames"))) st.frames = s.value(QStringLiteral("nb_read_frames")).toString().toInt();
    out.push_back(st);
  }
  return out;
}

}  // namespace

class TestPackagedTitle : public QObject {
  Q_OBJECT

  QTemporaryDir tmp_;
  QString title_;
  Presentation presentation_;

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(tmp_.isValid());
    title_ = tmp_.filePath(QStringLiteral("title"));
    struct Rung {
      QString name, size;
    };
    for (const Rung &rung : {Rung{QStringLiteral("180p"), QStringLiteral("320x180")}, Rung{QStringLiteral("360p"), QStringLiteral("640x360")}}) {
      const QString file = tmp_.filePath(rung.name + QStringLiteral(".mp4"));
      const ToolRun run = runTool(QStringLiteral("ffmpeg"), testVideoInput(rung.size, 4) + x264Args(50) + fragmentedMp4Args(file));
      QVERIFY2(run.ok, qPrintable(run.error));
      const QString dir = QStringLiteral("video/") + rung.name;
      auto track = splitFragmentedMp4(file, title_ + u'/' + dir);
      QVERIFY2(track.isOk(), qPrintable(track.status().message()));
      Representation rep = representationFrom(*track, rung.name, dir);
      rep.frameRate = QStringLiteral("25");
      presentation_.video.push_back(rep);
    }
    const QString audio = tmp_.filePath(QStringLiteral("audio.mp4"));
    const ToolRun run = runTool(QStringLiteral("ffmpeg"),
                                testAudioInput(4) +
                                    QStringList{QStringLiteral("-c:a"), QStringLiteral("aac"), QStringLiteral("-b:a"),
                                                QStringLiteral("96k"), QStringLiteral("-frag_duration"), QStringLiteral("2000000")} +
                                    fragmentedMp4Args(audio));
    QVERIFY2(run.ok, qPrintable(run.error));
    auto track = splitFragmentedMp4(audio, title_ + QStringLiteral("/audio/aac"));
    QVERIFY2(track.isOk(), qPrintable(track.status().message()));
    presentation_.audio.push_back(representationFrom(*track, QStringLiteral("aac"), QStringLiteral("audio/aac")));
    presentation_.durationSeconds = 4.0;

    QVERIFY(writeAll(title_ + QStringLiteral("/manifest.mpd"), writeMpd(presentation_)));
    QVERIFY(writeAll(title_ + QStringLiteral("/master.m3u8"), writeHlsMaster(presentation_)));
    for (const auto *list : {&presentation_.video, &presentation_.audio})
      for (const Representation &r : *list) QVERIFY(writeAll(title_ + u'/' + r.playlistPath, writeHlsMedia(r)));
  }

  void representationsDescribeTheMedia() {
    QCOMPARE(presentation_.video.size(), std::size_t(2));
    for (const Representation &v : presentation_.video) {
      QVERIFY(v.codecs.startsWith(QStringLiteral("avc1.64")));  // x264's default High profile
      QCOMPARE(v.segmentDurations, (std::vector<std::uint64_t>{2 * v.timescale, 2 * v.timescale}));
      QVERIFY(v.bandwidth >= v.averageBandwidth);
      QVERIFY(v.averageBandwidth > 10000);
    }
    QCOMPARE(presentation_.video[0].width, 320);
    QCOMPARE(presentation_.video[1].width, 640);
    QVERIFY(presentation_.video[1].averageBandwidth > presentation_.video[0].averageBandwidth);
    const Representation &a = presentation_.audio[0];
    QCOMPARE(a.codecs, QStringLiteral("mp4a.40.2"));
    QCOMPARE(a.channels, 2);
    QCOMPARE(a.sampleRate, 48000);
    QVERIFY(a.averageBandwidth > 50000 && a.averageBandwidth < 200000);
  }

  void ffprobeReadsTheMpd() {
    QString error;
    const auto streams = probe(title_ + QStringLiteral("/manifest.mpd"), {}, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QList<int> widths;
    int audio = 0;
    for (const Stream &s : streams) {
      if (s.type == QStringLiteral("video")) {
        QCOMPARE(s.codec, QStringLiteral("h264"));
        widths.append(s.width);
      } else if (s.type == QStringLiteral("audio")) {
        QCOMPARE(s.codec, QStringLiteral("aac"));
        ++audio;
      }
    }
    std::sort(widths.begin(), widths.end());
    QCOMPARE(widths, (QList<int>{320, 640}));
    QCOMPARE(audio, 1);
  }

  void ffprobeReadsTheHlsMaster() {
    QString error;
    const auto streams = probe(title_ + QStringLiteral("/master.m3u8"), {}, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QList<int> widths;
    int audio = 0;
    for (const Stream &s : streams) {
      if (s.type == QStringLiteral("video")) {
        QCOMPARE(s.codec, QStringLiteral("h264"));
        widths.append(s.width);
      } else if (s.type == QStringLiteral("audio")) {
        QCOMPARE(s.codec, QStringLiteral("aac"));
        ++audio;
      }
    }
    std::sort(widths.begin(), widths.end());
    widths.erase(std::unique(widths.begin(), widths.end()), widths.end());
    QCOMPARE(widths, (QList<int>{320, 640}));
    QVERIFY(audio >= 1);
  }

  // Every segment is reachable through the manifests: decoding via a media playlist and
  // via the MPD yields all 100 frames (4 s at 25 fps).
  void allFramesDecodeThroughTheManifests_data() {
    QTest::addColumn<QString>("manifest");
    QTest::addColumn<QString>("stream");
    QTest::newRow("hls 360p") << QStringLiteral("video/360p/index.m3u8") << QStringLiteral("v:0");
    QTest::newRow("dash 180p") << QStringLiteral("manifest.mpd") << QStringLiteral("v:0");
    QTest::newRow("dash 360p") << QStringLiteral("manifest.mpd") << QStringLiteral("v:1");
    QTest::newRow("hls master") << QStringLiteral("master.m3u8") << QStringLiteral("v:0");
  }
  void allFramesDecodeThroughTheManifests() {
    QFETCH(QString, manifest);
    QFETCH(QString, stream);
    QString error;
    const auto streams = probe(title_ + u'/' + manifest,
                               {QStringLiteral("-count_frames"), QStringLiteral("-select_streams"), stream}, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(streams.size(), std::size_t(1));
    QCOMPARE(streams[0].frames, 100);
  }

  void audioDecodesThroughItsPlaylist() {
    QString error;
    const auto streams = probe(title_ + QStringLiteral("/audio/aac/index.m3u8"), {QStringLiteral("-count_frames")}, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(streams.size(), std::size_t(1));
    std::uint64_t total = 0;
    for (std::uint64_t d : presentation_.audio[0].segmentDurations) total += d;
    QCOMPARE(std::uint64_t(streams[0].frames), (total + 1023) / 1024);
  }
};

QTEST_GUILESS_MAIN(TestPackagedTitle)
#include "tst_packagedtitle.moc"
