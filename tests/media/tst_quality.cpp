// media::quality against FFmpeg's psnr and ssim filters on the same two clips: our
// per-frame luma values must match the filters' Y values.

#include "media/quality.h"

#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

using namespace rs::media;

namespace {

bool run(const QString &program, const QStringList &args, QByteArray *err = nullptr) {
  QProcess p;
  p.start(program, args);
  const bool ok = p.waitForFinished(60'000) && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
  if (err) *err = p.readAllStandardError();
  if (!ok) qWarning("%s failed: %s", qPrintable(program), p.readAllStandardError().constData());
  return ok;
}

QStringList split(const QString &s) { return s.split(QLatin1Char(' '), Qt::SkipEmptyParts); }

std::vector<double> statsValues(const QString &file, const QString &key) {
  QFile f(file);
  std::vector<double> out;
  if (!f.open(QIODevice::ReadOnly)) return out;
  const QRegularExpression re(QStringLiteral("(?:^| )") + key + QStringLiteral(":([0-9.]+|inf)"));
  for (const QByteArray &line : f.readAll().split('\n')) {
    const QRegularExpressionMatch m = re.match(QString::fromLatin1(line));
    if (m.hasMatch()) out.push_back(m.captured(1) == QStringLiteral("inf") ? 1e9 : m.captured(1).toDouble());
  }
  return out;
}

}  // namespace

class QualityTest : public QObject {
  Q_OBJECT

  QTemporaryDir dir_;
  QString path(const QString &name) const { return dir_.filePath(name); }

 private Q_SLOTS:
  void initTestCase() { QVERIFY(dir_.isValid()); }

  void matchesFfmpegFilters_data() {
    QTest::addColumn<int>("w");
    QTest::addColumn<int>("h");
    QTest::addColumn<int>("crf");
    QTest::newRow("640x360 crf 30") << 640 << 360 << 30;
    QTest::newRow("330x190 crf 40") << 330 << 190 << 40;  // sizes not a multiple of the 4x4 blocks
  }
  void matchesFfmpegFilters() {
    QFETCH(int, w);
    QFETCH(int, h);
    QFETCH(int, crf);
    const QString size = QStringLiteral("%1x%2").arg(w).arg(h);
    const QString ref = path(size + QStringLiteral("-ref.yuv")), enc = path(size + QStringLiteral("-enc.mp4")),
                  dist = path(size + QStringLiteral("-dist.yuv"));
    // The reference: raw frames; the distorted clip: the same frames through x264 and back.
    QVERIFY(run(QStringLiteral("ffmpeg"), split(QStringLiteral("-v error -y -f lavfi -i testsrc2=s=%1:r=25:d=0.8 "
                                                               "-pix_fmt yuv420p -f rawvideo")
                                                    .arg(size)) +
                                              QStringList{ref}));
    QVERIFY(run(QStringLiteral("ffmpeg"),
                split(QStringLiteral("-v error -y -f rawvideo -pix_fmt yuv420p -s %1 -r 25 -i").arg(size)) +
                    QStringList{ref} +
                    split(QStringLiteral("-c:v libx264 -preset ultrafast -crf %1").arg(crf)) + QStringList{enc}));
    QVERIFY(run(QStringLiteral("ffmpeg"), split(QStringLiteral("-v error -y -i")) + QStringList{enc} +
                                              split(QStringLiteral("-pix_fmt yuv420p -f rawvideo")) +
                                              QStringList{dist}));
    const QString psnrLog = path(size + QStringLiteral("-psnr.log")), ssimLog = path(size + QStringLiteral("-ssim.log"));
    const QStringList inputs = split(QStringLiteral("-v error -f rawvideo -pix_fmt yuv420p -s %1 -i").arg(size)) +
                               QStringList{dist} +
                               split(QStringLiteral("-f rawvideo -pix_fmt yuv420p -s %1 -i").arg(size)) + QStringList{ref};
    QVERIFY(run(QStringLiteral("ffmpeg"), inputs + QStringList{QStringLiteral("-lavfi"),
                                                                QStringLiteral("psnr=stats_file=") + psnrLog,
                                                                QStringLiteral("-f"), QStringLiteral("null"),
                                                                QStringLiteral("-")}));
    QVERIFY(run(QStringLiteral("ffmpeg"), inputs + QStringList{QStringLiteral("-lavfi"),
                                                                QStringLiteral("ssim=stats_file=") + ssimLog,
                                                                QStringLiteral("-f"), QStringLiteral("null"),
                                                                QStringLiteral("-")}));
    const std::vector<double> psnrY = statsValues(psnrLog, QStringLiteral("psnr_y"));
    const std::vector<double> ssimY = statsValues(ssimLog, QStringLiteral("Y"));
    QCOMPARE(psnrY.size(), size_t(20));
    QCOMPARE(ssimY.size(), size_t(20));

    QFile a(ref), b(dist);
    QVERIFY(a.open(QIODevice::ReadOnly) && b.open(QIODevice::ReadOnly));
    const qsizetype frameBytes = qsizetype(w) * h * 3 / 2;
    double worstPsnrDiff = 0, worstSsimDiff = 0;
    for (size_t i = 0; i < psnrY.size(); ++i) {
      const QByteArray fa = a.read(frameBytes), fb = b.read(frameBytes);
      QCOMPARE(fa.size(), frameBytes);
      QCOMPARE(fb.size(), frameBytes);
      const quality::Plane pa{reinterpret_cast<const std::uint8_t *>(fa.constData()), w};
      const quality::Plane pb{reinterpret_cast<const std::uint8_t *>(fb.constData()), w};
      const double p = quality::psnr(pb, pa, w, h), s = quality::ssim(pb, pa, w, h);
      QVERIFY2(std::abs(p - psnrY[i]) < 0.05, qPrintable(QStringLiteral("frame %1: psnr %2 vs ffmpeg %3").arg(i).arg(p).arg(psnrY[i])));
      QVERIFY2(std::abs(s - ssimY[i]) < 0.002, qPrintable(QStringLiteral("frame %1: ssim %2 vs ffmpeg %3").arg(i).arg(s).arg(ssimY[i])));
      QVERIFY(p > 20 && p < 60);
      QVERIFY(s > 0.5 && s < 1.0);
      worstPsnrDiff = std::max(worstPsnrDiff, std::abs(p - psnrY[i]));
      worstSsimDiff = std::max(worstSsimDiff, std::abs(s - ssimY[i]));
    }
    qInfo("%s: largest difference to ffmpeg: psnr %.4f dB, ssim %.6f", qPrintable(size), worstPsnrDiff, worstSsimDiff);
  }

  void identicalAndOpposite() {
    std::vector<std::uint8_t> x(64 * 48), y(64 * 48);
    for (size_t i = 0; i < x.size(); ++i) x[i] = std::uint8_t((i * 7) % 256);
    const quality::Plane p{x.data(), 64};
    QCOMPARE(quality::mse(p, p, 64, 48), 0.0);
    QCOMPARE(quality::psnr(p, p, 64, 48), quality::kMaxPsnr);
    QCOMPARE(quality::ssim(p, p, 64, 48), 1.0);
    // Every pixel off by 255: MSE 255², PSNR 0 dB.
    std::vector<std::uint8_t> black(64 * 48, 0), white(64 * 48, 255);
    const quality::Plane pb{black.data(), 64}, pw{white.data(), 64};
    QCOMPARE(quality::mse(pb, pw, 64, 48), 255.0 * 255.0);
    QCOMPARE(quality::psnr(pb, pw, 64, 48), 0.0);
    QVERIFY(quality::ssim(pb, pw, 64, 48) < 0.01);
    // Off by one everywhere: MSE 1 → 48.13 dB.
    for (size_t i = 0; i < y.size(); ++i) y[i] = std::uint8_t(x[i] ^ 1);
    QVERIFY(std::abs(quality::psnr(p, {y.data(), 64}, 64, 48) - 48.1308) < 1e-3);
  }

  void strideIsHonoured() {
    // The same picture in a padded buffer scores as identical.
    const int w = 40, h = 24, stride = 64;
    std::vector<std::uint8_t> tight(size_t(w) * h), padded(size_t(stride) * h, 77);
    for (int yy = 0; yy < h; ++yy)
      for (int xx = 0; xx < w; ++xx) tight[size_t(yy * w + xx)] = padded[size_t(yy * stride + xx)] = std::uint8_t(xx * yy);
    QCOMPARE(quality::mse({tight.data(), w}, {padded.data(), stride}, w, h), 0.0);
    QCOMPARE(quality::ssim({tight.data(), w}, {padded.data(), stride}, w, h), 1.0);
  }

  void accumulator() {
    quality::Accumulator acc;
    QCOMPARE(acc.score().mean, 0.0);
    acc.add(0, 40);
    acc.add(0, 42);
    acc.add(1, 30);
    acc.add(2, 50);
    acc.add(2, 52);
    acc.add(2, 54);
    const QualityScore s = acc.score();
    QCOMPARE(acc.frames(), 6);
    QCOMPARE(s.mean, (40 + 42 + 30 + 50 + 52 + 54) / 6.0);
    QCOMPARE(s.perSegment, (std::vector<double>{41, 30, 52}));
    QCOMPARE(s.worstSegment, 30.0);
  }
};

QTEST_GUILESS_MAIN(QualityTest)
#include "tst_quality.moc"
