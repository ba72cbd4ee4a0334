#include "media/ladder.h"

#include "media/probe.h"

#include <QStringList>
#include <algorithm>

namespace rs::media {

namespace {

Rung makeRung(int height, int kbps) {
  // Constrained VBR: peak at the rung's bitrate, a two-second-ish buffer.
  return Rung{QString::number(height) + QLatin1Char('p'), height, kbps, kbps, 2 * kbps};
}

Status badLadder(const QString &why) {
  return {ErrorCode::BadRequest, QStringLiteral("bad ladder: ") + why};
}

}  // namespace

std::vector<Rung> defaultLadder() {
  return {makeRung(240, 235), makeRung(360, 750), makeRung(480, 1750),
          makeRung(720, 3000), makeRung(1080, 4500), makeRung(2160, 16000)};
}

std::vector<Rung> ladderFor(const MediaInfo &source, const std::vector<Rung> &ladder) {
  std::vector<Rung> sorted = ladder;
  std::sort(sorted.begin(), sorted.end(), [](const Rung &a, const Rung &b) { return a.height < b.height; });
  const int sourceHeight = source.video.displayHeight > 0 ? source.video.displayHeight : source.video.height;
  std::vector<Rung> out;
  for (const Rung &r : sorted)
    if (r.height <= sourceHeight) out.push_back(r);
  if (out.empty() && !sorted.empty() && sourceHeight >= 2) {
    // Smaller than the lowest rung: keep its own size, at the lowest rung's rates.
    Rung r = sorted.front();
    r.height = sourceHeight & ~1;
    r.name = QString::number(r.height) + QLatin1Char('p');
    out.push_back(r);
  }
  return out;
}

Result<std::vector<Rung>> parseLadder(const QString &text) {
  std::vector<Rung> rungs;
  const QStringList items = text.split(QLatin1Char(','));
  for (const QString &raw : items) {
    const QString item = raw.trimmed();
    if (item.isEmpty()) return badLadder(QStringLiteral("empty rung in \"") + text + QStringLiteral("\""));
    const QStringList parts = item.split(QLatin1Char(':'));
    if (parts.size() != 2 || !parts[0].trimmed().endsWith(QLatin1Char('p')))
      return badLadder(QStringLiteral("\"") + item + QStringLiteral("\" is not HEIGHTp:KBPS"));
    bool okH = false, okB = false;
    const QString h = parts[0].trimmed();
    const int height = h.left(h.size() - 1).toInt(&okH);
    const int kbps = parts[1].trimmed().toInt(&okB);
    if (!okH || height < 16 || height > 8192 || height % 2)
      return badLadder(QStringLiteral("\"") + item + QStringLiteral("\": height must be even, 16 to 8192"));
    if (!okB || kbps <= 0 || kbps > 1'000'000)
      return badLadder(QStringLiteral("\"") + item + QStringLiteral("\": bitrate must be 1 to 1000000 kb/s"));
    for (const Rung &r : rungs)
      if (r.height == height) return badLadder(QStringLiteral("%1p appears twice").arg(height));
    rungs.push_back(makeRung(height, kbps));
  }
  std::sort(rungs.begin(), rungs.end(), [](const Rung &a, const Rung &b) { return a.height < b.height; });
  return rungs;
}

QString formatLadder(const std::vector<Rung> &rungs) {
  QStringList items;
  for (const Rung &r : rungs) items << QString::number(r.height) + QStringLiteral("p:") + QString::number(r.bitrateKbps);
  return items.join(QLatin1Char(','));
}

}  // namespace rs::media
