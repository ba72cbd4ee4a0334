#pragma once
// `steer-regions`: which region a viewer's address belongs to. A list of
// PREFIX=REGION entries (IPv4 or IPv6 CIDR); the longest matching prefix wins and an
// address no prefix covers is in region "default".

#include "core/status.h"

#include <QHostAddress>
#include <QString>
#include <vector>

namespace rs::control {

inline QString defaultRegion() { return QStringLiteral("default"); }
// Region names travel in URLs, JSON and metric labels, so they stay plain: 1-64 of
// letters, digits, '_', '.', '-', starting with a letter or digit.
bool isRegionName(const QString &name);
// An IPv4-mapped IPv6 address (::ffff:a.b.c.d, how dual-stack sockets report IPv4
// peers) as the IPv4 address it carries; any other address unchanged.
QHostAddress unmapped(const QHostAddress &address);

class RegionMap {
 public:
  // "10.0.0.0/8=eu, 2001:db8::/32=us, 192.0.2.7=lab" (a bare address is a /32 or /128).
  // BadRequest naming the first bad entry: no '=', an empty or odd region name, an
  // address or prefix length that does not parse, or one prefix given two regions.
  static Result<RegionMap> parse(QStringView spec);

  struct Lookup {
    QString region;
    bool matched = false;  // false: no prefix covers the address (region "default")
  };
  // IPv4-mapped IPv6 addresses are looked up as the IPv4 address they carry.
  Lookup lookup(const QHostAddress &address) const;
  int size() const { return int(entries_.size()); }

 private:
  struct Entry {
    QHostAddress network;
    int prefixLength = 0;
    QString region;
  };
  std::vector<Entry> entries_;
};

}  // namespace rs::control
