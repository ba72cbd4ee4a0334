// splitFragmentedMp4 over fragmented files built box by box, for what FFmpeg never
// writes but other muxers do: durations, sizes and flags from trex instead of tfhd,
// several truns per fragment, per-sample flags, 64-bit mdat sizes, a missing tfdt; and
// the structural errors each of those can carry.

#include "package/boxbuilder.h"
#include "package/fmp4.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>
#include <functional>

using namespace rs::package;
using namespace rs::package::testing;

namespace {

constexpr std::uint32_t kNonSync = 0x00010000;
constexpr std::uint32_t kSync = 0x02000000;  // sample_depends_on = 2 (an I-frame)
constexpr std::uint32_t kDefaultBaseIsMoof = 0x020000;

struct TrackSpec {
  std::uint32_t trackId = 1;
  std::uint32_t timescale = 1000;
  QByteArray handler = "vide";
  int tkhdVersion = 0;
  int tkhdWidth = 640, tkhdHeight = 360;
  std::uint32_t trexDuration = 0, trexSize = 0, trexFlags = 0;
  int tracks = 1;
};

QByteArray avcEntry() {
  return visualEntry("avc1", 640, 360, box("avcC", be(0x0164001f, 4) + be(0xffe0, 2)));
}

QByteArray initSegment(const TrackSpec &t) {
  const QByteArray times = t.tkhdVersion == 1 ? be(0, 16) : be(0, 8);
  const QByteArray tkhd = fullBox("tkhd", t.tkhdVersion, 7,
                                  times + be(t.trackId, 4) + be(0, 4) + (t.tkhdVersion == 1 ? be(0, 8) : be(0, 4)) +
                                      be(0, 8) + be(0, 8) + be(0x00010000, 4) + be(0, 12) + be(0x00010000, 4) + be(0, 12) +
                                      be(0x40000000, 4) + be(std::uint64_t(t.tkhdWidth) << 16, 4) +
                                      be(std::uint64_t(t.tkhdHeight) << 16, 4));
  const QByteArray mdhd = fullBox("mdhd", 0, 0, be(0, 8) + be(t.timescale, 4) + be(0, 4) + be(0x55c4, 2) + be(0, 2));
  const QByteArray hdlr = fullBox("hdlr", 0, 0, be(0, 4) + t.handler + be(0, 12) + QByteArray("x", 2));
  const QByteArray entry = t.handler == "soun" ? audioEntry("mp4a", 2, 48000, esds(0x40, QByteArray("\x11\x90", 2)))
                                               : avcEntry();
  const QByteArray stbl = box("stbl", fullBox("stsd", 0, 0, be(1, 4) + entry) + fullBox("stts", 0, 0, be(0, 4)));
  const QByteArray trak = box("trak", tkhd + box("mdia", mdhd + hdlr + box("minf", stbl)));
  const QByteArray trex = fullBox("trex", 0, 0, be(t.trackId, 4) + be(1, 4) + be(t.trexDuration, 4) + be(t.trexSize, 4) +
                                                     be(t.trexFlags, 4));
  QByteArray traks;
  for (int i = 0; i < t.tracks; ++i) traks += trak;
  return box("ftyp", QByteArray("iso6") + be(0, 4) + QByteArray("iso6cmfc")) +
         box("moov", fullBox("mvhd", 0, 0, be(0, 96)) + traks + box("mvex", trex));
}

// One trun: `flags` decide which per-sample fields `samples` holds (already encoded);
// the data offset, when flagged, is filled in by fragment().
struct Run {
  std::uint32_t flags = 0;
  std::uint32_t count = 0;
  std::uint32_t firstSampleFlags = 0;
  QByteArray samples;
};

struct FragmentSpec {
  std::uint32_t trackId = 1;
  std::uint32_t tfhdFlags = kDefaultBaseIsMoof;
  QByteArray tfhdFields;      // after track_ID, as the flags demand
  int tfdtVersion = 1;        // -1: no tfdt
  std::uint64_t decodeTime = 0;
  std::vector<Run> runs;
  QByteArray sampleData;
  bool largeMdat = false;
  int trafs = 1;
};

QByteArray fragment(const FragmentSpec &f) {
  auto build = [&](std::uint32_t dataOffset) {
    QByteArray traf = fullBox("tfhd", 0, f.tfhdFlags, be(f.trackId, 4) + f.tfhdFields);
    if (f.tfdtVersion >= 0)
      traf += fullBox("tfdt", f.tfdtVersion, 0, be(f.decodeTime, f.tfdtVersion == 1 ? 8 : 4));
    std::uint32_t offset = dataOffset;
    for (const Run &r : f.runs) {
      QByteArray p = be(r.count, 4);
      if (r.flags & 0x01) p += be(offset, 4);
      if (r.flags & 0x04) p += be(r.firstSampleFlags, 4);
      traf += fullBox("trun", 0, r.flags, p + r.samples);
      offset = 0;  // later runs continue where the previous one ended
    }
    QByteArray trafs;
    for (int i = 0; i < f.trafs; ++i) trafs += box("traf", traf);
    return box("moof", fullBox("mfhd", 0, 0, be(1, 4)) + trafs);
  };
  const qsizetype moofSize = build(0).size();
  const int mdatHeader = f.largeMdat ? 16 : 8;
  const QByteArray moof = build(std::uint32_t(moofSize + mdatHeader));
  return moof + (f.largeMdat ? largeBox("mdat", f.sampleData) : box("mdat", f.sampleData));
}

QByteArray u32s(std::initializer_list<std::uint32_t> values) {
  QByteArray out;
  for (std::uint32_t v : values) out += be(v, 4);
  return out;
}

}  // namespace

class TestFragments : public QObject {
  Q_OBJECT

  QTemporaryDir tmp_;
  int files_ = 0;

  rs::Result<TrackSummary> split(const QByteArray &data, QString *outDir = nullptr) {
    const QString input = tmp_.filePath(QStringLiteral("in-%1.mp4").arg(++files_));
    QFile f(input);
    if (!f.open(QIODevice::WriteOnly) || f.write(data) != data.size()) return rs::Status(rs::ErrorCode::IoError, input);
    f.close();
    const QString out = tmp_.filePath(QStringLiteral("out-%1").arg(files_));
    if (outDir) *outDir = out;
    return splitFragmentedMp4(input, out);
  }

  void expectError(const QByteArray &data, const QString &message) {
    QString out;
    auto r = split(data, &out);
    QVERIFY(!r.isOk());
    QCOMPARE(r.status().code(), rs::ErrorCode::BadRequest);
    QVERIFY2(r.status().message().contains(message), qPrintable(r.status().message()));
    QVERIFY(!QFileInfo::exists(out));
  }

 private Q_SLOTS:
  void initTestCase() { QVERIFY(tmp_.isValid()); }

  // Nothing per sample and nothing in tfhd: trex supplies duration, size and flags.
  void trexDefaults() {
    TrackSpec t;
    t.trexDuration = 40;
    t.trexSize = 10;
    t.trexFlags = kNonSync;
    FragmentSpec first;
    first.runs = {Run{0x01 | 0x04, 5, kSync, {}}};  // data offset, first-sample-flags
    first.sampleData = QByteArray(50, 'a');
    FragmentSpec second = first;
    second.decodeTime = 200;
    second.runs = {Run{0x01, 5, 0, {}}};
    QString out;
    auto r = split(initSegment(t) + fragment(first) + fragment(second), &out);
    QVERIFY2(r.isOk(), qPrintable(r.status().message()));
    QCOMPARE(r->segments.size(), std::size_t(2));
    QCOMPARE(r->segments[0].duration, std::uint64_t(200));
    QCOMPARE(r->segments[0].sampleCount, std::uint64_t(5));
    QVERIFY(r->segments[0].startsWithSyncSample);   // first-sample-flags override trex
    QVERIFY(!r->segments[1].startsWithSyncSample);  // trex says non-sync
    QCOMPARE(r->segments[1].baseDecodeTime, std::uint64_t(200));
    QCOMPARE(r->timescale, std::uint32_t(1000));
    QCOMPARE(r->codecs, QStringLiteral("avc1.64001f"));
    QFile seg(out + QStringLiteral("/seg-2.m4s"));
    QVERIFY(seg.open(QIODevice::ReadOnly));
    QCOMPARE(seg.readAll(), fragment(second));
  }

  void tfhdDefaultsOverrideTrex() {
    TrackSpec t;
    t.trexDuration = 40;
    t.trexSize = 10;
    t.trexFlags = kNonSync;
    FragmentSpec f;
    f.tfhdFlags = kDefaultBaseIsMoof | 0x08 | 0x10 | 0x20;
    f.tfhdFields = u32s({33, 4, kSync});
    f.runs = {Run{0x01, 3, 0, {}}};
    f.sampleData = QByteArray(12, 'b');
    auto r = split(initSegment(t) + fragment(f));
    QVERIFY2(r.isOk(), qPrintable(r.status().message()));
    QCOMPARE(r->segments[0].duration, std::uint64_t(99));
    QVERIFY(r->segments[0].startsWithSyncSample);
  }

  // tfhd also may carry a sample description index before the defaults.
  void tfhdSampleDescriptionIndexIsSkipped() {
    FragmentSpec f;
    f.tfhdFlags = kDefaultBaseIsMoof | 0x02 | 0x08;
    f.tfhdFields = u32s({1, 25});
    f.runs = {Run{0x01 | 0x200, 2, 0, u32s({3, 4})}};
    f.sampleData = QByteArray(7, 'c');
    auto r = split(initSegment(TrackSpec{}) + fragment(f));
    QVERIFY2(r.isOk(), qPrintable(r.status().message()));
    QCOMPARE(r->segments[0].duration, std::uint64_t(50));
  }

  void perSampleFieldsAndSeveralRuns() {
    FragmentSpec f;
    // durations + sizes + composition offsets; the second run continues after the first.
    f.runs = {Run{0x01 | 0x100 | 0x200 | 0x800, 3, 0, u32s({100, 1, 0, 200, 2, 0, 300, 3, 0})},
              Run{0x100 | 0x200, 2, 0, u32s({400, 4, 500, 5})}};
    f.sampleData = QByteArray(15, 'd');
    auto r = split(initSegment(TrackSpec{}) + fragment(f));
    QVERIFY2(r.isOk(), qPrintable(r.status().message()));
    QCOMPARE(r->segments[0].duration, std::uint64_t(1500));
    QCOMPARE(r->segments[0].sampleCount, std::uint64_t(5));

    f.sampleData.chop(1);  // the second run's last byte falls outside the mdat
    expectError(initSegment(TrackSpec{}) + fragment(f), QStringLiteral("runs past the end of the file"));
  }

  void perSampleFlagsDecideSync() {
    FragmentSpec f;
    f.tfhdFlags = kDefaultBaseIsMoof | 0x08 | 0x10;
    f.tfhdFields = u32s({10, 1});
    f.runs = {Run{0x01 | 0x400, 2, 0, u32s({kNonSync, kSync})}};
    f.sampleData = QByteArray(2, 'e');
    auto r = split(initSegment(TrackSpec{}) + fragment(f));
    QVERIFY2(r.isOk(), qPrintable(r.status().message()));
    QVERIFY(!r->segments[0].startsWithSyncSample);
  }

  void largeMdatAndVersion0Tfdt() {
    FragmentSpec f;
    f.tfhdFlags = kDefaultBaseIsMoof | 0x08 | 0x10;
    f.tfhdFields = u32s({10, 3});
    f.tfdtVersion = 0;
    f.decodeTime = 77;
    f.largeMdat = true;
    f.runs = {Run{0x01, 4, 0, {}}};
    f.sampleData = QByteArray(12, 'f');
    QString out;
    auto r = split(initSegment(TrackSpec{}) + fragment(f), &out);
    QVERIFY2(r.isOk(), qPrintable(r.status().message()));
    QCOMPARE(r->segments[0].baseDecodeTime, std::uint64_t(77));
    QCOMPARE(r->segments[0].bytes, std::int64_t(fragment(f).size()));
    QCOMPARE(QFileInfo(out + QStringLiteral("/seg-1.m4s")).size(), r->segments[0].bytes);
  }

  // Without tfdt, a fragment starts where the previous one ended.
  void missingTfdtContinuesTheTimeline() {
    FragmentSpec f;
    f.tfhdFlags = kDefaultBaseIsMoof | 0x08 | 0x10;
    f.tfhdFields = u32s({10, 1});
    f.tfdtVersion = -1;
    f.runs = {Run{0x01, 4, 0, {}}};
    f.sampleData = QByteArray(4, 'g');
    auto r = split(initSegment(TrackSpec{}) + fragment(f) + fragment(f) + fragment(f));
    QVERIFY2(r.isOk(), qPrintable(r.status().message()));
    QCOMPARE(r->segments.size(), std::size_t(3));
    QCOMPARE(r->segments[2].baseDecodeTime, std::uint64_t(80));
    QCOMPARE(r->segments[2].number, std::uint64_t(3));
  }

  void sizesFromTkhdOrSampleEntry() {
    TrackSpec t;
    t.tkhdVersion = 1;
    t.tkhdWidth = 854;  // the display width of the 640x360 coded picture (non-square pixels)
    FragmentSpec f;
    f.tfhdFlags = kDefaultBaseIsMoof | 0x08 | 0x10;
    f.tfhdFields = u32s({10, 1});
    f.runs = {Run{0x01, 1, 0, {}}};
    f.sampleData = QByteArray(1, 'h');
    auto r = split(initSegment(t) + fragment(f));
    QVERIFY2(r.isOk(), qPrintable(r.status().message()));
    QCOMPARE(r->width, 854);
    QCOMPARE(r->height, 360);
    t.tkhdWidth = t.tkhdHeight = 0;
    auto fallback = split(initSegment(t) + fragment(f));
    QVERIFY2(fallback.isOk(), qPrintable(fallback.status().message()));
    QCOMPARE(fallback->width, 640);
    QCOMPARE(fallback->height, 360);
  }

  void audioTrack() {
    TrackSpec t;
    t.handler = "soun";
    t.timescale = 48000;
    FragmentSpec f;
    f.tfhdFlags = kDefaultBaseIsMoof | 0x08 | 0x10 | 0x20;
    f.tfhdFields = u32s({1024, 6, kSync});
    f.runs = {Run{0x01, 2, 0, {}}};
    f.sampleData = QByteArray(12, 'i');
    auto r = split(initSegment(t) + fragment(f));
    QVERIFY2(r.isOk(), qPrintable(r.status().message()));
    QVERIFY(!r->isVideo);
    QCOMPARE(r->codecs, QStringLiteral("mp4a.40.2"));
    QCOMPARE(r->sampleRate, 48000);
    QCOMPARE(r->channels, 2);
    QCOMPARE(r->width, 0);
  }

  void structuralErrors_data() {
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<QString>("message");
    FragmentSpec ok;
    ok.tfhdFlags = kDefaultBaseIsMoof | 0x08 | 0x10;
    ok.tfhdFields = u32s({10, 1});
    ok.runs = {Run{0x01, 2, 0, {}}};
    ok.sampleData = QByteArray(2, 'j');
    const QByteArray init = initSegment(TrackSpec{});

    FragmentSpec absolute = ok;
    absolute.tfhdFlags |= 0x01;
    absolute.tfhdFields = be(0, 8) + absolute.tfhdFields;
    QTest::newRow("absolute base data offset") << init + fragment(absolute) << QStringLiteral("absolute base-data-offset");
    FragmentSpec otherTrack = ok;
    otherTrack.trackId = 2;
    QTest::newRow("other track") << init + fragment(otherTrack) << QStringLiteral("describes track 2, the init segment has track 1");
    FragmentSpec twoTrafs = ok;
    twoTrafs.trafs = 2;
    QTest::newRow("two trafs") << init + fragment(twoTrafs) << QStringLiteral("expected one 'traf', found 2");
    FragmentSpec backwards = ok;
    backwards.decodeTime = 1000;
    FragmentSpec earlier = ok;
    earlier.decodeTime = 10;
    QTest::newRow("decode time goes back") << init + fragment(backwards) + fragment(earlier)
                                           << QStringLiteral("decode time 10 goes back before the previous fragment's 1000");
    FragmentSpec noDuration = ok;
    noDuration.tfhdFields = u32s({0, 1});
    QTest::newRow("no durations") << init + fragment(noDuration) << QStringLiteral("fragment has no sample durations");
    FragmentSpec empty = ok;
    empty.runs = {Run{0x01, 0, 0, {}}};
    empty.sampleData.clear();
    QTest::newRow("no samples") << init + fragment(empty) << QStringLiteral("fragment holds no samples");
    FragmentSpec noOffset = ok;
    noOffset.runs = {Run{0x00, 2, 0, {}}};
    QTest::newRow("first run without data offset") << init + fragment(noOffset) << QStringLiteral("the first run has no data offset");
    FragmentSpec shortRun = ok;
    shortRun.runs = {Run{0x01 | 0x100, 3, 0, u32s({1, 2})}};
    QTest::newRow("trun shorter than its samples") << init + fragment(shortRun) << QStringLiteral("3 samples need 12 bytes, the box has 8");

    TrackSpec twoTracks;
    twoTracks.tracks = 2;
    QTest::newRow("two tracks") << initSegment(twoTracks) + fragment(ok) << QStringLiteral("expected one track, found 2");
    TrackSpec text;
    text.handler = "text";
    QTest::newRow("text track") << initSegment(text) + fragment(ok) << QStringLiteral("unsupported handler 'text'");
    TrackSpec noScale;
    noScale.timescale = 0;
    QTest::newRow("timescale 0") << initSegment(noScale) + fragment(ok) << QStringLiteral("box 'mdhd' at offset");
    QTest::newRow("moof before moov") << init.left(init.indexOf("moov") - 4) + fragment(ok) << QStringLiteral("comes before the 'moov'");
    QTest::newRow("moov before ftyp") << init.mid(init.indexOf("moov") - 4) + fragment(ok)
                                      << QStringLiteral("box 'moov' at offset 0: comes before any 'ftyp'");
    QTest::newRow("second moov") << init + init.mid(init.indexOf("moov") - 4) + fragment(ok) << QStringLiteral("is the second 'moov'");
    QTest::newRow("two moofs in a row") << init + fragment(ok).left(fragment(ok).indexOf("mdat") - 4) + fragment(ok)
                                        << QStringLiteral("which has no 'mdat'");
  }
  void structuralErrors() {
    QFETCH(QByteArray, data);
    QFETCH(QString, message);
    expectError(data, message);
  }

  // Top-level boxes that are not ours to copy are skipped wherever they sit.
  void skipsSidxStypFreeAndMfra() {
    FragmentSpec f;
    f.tfhdFlags = kDefaultBaseIsMoof | 0x08 | 0x10;
    f.tfhdFields = u32s({10, 1});
    f.runs = {Run{0x01, 2, 0, {}}};
    f.sampleData = QByteArray(2, 'k');
    const QByteArray data = initSegment(TrackSpec{}) + box("free", QByteArray(5, 'x')) +
                            box("styp", QByteArray("msdh") + be(0, 4)) + fullBox("sidx", 1, 0, be(0, 32)) + fragment(f) +
                            box("mfra", fullBox("mfro", 0, 0, be(16, 4)));
    QString out;
    auto r = split(data, &out);
    QVERIFY2(r.isOk(), qPrintable(r.status().message()));
    QCOMPARE(r->segments.size(), std::size_t(1));
    QCOMPARE(QDir(out).entryList(QDir::Files, QDir::Name), (QStringList{QStringLiteral("init.mp4"), QStringLiteral("seg-1.m4s")}));
    QCOMPARE(r->initBytes, std::int64_t(initSegment(TrackSpec{}).size()));
  }
};

QTEST_GUILESS_MAIN(TestFragments)
#include "tst_fragments.moc"
