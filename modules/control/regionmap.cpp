#include "control/regionmap.h"

#include <QRegularExpression>

namespace rs::control {

// By hand: QHostAddress::toIPv4Address() would also turn "::" into 0.0.0.0.
QHostAddress unmapped(const QHostAddress &a) {
  if (a.protocol() != QAbstractSocket::IPv6Protocol) return a;
  const Q_IPV6ADDR b = a.toIPv6Address();
  for (int i = 0; i < 10; ++i)
    if (b[i] != 0) return a;
  if (b[10] != 0xff || b[11] != 0xff) return a;
  return QHostAddress((quint32(b[12]) << 24) | (quint32(b[13]) << 16) | (quint32(b[14]) << 8) | quint32(b[15]));
}

bool isRegionName(const QString &s) {
  static const QRegularExpression re(QStringLiteral("^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"));
  return re.match(s).hasMatch();
}

Result<RegionMap> RegionMap::parse(QStringView spec) {
  RegionMap map;
  for (QStringView raw : spec.split(QLatin1Char(','))) {
    const QString entry = raw.trimmed().toString();
    if (entry.isEmpty()) continue;  // "a=x,,b=y" or a trailing comma
    auto bad = [&](const QString &why) {
      return Status(ErrorCode::BadRequest, QStringLiteral("steer-regions: entry '%1': %2").arg(entry, why));
    };
    const qsizetype eq = entry.indexOf(QLatin1Char('='));
    if (eq < 0) return bad(QStringLiteral("expected PREFIX=REGION"));
    const QString prefix = entry.left(eq).trimmed();
    const QString region = entry.mid(eq + 1).trimmed();
    if (!isRegionName(region))
      return bad(QStringLiteral("region must be 1-64 letters, digits, '_', '.' or '-' (starting with a letter or digit)"));

    const qsizetype slash = prefix.indexOf(QLatin1Char('/'));
    const QString addressText = slash < 0 ? prefix : prefix.left(slash);
    QHostAddress address;
    // QHostAddress accepts odd IPv4 spellings ("10.1", "167772161"); a prefix must be
    // written out, or "10.1/16" would quietly mean 10.0.0.1/16.
    static const QRegularExpression dottedQuad(QStringLiteral("^\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}$"));
    const bool looksV6 = addressText.contains(QLatin1Char(':'));
    if ((!looksV6 && !dottedQuad.match(addressText).hasMatch()) || !address.setAddress(addressText) ||
        addressText.contains(QLatin1Char('%')))
      return bad(QStringLiteral("'%1' is not an IPv4 or IPv6 address").arg(addressText));
    if (unmapped(address).protocol() != address.protocol())
      return bad(QStringLiteral("write IPv4 prefixes as a.b.c.d/n, not as IPv4-mapped IPv6"));
    const int maxLength = address.protocol() == QAbstractSocket::IPv4Protocol ? 32 : 128;
    int length = maxLength;
    if (slash >= 0) {
      bool ok = false;
      const QString lengthText = prefix.mid(slash + 1);
      length = lengthText.toInt(&ok);
      if (!ok || lengthText.startsWith(QLatin1Char('+')) || length < 0 || length > maxLength)
        return bad(QStringLiteral("prefix length must be 0..%1").arg(maxLength));
    }
    // The network itself, host bits cleared, so "10.1.2.3/8" and "10.0.0.0/8" are one prefix.
    const QHostAddress network =
        QHostAddress::parseSubnet(QStringLiteral("%1/%2").arg(address.toString()).arg(length)).first;
    for (const Entry &e : map.entries_) {
      if (e.prefixLength == length && e.network == network && e.region != region)
        return bad(QStringLiteral("%1/%2 is already mapped to region '%3'").arg(network.toString()).arg(length).arg(e.region));
    }
    map.entries_.push_back(Entry{network, length, region});
  }
  return map;
}

RegionMap::Lookup RegionMap::lookup(const QHostAddress &address) const {
  const QHostAddress a = unmapped(address);
  const Entry *best = nullptr;
  for (const Entry &e : entries_) {
    if (e.network.protocol() != a.protocol()) continue;
    if (best && best->prefixLength >= e.prefixLength) continue;
    if (a.isInSubnet(e.network, e.prefixLength)) best = &e;
  }
  if (!best) return Lookup{defaultRegion(), false};
  return Lookup{best->region, true};
}

}  // namespace rs::control
