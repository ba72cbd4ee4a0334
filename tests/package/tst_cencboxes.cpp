// Every Common Encryption box written and read back (write → parse → equal), plus the
// exact bytes of the ones whose layout players depend on (tenc v0/v1, pssh v1, senc
// with subsamples), checked against layouts built by hand from ISO/IEC 23001-7, and
// truncated or inconsistent boxes that must be refused with the box named.

#include "package/boxbuilder.h"
#include "package/cencboxes.h"

#include <QTest>

using namespace rs::package;
using namespace rs::package::testing;

namespace {

Bytes16 seq16(int start) {
  Bytes16 b{};
  for (int i = 0; i < 16; ++i) b[std::size_t(i)] = std::uint8_t(start + i);
  return b;
}

QByteArray raw16(int start) { return toByteArray(seq16(start)); }

mp4::Box only(const QByteArray &bytes) {
  auto boxes = mp4::parseBoxes(bytes, 0);
  if (!boxes || boxes->size() != 1) qFatal("not one box: %s", qPrintable(boxes.status().message()));
  return boxes->front();
}

template <typename T, typename Parse>
void roundTrip(const T &value, Parse parse) {
  const QByteArray bytes = cenc::write(value);
  auto parsed = parse(only(bytes));
  QVERIFY2(parsed.isOk(), qPrintable(parsed.status().message()));
  QVERIFY(*parsed == value);
  QCOMPARE(cenc::write(*parsed), bytes);
}

}  // namespace

class TestCencBoxes : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void frmaAndSchm() {
    roundTrip(cenc::Frma{mp4::fourcc("avc1")}, cenc::parseFrma);
    roundTrip(cenc::Schm{mp4::fourcc("cbcs"), 0x00010000}, cenc::parseSchm);
    QCOMPARE(cenc::write(cenc::Schm{mp4::fourcc("cenc")}), fullBox("schm", 0, 0, QByteArray("cenc") + be(0x00010000, 4)));
  }

  void tencVersion0() {
    cenc::Tenc t;
    t.kid = seq16(0x10);
    roundTrip(t, cenc::parseTenc);
    // reserved, reserved, isProtected, Per_Sample_IV_Size, KID
    QCOMPARE(cenc::write(t), fullBox("tenc", 0, 0, be(0, 1) + be(0, 1) + be(1, 1) + be(8, 1) + raw16(0x10)));
  }

  void tencVersion1WithPatternAndConstantIv() {
    cenc::Tenc t;
    t.version = 1;
    t.cryptByteBlock = 1;
    t.skipByteBlock = 9;
    t.perSampleIvSize = 0;
    t.kid = seq16(0x20);
    t.constantIv = raw16(0x40);
    roundTrip(t, cenc::parseTenc);
    QCOMPARE(cenc::write(t), fullBox("tenc", 1, 0, be(0, 1) + be(0x19, 1) + be(1, 1) + be(0, 1) + raw16(0x20) + be(16, 1) + raw16(0x40)));
  }

  void tencRejectsBadValues_data() {
    QTest::addColumn<QByteArray>("box");
    QTest::addColumn<QString>("message");
    QTest::newRow("iv size 4") << fullBox("tenc", 0, 0, be(0, 2) + be(1, 1) + be(4, 1) + raw16(0)) << QStringLiteral("per-sample IV size 4");
    QTest::newRow("truncated kid") << fullBox("tenc", 0, 0, be(0, 2) + be(1, 1) + be(8, 1) + raw16(0).left(10)) << QStringLiteral("truncated");
    QTest::newRow("constant iv size 5") << fullBox("tenc", 1, 0, be(0, 2) + be(1, 1) + be(0, 1) + raw16(0) + be(5, 1) + QByteArray(5, 'x'))
                                        << QStringLiteral("constant IV size 5");
    QTest::newRow("constant iv truncated") << fullBox("tenc", 1, 0, be(0, 2) + be(1, 1) + be(0, 1) + raw16(0) + be(16, 1) + QByteArray(3, 'x'))
                                           << QStringLiteral("truncated");
    QTest::newRow("trailing bytes") << fullBox("tenc", 0, 0, be(0, 2) + be(1, 1) + be(8, 1) + raw16(0) + "zz") << QStringLiteral("2 unexpected bytes");
  }
  void tencRejectsBadValues() {
    QFETCH(QByteArray, box);
    QFETCH(QString, message);
    auto t = cenc::parseTenc(only(box));
    QVERIFY(!t.isOk());
    QVERIFY2(t.status().message().contains(QStringLiteral("box 'tenc' at offset 0")), qPrintable(t.status().message()));
    QVERIFY2(t.status().message().contains(message), qPrintable(t.status().message()));
  }

  void sinf() {
    cenc::Sinf s;
    s.frma.dataFormat = mp4::fourcc("mp4a");
    s.schm.schemeType = mp4::fourcc("cenc");
    s.tenc.kid = seq16(3);
    roundTrip(s, cenc::parseSinf);
    const mp4::Box sinfBox = only(cenc::write(s));
    auto children = mp4::childrenOf(sinfBox);
    QVERIFY(children.isOk());
    QCOMPARE(children->size(), std::size_t(3));
    QCOMPARE((*children)[0].type, mp4::fourcc("frma"));
    QCOMPARE((*children)[1].type, mp4::fourcc("schm"));
    QCOMPARE((*children)[2].type, mp4::fourcc("schi"));
    auto missing = cenc::parseSinf(only(box("sinf", cenc::write(s.frma))));
    QVERIFY(!missing.isOk());
    QVERIFY(missing.status().message().contains(QStringLiteral("needs frma, schm and schi")));
  }

  void psshVersion1WithKids() {
    cenc::Pssh p;
    p.kids = {seq16(0), seq16(0x80)};
    roundTrip(p, cenc::parsePssh);
    const QByteArray systemId = QByteArray::fromHex("1077efecc0b24d02ace33c1e52e2fb4b");
    QCOMPARE(cenc::write(p), fullBox("pssh", 1, 0, systemId + be(2, 4) + raw16(0) + raw16(0x80) + be(0, 4)));
    cenc::Pssh v0;
    v0.version = 0;
    v0.data = "opaque";
    roundTrip(v0, cenc::parsePssh);
    auto lying = cenc::parsePssh(only(fullBox("pssh", 1, 0, systemId + be(1000, 4) + raw16(0) + be(0, 4))));
    QVERIFY(!lying.isOk());
    QVERIFY2(lying.status().message().contains(QStringLiteral("1000 KIDs need 16000 bytes")), qPrintable(lying.status().message()));
  }

  void sencWithSubsamples() {
    cenc::Senc s;
    s.flags = cenc::kSencUseSubsamples;
    s.entries = {{QByteArray::fromHex("0102030405060708"), {{5, 32}, {0xffff, 0}, {7, 1600}}},
                 {QByteArray::fromHex("0102030405060709"), {{100, 0}}}};
    roundTrip(s, [](const mp4::Box &b) { return cenc::parseSenc(b, 8); });
    QCOMPARE(cenc::write(s), fullBox("senc", 0, 2, be(2, 4) + QByteArray::fromHex("0102030405060708") + be(3, 2) + be(5, 2) + be(32, 4) +
                                                     be(0xffff, 2) + be(0, 4) + be(7, 2) + be(1600, 4) +
                                                     QByteArray::fromHex("0102030405060709") + be(1, 2) + be(100, 2) + be(0, 4)));
    QCOMPARE(s.entries[0].size(true), std::uint32_t(8 + 2 + 18));
  }

  void sencWithoutSubsamplesOrIvs() {
    cenc::Senc whole;
    whole.entries = {{QByteArray(8, 'a'), {}}, {QByteArray(8, 'b'), {}}};
    roundTrip(whole, [](const mp4::Box &b) { return cenc::parseSenc(b, 8); });
    cenc::Senc constant;  // cbcs audio: constant IV, no subsamples: entries are empty
    constant.entries.resize(3);
    roundTrip(constant, [](const mp4::Box &b) { return cenc::parseSenc(b, 0); });
    QCOMPARE(cenc::write(constant), fullBox("senc", 0, 0, be(3, 4)));
  }

  void sencRefusesCountsThatCannotFit() {
    auto s = cenc::parseSenc(only(fullBox("senc", 0, 0, be(1000000, 4) + QByteArray(16, 'x'))), 8);
    QVERIFY(!s.isOk());
    QVERIFY2(s.status().message().contains(QStringLiteral("1000000 entries cannot fit in 16 bytes")), qPrintable(s.status().message()));
    auto subs = cenc::parseSenc(only(fullBox("senc", 0, 2, be(1, 4) + QByteArray(8, 'x') + be(50, 2) + QByteArray(12, 'y'))), 8);
    QVERIFY(!subs.isOk());
    QVERIFY2(subs.status().message().contains(QStringLiteral("50 subsamples do not fit")), qPrintable(subs.status().message()));
  }

  void saizAndSaio() {
    cenc::Saiz fixed{8, 120, {}};
    roundTrip(fixed, cenc::parseSaiz);
    QCOMPARE(cenc::write(fixed), fullBox("saiz", 0, 0, be(8, 1) + be(120, 4)));
    cenc::Saiz varying{0, 3, {16, 22, 16}};
    roundTrip(varying, cenc::parseSaiz);
    roundTrip(cenc::Saio{0, {1234}}, cenc::parseSaio);
    roundTrip(cenc::Saio{1, {0x100000000ull}}, cenc::parseSaio);
    QCOMPARE(cenc::write(cenc::Saio{0, {1234}}), fullBox("saio", 0, 0, be(1, 4) + be(1234, 4)));
    auto lying = cenc::parseSaiz(only(fullBox("saiz", 0, 0, be(0, 1) + be(50, 4) + QByteArray(3, 'x'))));
    QVERIFY(!lying.isOk());
    QVERIFY(lying.status().message().contains(QStringLiteral("50 sizes, 3 bytes left")));
  }

  void saizForSenc() {
    cenc::Senc s;
    s.flags = cenc::kSencUseSubsamples;
    s.entries = {{QByteArray(8, 'a'), {{1, 16}}}, {QByteArray(8, 'b'), {{1, 16}}}};
    QCOMPARE(cenc::saizFor(s), (cenc::Saiz{16, 2, {}}));
    s.entries.push_back({QByteArray(8, 'c'), {{1, 16}, {2, 32}}});
    QCOMPARE(cenc::saizFor(s), (cenc::Saiz{0, 3, {16, 16, 22}}));
    cenc::Senc empty;
    empty.entries.resize(2);
    QCOMPARE(cenc::saizFor(empty), (cenc::Saiz{0, 2, {0, 0}}));
  }

  void wrongBoxType() {
    auto t = cenc::parseTenc(only(box("frma", "avc1")));
    QVERIFY(!t.isOk());
    QVERIFY(t.status().message().contains(QStringLiteral("expected a 'tenc' box")));
  }
};

QTEST_GUILESS_MAIN(TestCencBoxes)
#include "tst_cencboxes.moc"
