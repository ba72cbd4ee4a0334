#include "package/textformat.h"

#include <QStringList>

namespace rs::package::text {

namespace {

using u128 = unsigned __int128;

std::uint64_t powerOfTen(int n) {
  std::uint64_t p = 1;
  while (n-- > 0) p *= 10;
  return p;
}

}  // namespace

QString decimal(std::uint64_t num, std::uint64_t den, int places) {
  if (den == 0) return QStringLiteral("0");
  const std::uint64_t scale = powerOfTen(places);
  const u128 scaled = (u128(num) * scale * 2 + den) / (u128(den) * 2);
  const auto whole = std::uint64_t(scaled / scale), fraction = std::uint64_t(scaled % scale);
  QString s = QString::number(whole);
  if (places > 0) s += u'.' + QString::number(fraction).rightJustified(places, QLatin1Char('0'));
  return s;
}

bool parseFrameRate(const QString &text, std::uint64_t *num, std::uint64_t *den) {
  bool ok1 = false, ok2 = false;
  if (const qsizetype slash = text.indexOf(u'/'); slash >= 0) {
    *num = text.left(slash).toULongLong(&ok1);
    *den = text.mid(slash + 1).toULongLong(&ok2);
    return ok1 && ok2 && *num > 0 && *den > 0;
  }
  const qsizetype dot = text.indexOf(u'.');
  const QString fraction = dot >= 0 ? text.mid(dot + 1) : QString();
  if (fraction.size() > 9) return false;
  const std::uint64_t whole = text.left(dot >= 0 ? dot : text.size()).toULongLong(&ok1);
  const std::uint64_t part = fraction.isEmpty() ? 0 : fraction.toULongLong(&ok2);
  if (!ok1 || (!fraction.isEmpty() && !ok2) || whole > 1000000) return false;
  *den = powerOfTen(int(fraction.size()));
  *num = whole * *den + part;
  return *num > 0;
}

bool ratioLess(std::uint64_t a, std::uint64_t b, std::uint64_t c, std::uint64_t d) {
  return u128(a) * d < u128(c) * b;
}

QString xmlEscape(const QString &s) {
  QString out;
  out.reserve(s.size());
  for (QChar c : s) {
    switch (c.unicode()) {
      case '&': out += QStringLiteral("&amp;"); break;
      case '<': out += QStringLiteral("&lt;"); break;
      case '>': out += QStringLiteral("&gt;"); break;
      case '"': out += QStringLiteral("&quot;"); break;
      case '\'': out += QStringLiteral("&apos;"); break;
      default: out += c;
    }
  }
  return out;
}

QString directoryOf(const QString &path) {
  const qsizetype slash = path.lastIndexOf(u'/');
  return slash < 0 ? QString() : path.left(slash);
}

QString relativePath(const QString &fromDir, const QString &path) {
  const QStringList from = fromDir.split(u'/', Qt::SkipEmptyParts);
  const QStringList to = path.split(u'/', Qt::SkipEmptyParts);
  qsizetype common = 0;
  // The last element of `to` is the file itself, never a shared directory.
  while (common < from.size() && common + 1 < to.size() && from[common] == to[common]) ++common;
  QStringList parts;
  for (qsizetype i = common; i < from.size(); ++i) parts.append(QStringLiteral(".."));
  for (qsizetype i = common; i < to.size(); ++i) parts.append(to[i]);
  return parts.join(u'/');
}

}  // namespace rs::package::text
