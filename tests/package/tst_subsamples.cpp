// Which bytes of H.264 and HEVC samples CENC leaves clear. The slice header parsers
// are judged by ffmpeg's own bitstream tracer (the trace_headers filter prints every
// slice header field with its bit position): for every slice of real x264 and x265
// encodes made with options that exercise the header's branches (B-pyramids, weighted
// prediction, several references and slices, CAVLC, interlacing, wavefronts), the
// header must end exactly where ffmpeg says. Then the subsample rules, and samples
// whose NAL units lie.

#include "package/bitreader.h"
#include "package/boxbuilder.h"
#include "package/h264slice.h"
#include "package/hevcslice.h"
#include "package/subsamples.h"
#include "package/tools.h"
#include "package/tracktools.h"

#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

using namespace rs::package;
using namespace rs::package::testing;

namespace {

// End of every slice header in decode order, in bits from the start of its NAL unit.
std::vector<std::uint64_t> traceSliceHeaderEnds(const QString &file, bool hevc, QString *error) {
  const ToolRun run = runTool(QStringLiteral("ffmpeg"), {QStringLiteral("-hide_banner"), QStringLiteral("-nostats"),
                                                        QStringLiteral("-loglevel"), QStringLiteral("repeat+info"),
                                                        QStringLiteral("-i"), file, QStringLiteral("-map"), QStringLiteral("0:v"),
                                                        QStringLiteral("-c"), QStringLiteral("copy"), QStringLiteral("-bsf:v"),
                                                        QStringLiteral("trace_headers"), QStringLiteral("-f"), QStringLiteral("null"),
                                                        QStringLiteral("-")});
  if (!run.ok) {
    *error = run.error;
    return {};
  }
  static const QRegularExpression field(QStringLiteral("\\]\\s+(\\d+)\\s+(\\S+)\\s+([01]+) = "));
  const QString title = hevc ? QStringLiteral("Slice Segment Header") : QStringLiteral("Slice Header");
  std::vector<std::uint64_t> ends;
  bool inSlice = false;
  for (const QString &line : QString::fromUtf8(run.err).split(u'\n')) {
    const auto m = field.match(line);
    if (m.hasMatch()) {
      // CABAC's alignment bits belong to slice_data (§7.3.4); ffmpeg traces them with the header.
      if (inSlice && m.captured(2) != QLatin1String("cabac_alignment_one_bit"))
        ends.back() = std::max<std::uint64_t>(ends.back(), m.captured(1).toULongLong() + std::uint64_t(m.captured(3).size()));
      continue;
    }
    inSlice = line.endsWith(title);
    if (inSlice) ends.push_back(0);
  }
  return ends;
}

struct Encoded {
  TrackFiles track;
  QString file;
};

Encoded encode(const QTemporaryDir &tmp, const QString &name, const QStringList &codecArgs, int seconds = 2) {
  Encoded e;
  e.file = tmp.filePath(name + QStringLiteral(".mp4"));
  const ToolRun run = runTool(QStringLiteral("ffmpeg"), testVideoInput(QStringLiteral("320x180"), seconds) + codecArgs + fragmentedMp4Args(e.file));
  if (!run.ok) qFatal("%s", qPrintable(run.error));
  auto split = splitFragmentedMp4(e.file, tmp.filePath(name));
  if (!split) qFatal("%s", qPrintable(split.status().message()));
  e.track = readTrack(tmp.filePath(name));
  return e;
}

QStringList x264(const QString &params, const QStringList &extra = {}) {
  return QStringList{QStringLiteral("-c:v"), QStringLiteral("libx264"), QStringLiteral("-preset"), QStringLiteral("veryfast"),
                     QStringLiteral("-g"), QStringLiteral("25")} +
         (params.isEmpty() ? QStringList{} : QStringList{QStringLiteral("-x264-params"), params}) + extra;
}

QStringList x265(const QString &params) {
  return {QStringLiteral("-c:v"), QStringLiteral("libx265"), QStringLiteral("-preset"), QStringLiteral("veryfast"),
          QStringLiteral("-tag:v"), QStringLiteral("hvc1"), QStringLiteral("-x265-params"),
          QStringLiteral("log-level=error:keyint=25") + (params.isEmpty() ? QString() : u':' + params)};
}

QByteArray nal(std::initializer_list<int> bytes) {
  QByteArray out;
  for (int b : bytes) out.append(char(b));
  return out;
}

QByteArray lengthPrefixed(const QByteArray &unit) {
  return be(std::uint64_t(unit.size()), 4) + unit;
}

}  // namespace

class TestSubsamples : public QObject {
  Q_OBJECT
  QTemporaryDir tmp_;
  Encoded plain_, twoSlices_;

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(tmp_.isValid());
    plain_ = encode(tmp_, QStringLiteral("plain"), x264(QString()), 1);
    twoSlices_ = encode(tmp_, QStringLiteral("slices"), x264(QStringLiteral("slices=2")), 1);
  }

  void sliceHeadersEndWhereFfmpegSays_data() {
    QTest::addColumn<QStringList>("codec");
    QTest::addColumn<bool>("hevc");
    QTest::newRow("x264 veryfast (CABAC, B frames, weightp)") << x264(QString()) << false;
    QTest::newRow("x264 CAVLC, 4 slices, 3 refs, strict B-pyramid, weighted B")
        << x264(QStringLiteral("cabac=0:slices=4:ref=3:bframes=3:b-pyramid=strict:weightb=1:weightp=2")) << false;
    QTest::newRow("x264 interlaced (field pictures syntax)") << x264(QStringLiteral("interlaced=1:ref=2")) << false;
    QTest::newRow("x264 baseline") << x264(QString(), {QStringLiteral("-profile:v"), QStringLiteral("baseline")}) << false;
    QTest::newRow("x264 4:4:4 high") << x264(QString(), {QStringLiteral("-pix_fmt"), QStringLiteral("yuv444p")}) << false;
    QTest::newRow("x265 veryfast (wavefront entry points)") << x265(QString()) << true;
    QTest::newRow("x265 2 slices, 4 refs, B-pyramid, weighted prediction")
        << x265(QStringLiteral("slices=2:ref=4:bframes=4:b-pyramid=1:weightp=1:weightb=1")) << true;
    QTest::newRow("x265 no SAO, no deblocking, no temporal MVP, no WPP")
        << x265(QStringLiteral("no-sao=1:no-deblock=1:temporal-mvp=0:bframes=2:wpp=0")) << true;
  }
  void sliceHeadersEndWhereFfmpegSays() {
    QFETCH(QStringList, codec);
    QFETCH(bool, hevc);
    static int run = 0;
    const Encoded e = encode(tmp_, QStringLiteral("trace%1").arg(++run), codec);
    QString error;
    const std::vector<std::uint64_t> expected = traceSliceHeaderEnds(e.file, hevc, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QVERIFY(expected.size() >= 50);

    bool isHevc = false;
    auto sets = parameterSetsOf(e.track.init, &isHevc);
    QVERIFY2(sets.isOk(), qPrintable(sets.status().message()));
    QCOMPARE(isHevc, hevc);
    h264::SliceHeaderParser avc;
    hevc::SliceHeaderParser hvc;
    for (QByteArrayView unit : sets->nalUnits) {
      const int type = hevc ? (std::uint8_t(unit[0]) >> 1) & 0x3f : std::uint8_t(unit[0]) & 0x1f;
      rs::Status s;
      if (!hevc && type == 7) s = avc.addSps(unit);
      if (!hevc && type == 8) s = avc.addPps(unit);
      if (hevc && type == 33) s = hvc.addSps(unit);
      if (hevc && type == 34) s = hvc.addPps(unit);
      QVERIFY2(s.isOk(), qPrintable(s.message()));
    }
    const std::vector<QByteArray> samples = clearSamples(e.track, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    std::vector<std::uint64_t> ours;
    std::uint64_t escapedHeaders = 0;
    for (const QByteArray &sample : samples) {
      auto units = splitNalUnits(sample, sets->lengthSize);
      QVERIFY2(units.isOk(), qPrintable(units.status().message()));
      for (const NalUnit &u : *units) {
        const int type = hevc ? (std::uint8_t(u.bytes[0]) >> 1) & 0x3f : std::uint8_t(u.bytes[0]) & 0x1f;
        const bool slice = hevc ? type <= 21 : type == 1 || type == 5;
        if (!slice) continue;
        auto size = hevc ? hvc.sliceHeader(u.bytes) : avc.sliceHeader(u.bytes);
        QVERIFY2(size.isOk(), qPrintable(size.status().message()));
        ours.push_back((hevc ? 16 : 8) + size->rbspBits);
        QVERIFY(size->bytes * 8 >= size->rbspBits);
        escapedHeaders += size->bytes;
      }
    }
    QCOMPARE(ours.size(), expected.size());
    for (std::size_t i = 0; i < ours.size(); ++i)
      QVERIFY2(ours[i] == expected[i], qPrintable(QStringLiteral("slice %1: header ends at bit %2, ffmpeg says %3").arg(i).arg(ours[i]).arg(expected[i])));
    QVERIFY(escapedHeaders > 0);
  }

  // Emulation prevention inside a slice header: the stored bytes include the 0x03.
  void escapedBytesCountEmulationPrevention() {
    // 00 00 03 01: RBSP bytes 00 00 01 → 24 bits read from 4 stored bytes.
    RbspReader r(nal({0x00, 0x00, 0x03, 0x01, 0xff}));
    QCOMPARE(r.bits(24), 1u);
    QCOMPARE(r.rbspBits(), std::uint64_t(24));
    QCOMPARE(r.escapedBytes(), std::uint64_t(4));
    RbspReader past(nal({0x80}));
    past.bits(8);
    QVERIFY(past.ok());
    past.bits(1);
    QVERIFY(!past.ok());
  }

  void builderRules() {
    SubsampleBuilder cenc(true);
    cenc.add(5, 100);       // 100 = 6 blocks + 4: the 4 join the clear part
    cenc.add(70000, 0);     // a long clear run, merged into the next subsample
    cenc.add(3, 64);
    cenc.add(9, 10);        // under one block: all clear
    const std::vector<cenc::Subsample> a = cenc.finish();
    const std::vector<cenc::Subsample> wantA = {{9, 96}, {0xffff, 0}, {70003 - 0xffff, 64}, {19, 0}};
    QCOMPARE(a, wantA);
    SubsampleBuilder cbcs(false);
    cbcs.add(5, 100);
    cbcs.add(7, 0);
    const std::vector<cenc::Subsample> b = cbcs.finish();
    const std::vector<cenc::Subsample> wantB = {{5, 100}, {7, 0}};
    QCOMPARE(b, wantB);
  }

  // A real sample's subsamples: SEI/parameter sets clear, each slice's clear part ends
  // on the byte after its header (plus the cenc remainder), and together they cover it.
  void subsamplesOfRealSamples_data() {
    QTest::addColumn<bool>("cbcs");
    QTest::newRow("cenc") << false;
    QTest::newRow("cbcs") << true;
  }
  void subsamplesOfRealSamples() {
    QFETCH(bool, cbcs);
    const Encoded &e = twoSlices_;
    bool hevc = true;
    auto sets = parameterSetsOf(e.track.init, &hevc);
    QVERIFY(sets.isOk());
    auto gen = SubsampleGenerator::create(SubsampleGenerator::Codec::H264, *sets, cbcs ? Scheme::Cbcs : Scheme::Cenc);
    QVERIFY2(gen.isOk(), qPrintable(gen.status().message()));
    QString error;
    const std::vector<QByteArray> samples = clearSamples(e.track, &error);
    QVERIFY(!samples.empty());
    std::uint64_t protectedTotal = 0;
    for (const QByteArray &sample : samples) {
      auto subs = (*gen)->generate(sample);
      QVERIFY2(subs.isOk(), qPrintable(subs.status().message()));
      std::uint64_t covered = 0;
      for (const cenc::Subsample &s : *subs) {
        covered += s.clearBytes + std::uint64_t(s.protectedBytes);
        if (!cbcs) QCOMPARE(s.protectedBytes % 16, 0u);
        protectedTotal += s.protectedBytes;
      }
      QCOMPARE(covered, std::uint64_t(sample.size()));
      // Two slices per picture: at least two protected parts in every sample big enough.
      int protectedParts = 0;
      for (const cenc::Subsample &s : *subs) protectedParts += s.protectedBytes > 0;
      if (sample.size() > 2000) QVERIFY(protectedParts >= 2);
    }
    QVERIFY(protectedTotal > 0);
    // The first sample starts with x264's SEI (its version string): that NAL unit and
    // the first slice's length, header and slice header are all in the first clear run.
    auto first = (*gen)->generate(samples.front());
    auto units = splitNalUnits(samples.front(), sets->lengthSize);
    QVERIFY(units.isOk());
    QCOMPARE(std::uint8_t(units->front().bytes[0]) & 0x1f, 6);  // SEI
    QVERIFY(first->front().clearBytes > units->front().bytes.size() + 4 + 5);
  }

  void lyingSamplesAreRefused_data() {
    QTest::addColumn<QByteArray>("sample");
    QTest::addColumn<QString>("message");
    const QByteArray slice = nal({0x65, 0x88, 0x84, 0x00, 0x21, 0xff, 0xff});
    QTest::newRow("length past the end") << be(100, 4) + slice << QStringLiteral("claims 100 bytes, the 11-byte sample has 7 left");
    QTest::newRow("zero length") << be(0, 4) + slice << QStringLiteral("empty NAL unit at offset 0");
    QTest::newRow("stray bytes") << lengthPrefixed(slice) + nal({0, 0}) << QStringLiteral("2 stray bytes at offset 11");
    // first_mb_in_slice 0, slice_type 2 (I), pic_parameter_set_id 4
    QTest::newRow("unknown PPS") << lengthPrefixed(nal({0x65, 0xb2, 0xff, 0xff})) << QStringLiteral("PPS 4, which was never given");
    QTest::newRow("data partitioning") << lengthPrefixed(nal({0x62, 0x80, 0x00})) << QStringLiteral("data partitioning");
    QTest::newRow("truncated slice header") << lengthPrefixed(nal({0x65, 0x88})) << QStringLiteral("slice header is truncated");
  }
  void lyingSamplesAreRefused() {
    QFETCH(QByteArray, sample);
    QFETCH(QString, message);
    const Encoded &e = plain_;
    bool hevc = true;
    auto sets = parameterSetsOf(e.track.init, &hevc);
    QVERIFY(sets.isOk());
    auto gen = SubsampleGenerator::create(SubsampleGenerator::Codec::H264, *sets, Scheme::Cenc);
    QVERIFY(gen.isOk());
    auto subs = (*gen)->generate(sample);
    QVERIFY(!subs.isOk());
    QCOMPARE(subs.status().code(), rs::ErrorCode::BadRequest);
    QVERIFY2(subs.status().message().contains(message), qPrintable(subs.status().message()));
  }

  void badParameterSetsAreRefused() {
    const QByteArray avcC = be(1, 1) + be(0x64, 1) + be(0, 1) + be(0x1f, 1) + be(0xff, 1) + be(0xe1, 1) + be(40, 2) + nal({0x67, 0x64});
    auto sets = parseAvcC(avcC);
    QVERIFY(!sets.isOk());
    QVERIFY2(sets.status().message().contains(QStringLiteral("runs past the record")), qPrintable(sets.status().message()));
    h264::SliceHeaderParser p;
    const rs::Status s = p.addSps(nal({0x67, 0x64, 0x00}));
    QVERIFY(!s.isOk());
    QVERIFY2(s.message().contains(QStringLiteral("SPS")), qPrintable(s.message()));
  }
};

QTEST_GUILESS_MAIN(TestSubsamples)
#include "tst_subsamples.moc"
