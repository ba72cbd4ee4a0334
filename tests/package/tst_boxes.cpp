// The box reader's bounds checks and the RFC 6381 codec strings, over boxes built by
// hand for configurations our encoders do not produce (HEVC tiers and profile spaces,
// VP9 profile 2, AV1 high tier, HE-AAC, USAC, MP3).

#include "package/boxbuilder.h"
#include "package/boxreader.h"
#include "package/fmp4.h"

#include <QTest>

using namespace rs::package;
using namespace rs::package::testing;

namespace {

QByteArray avcC(int profile, int compatibility, int level) {
  return box("avcC", be(1, 1) + be(std::uint64_t(profile), 1) + be(std::uint64_t(compatibility), 1) +
                         be(std::uint64_t(level), 1) + be(0xff, 1) + be(0xe0, 1));
}

QByteArray hvcC(int space, bool highTier, int profile, std::uint32_t compatibility, const QByteArray &constraints,
                int level) {
  return box("hvcC", be(1, 1) + be(std::uint64_t(space << 6 | (highTier ? 0x20 : 0) | profile), 1) + be(compatibility, 4) +
                         constraints + be(std::uint64_t(level), 1) + be(0xf000, 2) + be(0xfc, 1) + be(0xfd, 1) +
                         be(0xf8, 1) + be(0xf8, 1) + be(0, 2) + be(0x0f, 1) + be(0, 1));
}

QByteArray vpcC(int profile, int level, int bitDepth, int chroma, bool fullRange, int cp, int tc, int mc) {
  return fullBox("vpcC", 1, 0, be(std::uint64_t(profile), 1) + be(std::uint64_t(level), 1) +
                                   be(std::uint64_t(bitDepth << 4 | chroma << 1 | (fullRange ? 1 : 0)), 1) +
                                   be(std::uint64_t(cp), 1) + be(std::uint64_t(tc), 1) + be(std::uint64_t(mc), 1) + be(0, 2));
}

QByteArray av1C(int profile, int level, bool highTier, bool highBitDepth, bool twelveBit) {
  return box("av1C", be(0x81, 1) + be(std::uint64_t(profile << 5 | level), 1) +
                         be(std::uint64_t((highTier ? 0x80 : 0) | (highBitDepth ? 0x40 : 0) | (twelveBit ? 0x20 : 0) | 0x0c), 1) +
                         be(0, 1));
}

QByteArray bytes(std::initializer_list<int> values) {
  QByteArray out;
  for (int v : values) out.append(char(v));
  return out;
}

}  // namespace

class TestBoxes : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void parsesNestedAndLargeSizes() {
    const QByteArray data = box("free", QByteArray(3, 'x')) + largeBox("mdat", QByteArray(5, 'y')) +
                            box("uuid", QByteArray(16, 'u') + QByteArray("abc"));
    auto boxes = mp4::parseBoxes(data, 100);
    QVERIFY2(boxes.isOk(), qPrintable(boxes.status().message()));
    QCOMPARE(boxes->size(), std::size_t(3));
    QCOMPARE((*boxes)[0].type, mp4::fourcc("free"));
    QCOMPARE((*boxes)[0].offset, std::uint64_t(100));
    QCOMPARE((*boxes)[1].type, mp4::fourcc("mdat"));
    QCOMPARE((*boxes)[1].offset, std::uint64_t(111));
    QCOMPARE((*boxes)[1].headerSize, std::uint32_t(16));
    QCOMPARE((*boxes)[1].payload.toByteArray(), QByteArray(5, 'y'));
    QCOMPARE((*boxes)[2].headerSize, std::uint32_t(24));
    QCOMPARE((*boxes)[2].payload.toByteArray(), QByteArray("abc"));
    QCOMPARE((*boxes)[1].bytes().toByteArray(), largeBox("mdat", QByteArray(5, 'y')));
  }

  void rejectsBadSizes_data() {
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<QString>("message");
    QTest::newRow("size past end") << QByteArray(box("free", "abc").replace(3, 1, "\x20"))
                                   << QStringLiteral("box 'free' at offset 50: size 32 is larger than the 11 bytes left");
    QTest::newRow("size zero") << be(0, 4) + QByteArray("moof") + be(0, 8)
                               << QStringLiteral("box 'moof' at offset 50: size 0");
    QTest::newRow("smaller than header") << be(7, 4) + QByteArray("trak") << QStringLiteral("box 'trak' at offset 50: size 7 is smaller");
    QTest::newRow("largesize smaller than header") << be(1, 4) + QByteArray("mdat") + be(12, 8)
                                                   << QStringLiteral("box 'mdat' at offset 50: size 12 is smaller than its header (16)");
    QTest::newRow("largesize truncated") << be(1, 4) + QByteArray("mdat") + be(0, 3)
                                         << QStringLiteral("box 'mdat' at offset 50: truncated 64-bit size");
    QTest::newRow("header truncated") << box("free", {}) + QByteArray("\0\0\0", 3)
                                      << QStringLiteral("truncated box header at offset 58: 3 bytes left");
    QTest::newRow("unprintable type") << be(100, 4) + bytes({0x01, 'a', 0x7f, 'b'})
                                      << QStringLiteral("box '\\x01a\\x7fb' at offset 50");
    QTest::newRow("huge largesize") << be(1, 4) + QByteArray("mdat") + be(~std::uint64_t(0), 8)
                                    << QStringLiteral("box 'mdat' at offset 50: size 18446744073709551615 is larger than the 16 bytes left");
  }
  void rejectsBadSizes() {
    QFETCH(QByteArray, data);
    QFETCH(QString, message);
    auto boxes = mp4::parseBoxes(data, 50);
    QVERIFY(!boxes.isOk());
    QCOMPARE(boxes.status().code(), rs::ErrorCode::BadRequest);
    QVERIFY2(boxes.status().message().startsWith(message), qPrintable(boxes.status().message()));
  }

  void readerStopsAtTheEnd() {
    const QByteArray data = box("tfdt", be(0x01000000, 4) + be(7, 4));  // version 1 needs 8 bytes, has 4
    auto boxes = mp4::parseBoxes(data, 1000);
    QVERIFY(boxes.isOk());
    mp4::Reader r(boxes->front());
    QCOMPARE(r.fullBox(nullptr), std::uint8_t(1));
    QCOMPARE(r.u64(), std::uint64_t(0));
    QVERIFY(!r.ok());
    QCOMPARE(r.u32(), std::uint32_t(0));  // stays failed
    QCOMPARE(r.status().message(), QStringLiteral("box 'tfdt' at offset 1000: truncated: needs 8 bytes at offset 1012, 4 left"));
  }

  void codecStrings_data() {
    QTest::addColumn<QByteArray>("entry");
    QTest::addColumn<QString>("codecs");
    QTest::newRow("avc1 high 3.1") << visualEntry("avc1", 1280, 720, avcC(0x64, 0x00, 0x1f)) << QStringLiteral("avc1.64001f");
    QTest::newRow("avc3 constrained baseline") << visualEntry("avc3", 640, 360, avcC(0x42, 0xc0, 0x1e))
                                               << QStringLiteral("avc3.42c01e");
    QTest::newRow("avc1 after pasp and colr")
        << visualEntry("avc1", 640, 360, box("colr", QByteArray("nclx") + be(0x00010001, 4) + be(0x0100, 2)) +
                                             box("pasp", be(1, 4) + be(1, 4)) + avcC(0x4d, 0x40, 0x28))
        << QStringLiteral("avc1.4d4028");
    QTest::newRow("hvc1 main") << visualEntry("hvc1", 1920, 1080, hvcC(0, false, 1, 0x60000000, bytes({0xb0, 0, 0, 0, 0, 0}), 93))
                               << QStringLiteral("hvc1.1.6.L93.B0");
    QTest::newRow("hev1 main10 high tier") << visualEntry("hev1", 3840, 2160, hvcC(0, true, 2, 0x20000000, bytes({0xb0, 0, 0, 0, 0, 0}), 153))
                                           << QStringLiteral("hev1.2.4.H153.B0");
    QTest::newRow("hvc1 profile space A, all constraint bytes")
        << visualEntry("hvc1", 1920, 1080, hvcC(1, false, 4, 0x08000000, bytes({0x90, 0, 0, 0, 0, 0x01}), 120))
        << QStringLiteral("hvc1.A4.10.L120.90.00.00.00.00.01");
    QTest::newRow("hvc1 no constraints") << visualEntry("hvc1", 1280, 720, hvcC(0, false, 1, 0x60000000, QByteArray(6, '\0'), 90))
                                         << QStringLiteral("hvc1.1.6.L90");
    QTest::newRow("vp09 profile 0") << visualEntry("vp09", 1280, 720, vpcC(0, 31, 8, 1, false, 1, 1, 1))
                                    << QStringLiteral("vp09.00.31.08.01.01.01.01.00");
    QTest::newRow("vp09 profile 2 hdr") << visualEntry("vp09", 3840, 2160, vpcC(2, 51, 10, 1, true, 9, 16, 9))
                                        << QStringLiteral("vp09.02.51.10.01.09.16.09.01");
    QTest::newRow("av01 main 4.0") << visualEntry("av01", 1920, 1080, av1C(0, 8, false, false, false))
                                   << QStringLiteral("av01.0.08M.08");
    QTest::newRow("av01 high tier 10-bit") << visualEntry("av01", 3840, 2160, av1C(0, 13, true, true, false))
                                           << QStringLiteral("av01.0.13H.10");
    QTest::newRow("av01 professional 12-bit") << visualEntry("av01", 1920, 1080, av1C(2, 5, false, true, true))
                                              << QStringLiteral("av01.2.05M.12");
    QTest::newRow("mp4a AAC-LC") << audioEntry("mp4a", 2, 48000, esds(0x40, bytes({0x11, 0x90})))
                                 << QStringLiteral("mp4a.40.2");
    QTest::newRow("mp4a HE-AAC") << audioEntry("mp4a", 2, 48000, esds(0x40, bytes({0x2b, 0x11, 0x88, 0x00})))
                                 << QStringLiteral("mp4a.40.5");
    QTest::newRow("mp4a HE-AACv2") << audioEntry("mp4a", 2, 48000, esds(0x40, bytes({0xeb, 0x11, 0x88, 0x00})))
                                   << QStringLiteral("mp4a.40.29");
    QTest::newRow("mp4a escaped object type (USAC)") << audioEntry("mp4a", 2, 48000, esds(0x40, bytes({0xf9, 0x46, 0x40})))
                                                     << QStringLiteral("mp4a.40.42");
    QTest::newRow("mp4a mp3") << audioEntry("mp4a", 2, 44100, esds(0x6b, {})) << QStringLiteral("mp4a.6B");
    QTest::newRow("mp4a without config") << audioEntry("mp4a", 2, 44100, esds(0x40, {})) << QStringLiteral("mp4a.40");
    QTest::newRow("opus") << audioEntry("Opus", 2, 48000, box("dOps", be(0, 11))) << QStringLiteral("opus");
  }
  void codecStrings() {
    QFETCH(QByteArray, entry);
    QFETCH(QString, codecs);
    QCOMPARE(codecStringFromInit(entry), codecs);           // a lone sample entry
    QCOMPARE(codecStringFromInit(initWith(entry)), codecs);  // inside an init segment
  }

  void noCodecStringFromBrokenInput_data() {
    QTest::addColumn<QByteArray>("data");
    QTest::newRow("empty") << QByteArray();
    QTest::newRow("random") << QByteArray("\x13\x37\xca\xfe not an mp4 at all", 24);
    QTest::newRow("avcC truncated") << visualEntry("avc1", 1280, 720, box("avcC", be(1, 1) + be(0x64, 1)));
    QTest::newRow("no avcC") << visualEntry("avc1", 1280, 720, box("pasp", be(1, 4) + be(1, 4)));
    QTest::newRow("child too large") << visualEntry("avc1", 1280, 720, be(4096, 4) + QByteArray("avcC") + be(0x01640a1f, 4));
    QTest::newRow("unknown entry") << visualEntry("xyz1", 1, 1, {});
    QTest::newRow("visual entry cut short") << box("avc1", be(0, 20));
    QTest::newRow("esds length past end") << audioEntry("mp4a", 2, 48000, fullBox("esds", 0, 0, bytes({0x03, 0x7f, 0, 1, 0})));
    QTest::newRow("esds wrong tag") << audioEntry("mp4a", 2, 48000, fullBox("esds", 0, 0, bytes({0x04, 0x01, 0x40})));
    QTest::newRow("vpcC version 0") << visualEntry("vp09", 640, 360, fullBox("vpcC", 0, 0, be(0, 8)));
    QTest::newRow("av1C bad marker") << visualEntry("av01", 640, 360, box("av1C", be(0x01000000, 4)));
    QTest::newRow("stsd without entries") << initWith({});
  }
  void noCodecStringFromBrokenInput() {
    QFETCH(QByteArray, data);
    QCOMPARE(codecStringFromInit(data), QString());
  }
};

QTEST_GUILESS_MAIN(TestBoxes)
#include "tst_boxes.moc"
