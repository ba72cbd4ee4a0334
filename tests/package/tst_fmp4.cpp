// splitFragmentedMp4 over real FFmpeg output (H.264, AAC, VP9, AV1, HEVC, Opus made
// by the ffmpeg CLI), judged by ffprobe rather than by our own reader, and over
// damaged copies that must fail cleanly and leave nothing behind.

#include "package/boxreader.h"
#include "package/fmp4.h"
#include "package/tools.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

using namespace rs::package;
using namespace rs::package::testing;

namespace {

QByteArray readAll(const QString &path) {
  QFile f(path);
  return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

bool writeAll(const QString &path, const QByteArray &data) {
  QFile f(path);
  return f.open(QIODevice::WriteOnly) && f.write(data) == data.size();
}

std::uint32_t be32(const QByteArray &d, qsizetype at) {
  return std::uint32_t(std::uint8_t(d[at])) << 24 | std::uint32_t(std::uint8_t(d[at + 1])) << 16 |
         std::uint32_t(std::uint8_t(d[at + 2])) << 8 | std::uint32_t(std::uint8_t(d[at + 3]));
}

void setBe32(QByteArray &d, qsizetype at, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) d[at + i] = char(v >> (24 - 8 * i));
}

// Offset of the first box of `type` at or after `from`, found by its fourcc (test-side,
// independent of the reader under test).
qsizetype findBox(const QByteArray &d, const char *type, qsizetype from = 0) {
  const qsizetype at = d.indexOf(QByteArray(type, 4), from + 4);
  return at < 0 ? -1 : at - 4;
}

QJsonObject probeJson(const QStringList &args, QString *error) {
  const ToolRun run = runTool(QStringLiteral("ffprobe"), QStringList{QStringLiteral("-v"), QStringLiteral("error"),
                                                                     QStringLiteral("-of"), QStringLiteral("json")} + args);
  if (!run.ok) *error = run.error;
  return QJsonDocument::fromJson(run.out).object();
}

// What ffprobe counts in the first stream: decoded frames (or packets) and the stream's fields.
QJsonObject probeStream(const QString &file, bool countFrames, QString *error) {
  const QJsonObject o = probeJson({countFrames ? QStringLiteral("-count_frames") : QStringLiteral("-count_packets"),
                                   QStringLiteral("-show_streams"), file},
                                  error);
  return o.value(QStringLiteral("streams")).toArray().first().toObject();
}

// The first H.264 SPS of a file as Annex B: profile_idc, constraint flags, level_idc.
QString avcCodecFromSps(const QString &file, QString *error) {
  const ToolRun run = runTool(QStringLiteral("ffmpeg"),
                              {QStringLiteral("-v"), QStringLiteral("error"), QStringLiteral("-i"), file,
                               QStringLiteral("-c:v"), QStringLiteral("copy"), QStringLiteral("-bsf:v"),
                               QStringLiteral("h264_mp4toannexb"), QStringLiteral("-frames:v"), QStringLiteral("1"),
                               QStringLiteral("-f"), QStringLiteral("h264"), QStringLiteral("pipe:1")});
  if (!run.ok) {
    *error = run.error;
    return {};
  }
  for (qsizetype at = run.out.indexOf(QByteArray("\0\0\1", 3)); at >= 0 && at + 6 < run.out.size();
       at = run.out.indexOf(QByteArray("\0\0\1", 3), at + 3)) {
    if ((std::uint8_t(run.out[at + 3]) & 0x1f) == 7)
      return QStringLiteral("avc1.") + QString::fromLatin1(run.out.mid(at + 4, 3).toHex());
  }
  *error = QStringLiteral("no SPS in the stream");
  return {};
}

QStringList filesIn(const QString &dir) {
  return QDir(dir).entryList(QDir::Files | QDir::Hidden | QDir::NoDotAndDotDot, QDir::Name);
}

}  // namespace

class TestFmp4 : public QObject {
  Q_OBJECT

  QTemporaryDir tmp_;
  QString video_, audio_, midGop_;

  QString path(const QString &name) const { return tmp_.filePath(name); }

  bool encode(const QStringList &input, const QStringList &codec, const QString &out, QString *error,
              const QStringList &muxer = {}) {
    const ToolRun run = runTool(QStringLiteral("ffmpeg"),
                                input + codec + (muxer.isEmpty() ? fragmentedMp4Args(out) : muxer + QStringList{out}));
    if (!run.ok) *error = run.error;
    return run.ok;
  }

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(tmp_.isValid());
    QString error;
    video_ = path(QStringLiteral("video.mp4"));
    QVERIFY2(encode(testVideoInput(QStringLiteral("320x240"), 6), x264Args(50), video_, &error), qPrintable(error));
    audio_ = path(QStringLiteral("audio.mp4"));
    QVERIFY2(encode(testAudioInput(6),
                    {QStringLiteral("-c:a"), QStringLiteral("aac"), QStringLiteral("-b:a"), QStringLiteral("128k"),
                     QStringLiteral("-frag_duration"), QStringLiteral("2000000")},
                    audio_, &error),
             qPrintable(error));
    // Fragments every second without regard to keyframes (every 2 s): every other one starts mid-GOP.
    midGop_ = path(QStringLiteral("midgop.mp4"));
    QVERIFY2(encode(testVideoInput(QStringLiteral("320x240"), 4),
                    x264Args(50) + QStringList{QStringLiteral("-frag_duration"), QStringLiteral("1000000")}, midGop_,
                    &error,
                    {QStringLiteral("-f"), QStringLiteral("mp4"), QStringLiteral("-movflags"),
                     QStringLiteral("empty_moov+default_base_moof+cmaf"), QStringLiteral("-y")}),
             qPrintable(error));
  }

  void splitsVideo() {
    const QString out = path(QStringLiteral("split-video"));
    auto summary = splitFragmentedMp4(video_, out);
    QVERIFY2(summary.isOk(), qPrintable(summary.status().message()));
    QString error;
    const QJsonObject stream = probeStream(video_, false, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));

    QVERIFY(summary->isVideo);
    QCOMPARE(QString(QStringLiteral("1/") + QString::number(summary->timescale)),
             stream.value(QStringLiteral("time_base")).toString());
    QCOMPARE(summary->width, 320);
    QCOMPARE(summary->height, 240);
    const QString expectedCodecs = avcCodecFromSps(video_, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(summary->codecs, expectedCodecs);

    // 150 frames, a keyframe every 50, one fragment per keyframe: three 2-second segments.
    QCOMPARE(summary->segments.size(), std::size_t(3));
    std::uint64_t samples = 0;
    for (std::size_t i = 0; i < 3; ++i) {
      const SegmentInfo &s = summary->segments[i];
      QCOMPARE(s.number, std::uint64_t(i + 1));
      QCOMPARE(s.duration, std::uint64_t(2 * summary->timescale));
      QCOMPARE(s.baseDecodeTime, std::uint64_t(i * 2 * summary->timescale));
      QCOMPARE(s.sampleCount, std::uint64_t(50));
      QVERIFY(s.startsWithSyncSample);
      QCOMPARE(QFileInfo(out + QStringLiteral("/seg-%1.m4s").arg(i + 1)).size(), s.bytes);
      samples += s.sampleCount;
    }
    QCOMPARE(samples, std::uint64_t(stream.value(QStringLiteral("nb_read_packets")).toString().toULongLong()));
    QCOMPARE(filesIn(out), (QStringList{QStringLiteral("init.mp4"), QStringLiteral("seg-1.m4s"),
                                        QStringLiteral("seg-2.m4s"), QStringLiteral("seg-3.m4s")}));

    const QByteArray init = readAll(out + QStringLiteral("/init.mp4"));
    QCOMPARE(init.size(), summary->initBytes);
    QCOMPARE(init.mid(4, 4), QByteArray("ftyp"));
    QCOMPARE(findBox(init, "moov"), qsizetype(be32(init, 0)));
    QCOMPARE(qsizetype(be32(init, 0) + be32(init, be32(init, 0))), init.size());  // ftyp + moov, nothing else
    for (int n = 1; n <= 3; ++n) {
      const QByteArray seg = readAll(out + QStringLiteral("/seg-%1.m4s").arg(n));
      QCOMPARE(seg.mid(4, 4), QByteArray("moof"));
      const std::uint32_t moofSize = be32(seg, 0);
      QCOMPARE(seg.mid(moofSize + 4, 4), QByteArray("mdat"));
      QCOMPARE(qsizetype(moofSize + be32(seg, moofSize)), seg.size());
    }
  }

  // init + segments is the stream again: ffprobe decodes as many frames as from the input.
  void segmentsConcatenateToThePlayableStream_data() {
    QTest::addColumn<QString>("input");
    QTest::newRow("video") << video_;
    QTest::newRow("audio") << audio_;
  }
  void segmentsConcatenateToThePlayableStream() {
    QFETCH(QString, input);
    const QString out = path(QStringLiteral("concat-") + QFileInfo(input).baseName());
    auto summary = splitFragmentedMp4(input, out);
    QVERIFY2(summary.isOk(), qPrintable(summary.status().message()));
    QByteArray joined = readAll(out + QStringLiteral("/init.mp4"));
    for (std::size_t n = 1; n <= summary->segments.size(); ++n) joined += readAll(out + QStringLiteral("/seg-%1.m4s").arg(n));
    const QString joinedPath = out + QStringLiteral("/joined.mp4");
    QVERIFY(writeAll(joinedPath, joined));

    QString error;
    const QJsonObject original = probeStream(input, true, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    const QJsonObject rebuilt = probeStream(joinedPath, true, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    const int frames = original.value(QStringLiteral("nb_read_frames")).toString().toInt();
    QVERIFY(frames > 100);
    QCOMPARE(rebuilt.value(QStringLiteral("nb_read_frames")).toString().toInt(), frames);
    QCOMPARE(rebuilt.value(QStringLiteral("codec_name")), original.value(QStringLiteral("codec_name")));
  }

  void splitsAudio() {
    const QString out = path(QStringLiteral("split-audio"));
    auto summary = splitFragmentedMp4(audio_, out);
    QVERIFY2(summary.isOk(), qPrintable(summary.status().message()));
    QString error;
    const QJsonObject stream = probeStream(audio_, false, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QVERIFY(!summary->isVideo);
    QCOMPARE(summary->codecs, QStringLiteral("mp4a.40.2"));
    QCOMPARE(summary->sampleRate, stream.value(QStringLiteral("sample_rate")).toString().toInt());
    QCOMPARE(summary->channels, stream.value(QStringLiteral("channels")).toInt());
    QCOMPARE(summary->channels, 2);
    QCOMPARE(summary->timescale, std::uint32_t(48000));
    QCOMPARE(summary->width, 0);

    // frag_duration=2 s: fragments close at the first AAC frame at or past 2 s.
    QVERIFY(summary->segments.size() >= 3);
    std::uint64_t total = 0, samples = 0;
    for (std::size_t i = 0; i < summary->segments.size(); ++i) {
      const SegmentInfo &s = summary->segments[i];
      QVERIFY(s.startsWithSyncSample);
      QCOMPARE(s.baseDecodeTime, total);
      if (i + 1 < summary->segments.size()) {
        QVERIFY(s.duration >= 2 * 48000);
        QVERIFY(s.duration < 2 * 48000 + 1024);
      }
      total += s.duration;
      samples += s.sampleCount;
    }
    QCOMPARE(total, std::uint64_t(stream.value(QStringLiteral("duration_ts")).toInteger()));
    QCOMPARE(samples, std::uint64_t(stream.value(QStringLiteral("nb_read_packets")).toString().toULongLong()));
  }

  void marksSegmentsThatStartMidGop() {
    auto summary = splitFragmentedMp4(midGop_, path(QStringLiteral("split-midgop")));
    QVERIFY2(summary.isOk(), qPrintable(summary.status().message()));
    QString error;
    const QJsonObject packets = probeJson({QStringLiteral("-show_entries"), QStringLiteral("packet=dts,flags"), midGop_}, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QList<std::uint64_t> keyframeTimes;
    for (const QJsonValue &p : packets.value(QStringLiteral("packets")).toArray())
      if (p.toObject().value(QStringLiteral("flags")).toString().startsWith(u'K'))
        keyframeTimes.append(std::uint64_t(p.toObject().value(QStringLiteral("dts")).toInteger()));
    QCOMPARE(keyframeTimes.size(), 2);
    QCOMPARE(summary->segments.size(), std::size_t(4));
    for (const SegmentInfo &s : summary->segments)
      QCOMPARE(s.startsWithSyncSample, keyframeTimes.contains(s.baseDecodeTime));
    QVERIFY(summary->segments[0].startsWithSyncSample);
    QVERIFY(!summary->segments[1].startsWithSyncSample);
  }

  void codecStringsOfOtherEncoders_data() {
    QTest::addColumn<QStringList>("input");
    QTest::addColumn<QStringList>("codec");
    QTest::addColumn<QString>("prefix");
    const QStringList video = testVideoInput(QStringLiteral("320x240"), 1);
    QTest::newRow("vp9") << video
                         << QStringList{QStringLiteral("-c:v"), QStringLiteral("libvpx-vp9"), QStringLiteral("-deadline"),
                                        QStringLiteral("realtime"), QStringLiteral("-cpu-used"), QStringLiteral("8"),
                                        QStringLiteral("-g"), QStringLiteral("25")}
                         << QStringLiteral("vp09.00.");
    QTest::newRow("av1") << video
                         << QStringList{QStringLiteral("-c:v"), QStringLiteral("libsvtav1"), QStringLiteral("-preset"),
                                        QStringLiteral("12"), QStringLiteral("-g"), QStringLiteral("25")}
                         << QStringLiteral("av01.0.");
    QTest::newRow("hevc") << video
                          << QStringList{QStringLiteral("-c:v"), QStringLiteral("libx265"), QStringLiteral("-preset"),
                                         QStringLiteral("ultrafast"), QStringLiteral("-g"), QStringLiteral("25"),
                                         QStringLiteral("-x265-params"), QStringLiteral("log-level=error")}
                          << QStringLiteral("hev1.1.6.L");
    QTest::newRow("opus") << testAudioInput(1) << QStringList{QStringLiteral("-c:a"), QStringLiteral("libopus")}
                          << QStringLiteral("opus");
  }
  void codecStringsOfOtherEncoders() {
    QFETCH(QStringList, input);
    QFETCH(QStringList, codec);
    QFETCH(QString, prefix);
    const QString file = path(QString::fromLatin1(QTest::currentDataTag()) + QStringLiteral(".mp4"));
    QString error;
    QVERIFY2(encode(input, codec, file, &error), qPrintable(error));
    auto summary = splitFragmentedMp4(file, path(QStringLiteral("split-") + QString::fromLatin1(QTest::currentDataTag())));
    QVERIFY2(summary.isOk(), qPrintable(summary.status().message()));
    QVERIFY2(summary->codecs.startsWith(prefix), qPrintable(summary->codecs));
    const QJsonObject stream = probeStream(file, false, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    const int level = stream.value(QStringLiteral("level")).toInt();
    const QStringList parts = summary->codecs.split(u'.');
    if (prefix.startsWith(QStringLiteral("vp09"))) {
      QCOMPARE(parts.size(), 9);  // the full form: profile, level, depth, chroma, colour, range
      QCOMPARE(parts[3], QStringLiteral("08"));
      static const QStringList levels{QStringLiteral("10"), QStringLiteral("11"), QStringLiteral("20"), QStringLiteral("21"),
                                      QStringLiteral("30"), QStringLiteral("31"), QStringLiteral("40"), QStringLiteral("41")};
      QVERIFY2(levels.contains(parts[2]), qPrintable(summary->codecs));
    } else if (prefix.startsWith(QStringLiteral("av01"))) {
      QCOMPARE(summary->codecs, QStringLiteral("av01.0.%1M.08").arg(level, 2, 10, QLatin1Char('0')));
    } else if (prefix.startsWith(QStringLiteral("hev1"))) {
      QCOMPARE(parts[3], QString(u'L' + QString::number(level)));
    }
    QCOMPARE(summary->segments.size(), std::size_t(1));
  }

  void corruptInputsFailCleanly_data() {
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<QString>("message");
    const QByteArray good = readAll(video_);
    QVERIFY(good.size() > 10000);
    const qsizetype moof = findBox(good, "moof"), trak = findBox(good, "trak"), trun = findBox(good, "trun", moof);
    const qsizetype mdat = findBox(good, "mdat", moof);
    QVERIFY(moof > 0 && trak > 0 && trun > moof && mdat > trun);

    // Cut inside the second fragment's mdat: its moof already claims more bytes than are left.
    QTest::newRow("truncated") << good.left(good.size() * 6 / 10) << QStringLiteral("runs past the end of the file");
    QByteArray tooLarge = good;
    setBe32(tooLarge, moof, 0x7ffffff0);
    QTest::newRow("size past the end") << tooLarge
                                       << QStringLiteral("box 'moof' at offset %1: size 2147483632 is larger than the").arg(moof);
    QByteArray zero = good;
    setBe32(zero, moof, 0);
    QTest::newRow("zero-size top-level box") << zero << QStringLiteral("box 'moof' at offset %1: size 0").arg(moof);
    QByteArray zeroInside = good;
    setBe32(zeroInside, trak, 0);
    QTest::newRow("zero-size box in moov") << zeroInside << QStringLiteral("box 'trak' at offset %1: size 0").arg(trak);
    QByteArray samples = good;
    setBe32(samples, trun + 12, 0x10000000);  // sample_count
    QTest::newRow("trun sample count") << samples << QStringLiteral("box 'trun' at offset %1: 268435456 samples").arg(trun);
    QByteArray dataOffset = good;
    setBe32(dataOffset, trun + 16, 8);  // data_offset into the moof itself
    QTest::newRow("data outside mdat") << dataOffset << QStringLiteral("box 'moof' at offset %1: sample data [8,").arg(moof);
    QTest::newRow("cut before an mdat") << good.left(mdat) << QStringLiteral("box 'trun' at offset %1: sample data").arg(trun);
    QByteArray renamed = good;
    renamed.replace(mdat + 4, 4, "free");
    QTest::newRow("moof without mdat")
        << renamed << QStringLiteral("follows the 'moof' at offset %1, which has no 'mdat'").arg(moof);
    QByteArray lastRenamed = good;
    const qsizetype lastMoof = good.lastIndexOf("moof") - 4, lastMdat = findBox(good, "mdat", lastMoof);
    lastRenamed.replace(lastMdat + 4, 4, "free");
    QTest::newRow("last moof without mdat")
        << lastRenamed << QStringLiteral("box 'moof' at offset %1: has no mdat").arg(lastMoof);
    QTest::newRow("init only") << good.left(moof) << QStringLiteral("no movie fragments");
    QTest::newRow("empty") << QByteArray() << QStringLiteral("no 'moov' box");
    QByteArray random(65536, '\0');
    QRandomGenerator rng(20240601);
    for (char &c : random) c = char(rng.bounded(256));
    QTest::newRow("random bytes") << random << QStringLiteral("at offset 0");
    QByteArray mdatFirst = good.left(moof) + good.mid(mdat);
    QTest::newRow("mdat without moof") << mdatFirst << QStringLiteral("box 'mdat' at offset %1: has no 'moof'").arg(moof);
  }
  void corruptInputsFailCleanly() {
    QFETCH(QByteArray, data);
    QFETCH(QString, message);
    const QString tag = QString::fromLatin1(QTest::currentDataTag()).replace(u' ', u'-');
    const QString input = path(QStringLiteral("corrupt-") + tag + QStringLiteral(".mp4"));
    QVERIFY(writeAll(input, data));
    const QString out = path(QStringLiteral("out-") + tag);
    auto summary = splitFragmentedMp4(input, out);
    QVERIFY(!summary.isOk());
    QCOMPARE(summary.status().code(), rs::ErrorCode::BadRequest);
    QVERIFY2(summary.status().message().contains(message), qPrintable(summary.status().message()));
    QVERIFY2(!QFileInfo::exists(out), "a failed split must not create its output directory");
  }

  // A bad input into a directory that already holds files: nothing added, nothing removed.
  void failureLeavesAnExistingDirectoryAlone() {
    const QString out = path(QStringLiteral("existing"));
    QVERIFY(QDir().mkpath(out));
    QVERIFY(writeAll(out + QStringLiteral("/keep.txt"), "keep"));
    QByteArray truncated = readAll(video_);
    truncated.chop(1000);
    const QString input = path(QStringLiteral("truncated.mp4"));
    QVERIFY(writeAll(input, truncated));
    QVERIFY(!splitFragmentedMp4(input, out).isOk());
    QCOMPARE(filesIn(out), QStringList{QStringLiteral("keep.txt")});
  }

  void notFragmented_data() {
    QTest::addColumn<QString>("movflags");
    QTest::addColumn<QString>("message");
    QTest::addColumn<QString>("detail");
    QTest::newRow("moov last") << QStringLiteral("+default_base_moof") << QStringLiteral("box 'mdat' at offset")
                               << QStringLiteral("comes before the 'moov'");
    QTest::newRow("faststart") << QStringLiteral("+faststart") << QStringLiteral("box 'moov' at offset")
                               << QStringLiteral("has no 'mvex': the input is not a fragmented MP4");
    QTest::newRow("samples in moov") << QStringLiteral("frag_keyframe") << QStringLiteral("box 'stts' at offset")
                                     << QStringLiteral("moov already holds samples: write the input with empty_moov");
  }
  void notFragmented() {
    QFETCH(QString, movflags);
    QFETCH(QString, message);
    QFETCH(QString, detail);
    const QString plain = path(QStringLiteral("plain.mp4"));
    QString error;
    QVERIFY2(encode(testVideoInput(QStringLiteral("160x120"), 2), x264Args(25), plain, &error,
                    {QStringLiteral("-f"), QStringLiteral("mp4"), QStringLiteral("-movflags"), movflags, QStringLiteral("-y")}),
             qPrintable(error));
    auto summary = splitFragmentedMp4(plain, path(QStringLiteral("out-plain")));
    QVERIFY(!summary.isOk());
    QVERIFY2(summary.status().message().startsWith(message), qPrintable(summary.status().message()));
    QVERIFY2(summary.status().message().contains(detail), qPrintable(summary.status().message()));
    QVERIFY(!QFileInfo::exists(path(QStringLiteral("out-plain"))));
  }

  void ioErrors() {
    auto missing = splitFragmentedMp4(path(QStringLiteral("does-not-exist.mp4")), path(QStringLiteral("out-missing")));
    QVERIFY(!missing.isOk());
    QCOMPARE(missing.status().code(), rs::ErrorCode::IoError);
    QVERIFY(!QFileInfo::exists(path(QStringLiteral("out-missing"))));

    QVERIFY(writeAll(path(QStringLiteral("a-file")), "x"));
    auto blocked = splitFragmentedMp4(video_, path(QStringLiteral("a-file/out")));
    QVERIFY(!blocked.isOk());
    QCOMPARE(blocked.status().code(), rs::ErrorCode::IoError);
  }

  // An I/O failure half-way (a directory where seg-2.m4s belongs) removes what was
  // already written, temporary files included.
  void ioFailureHalfWayRemovesWrittenFiles() {
    const QString out = path(QStringLiteral("blocked-segment"));
    QVERIFY(QDir().mkpath(out + QStringLiteral("/seg-2.m4s")));
    auto summary = splitFragmentedMp4(video_, out);
    QVERIFY(!summary.isOk());
    QCOMPARE(summary.status().code(), rs::ErrorCode::IoError);
    QVERIFY2(summary.status().message().contains(QStringLiteral("seg-2.m4s")), qPrintable(summary.status().message()));
    QCOMPARE(filesIn(out), QStringList());
    QVERIFY(QFileInfo(out + QStringLiteral("/seg-2.m4s")).isDir());
  }

  // Splitting again into the same directory replaces the files (encoders retry jobs).
  void splitsAgainIntoTheSameDirectory() {
    const QString out = path(QStringLiteral("again"));
    QVERIFY(splitFragmentedMp4(video_, out).isOk());
    const QByteArray first = readAll(out + QStringLiteral("/seg-2.m4s"));
    auto second = splitFragmentedMp4(video_, out);
    QVERIFY(second.isOk());
    QCOMPARE(readAll(out + QStringLiteral("/seg-2.m4s")), first);
    QCOMPARE(filesIn(out).size(), 4);
  }
};

QTEST_GUILESS_MAIN(TestFmp4)
#include "tst_fmp4.moc"
