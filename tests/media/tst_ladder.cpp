// Ladder selection and the ladder text format.

#include "media/ladder.h"
#include "media/probe.h"

#include <QtTest>

using namespace rs;
using namespace rs::media;

namespace {

MediaInfo source(int w, int h, int rotation = 0) {
  MediaInfo m;
  m.hasVideo = true;
  m.video.width = w;
  m.video.height = h;
  m.video.rotation = rotation;
  const bool sideways = rotation == 90 || rotation == 270;
  m.video.displayWidth = sideways ? h : w;
  m.video.displayHeight = sideways ? w : h;
  return m;
}

QStringList names(const std::vector<Rung> &rungs) {
  QStringList out;
  for (const Rung &r : rungs) out << r.name;
  return out;
}

}  // namespace

class LadderTest : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void defaults() {
    const std::vector<Rung> l = defaultLadder();
    QCOMPARE(names(l), QStringList({QStringLiteral("240p"), QStringLiteral("360p"), QStringLiteral("480p"),
                                    QStringLiteral("720p"), QStringLiteral("1080p"), QStringLiteral("2160p")}));
    const int kbps[] = {235, 750, 1750, 3000, 4500, 16000};
    for (size_t i = 0; i < l.size(); ++i) {
      QCOMPARE(l[i].bitrateKbps, kbps[i]);
      QCOMPARE(l[i].maxrateKbps, kbps[i]);
      QCOMPARE(l[i].bufsizeKbps, 2 * kbps[i]);
      QCOMPARE(l[i].height, l[i].name.chopped(1).toInt());
    }
  }

  void neverUpscales_data() {
    QTest::addColumn<int>("w");
    QTest::addColumn<int>("h");
    QTest::addColumn<int>("rotation");
    QTest::addColumn<QString>("expected");
    QTest::newRow("1080p") << 1920 << 1080 << 0 << QStringLiteral("240p,360p,480p,720p,1080p");
    QTest::newRow("4k") << 3840 << 2160 << 0 << QStringLiteral("240p,360p,480p,720p,1080p,2160p");
    QTest::newRow("just under 4k") << 3840 << 2158 << 0 << QStringLiteral("240p,360p,480p,720p,1080p");
    QTest::newRow("720p") << 1280 << 720 << 0 << QStringLiteral("240p,360p,480p,720p");
    QTest::newRow("between") << 1280 << 700 << 0 << QStringLiteral("240p,360p,480p");
    QTest::newRow("360p") << 640 << 360 << 0 << QStringLiteral("240p,360p");
    QTest::newRow("exactly 240") << 426 << 240 << 0 << QStringLiteral("240p");
    QTest::newRow("tiny") << 320 << 180 << 0 << QStringLiteral("180p");
    QTest::newRow("tiny odd") << 176 << 143 << 0 << QStringLiteral("142p");
    // A portrait phone clip: 1920x1080 coded, 1080x1920 displayed.
    QTest::newRow("rotated") << 1920 << 1080 << 90 << QStringLiteral("240p,360p,480p,720p,1080p");
    QTest::newRow("rotated small") << 640 << 360 << 270 << QStringLiteral("240p,360p,480p");
  }
  void neverUpscales() {
    QFETCH(int, w);
    QFETCH(int, h);
    QFETCH(int, rotation);
    QFETCH(QString, expected);
    const std::vector<Rung> l = ladderFor(source(w, h, rotation), defaultLadder());
    QCOMPARE(names(l).join(QLatin1Char(',')), expected);
    const int displayHeight = (rotation == 90 || rotation == 270) ? w : h;
    for (const Rung &r : l) {
      QVERIFY(r.height <= displayHeight);
      QCOMPARE(r.height % 2, 0);
    }
  }

  void tinySourceKeepsLowestRates() {
    const std::vector<Rung> l = ladderFor(source(200, 112), defaultLadder());
    QCOMPARE(l.size(), size_t(1));
    QCOMPARE(l[0].height, 112);
    QCOMPARE(l[0].bitrateKbps, 235);
    QCOMPARE(l[0].bufsizeKbps, 470);
  }

  void unsortedLadder() {
    std::vector<Rung> l = defaultLadder();
    std::reverse(l.begin(), l.end());
    QCOMPARE(names(ladderFor(source(640, 480), l)).join(QLatin1Char(',')), QStringLiteral("240p,360p,480p"));
  }

  void parseAndFormat() {
    Result<std::vector<Rung>> r = parseLadder(QStringLiteral("240p:235,360p:750,480p:1750,720p:3000,1080p:4500,2160p:16000"));
    QVERIFY2(r.isOk(), qPrintable(r.status().message()));
    QCOMPARE(r->size(), defaultLadder().size());
    for (size_t i = 0; i < r->size(); ++i) {
      QCOMPARE(r->at(i).name, defaultLadder()[i].name);
      QCOMPARE(r->at(i).bitrateKbps, defaultLadder()[i].bitrateKbps);
      QCOMPARE(r->at(i).maxrateKbps, defaultLadder()[i].maxrateKbps);
      QCOMPARE(r->at(i).bufsizeKbps, defaultLadder()[i].bufsizeKbps);
    }
    QCOMPARE(formatLadder(r.value()), QStringLiteral("240p:235,360p:750,480p:1750,720p:3000,1080p:4500,2160p:16000"));
    QCOMPARE(formatLadder(defaultLadder()), formatLadder(r.value()));

    Result<std::vector<Rung>> spaced = parseLadder(QStringLiteral(" 720p : 3000 , 240p:235 "));
    QVERIFY(spaced.isOk());
    QCOMPARE(formatLadder(spaced.value()), QStringLiteral("240p:235,720p:3000"));
  }

  void parseErrors_data() {
    QTest::addColumn<QString>("text");
    for (const char *bad : {"", "240p", "240:235", "240p:", "p:235", "240p:abc", "240p:0", "240p:-5", "241p:300",
                            "8p:100", "240p:235,,360p:750", "240p:235,240p:300", "240p:235:1", "abc"})
      QTest::newRow(bad) << QString::fromUtf8(bad);
  }
  void parseErrors() {
    QFETCH(QString, text);
    Result<std::vector<Rung>> r = parseLadder(text);
    QVERIFY(!r.isOk());
    QCOMPARE(r.status().code(), ErrorCode::BadRequest);
    QVERIFY(r.status().message().startsWith(QStringLiteral("bad ladder: ")));
  }
};

QTEST_GUILESS_MAIN(LadderTest)
#include "tst_ladder.moc"
