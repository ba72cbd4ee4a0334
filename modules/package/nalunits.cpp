#include "package/nalunits.h"

namespace rs::package {

namespace {

std::uint32_t be(QByteArrayView b, qsizetype at, int n) {
  std::uint32_t v = 0;
  for (int i = 0; i < n; ++i) v = v << 8 | std::uint8_t(b[at + i]);
  return v;
}

Status recordError(const char *record, const QString &what) {
  return Status(ErrorCode::BadRequest, QStringLiteral("%1: %2").arg(QLatin1String(record), what));
}

}  // namespace

Result<std::vector<NalUnit>> splitNalUnits(QByteArrayView sample, int lengthSize) {
  if (lengthSize != 1 && lengthSize != 2 && lengthSize != 4)
    return Status(ErrorCode::BadRequest, QStringLiteral("NAL unit length size %1 is not 1, 2 or 4").arg(lengthSize));
  std::vector<NalUnit> out;
  qsizetype pos = 0;
  while (pos < sample.size()) {
    if (sample.size() - pos < lengthSize)
      return Status(ErrorCode::BadRequest, QStringLiteral("%1 stray bytes at offset %2 of a %3-byte sample, too few for a NAL unit length")
                                               .arg(sample.size() - pos).arg(pos).arg(sample.size()));
    const std::uint64_t length = be(sample, pos, lengthSize);
    const std::uint64_t left = std::uint64_t(sample.size() - pos - lengthSize);
    if (length == 0)
      return Status(ErrorCode::BadRequest, QStringLiteral("empty NAL unit at offset %1 of the sample").arg(pos));
    if (length > left)
      return Status(ErrorCode::BadRequest,
                    QStringLiteral("NAL unit at offset %1 claims %2 bytes, the %3-byte sample has %4 left")
                        .arg(pos).arg(length).arg(sample.size()).arg(left));
    out.push_back({std::uint64_t(pos), sample.sliced(pos + lengthSize, qsizetype(length))});
    pos += lengthSize + qsizetype(length);
  }
  return out;
}

Result<ParameterSets> parseAvcC(QByteArrayView r) {
  if (r.size() < 7) return recordError("avcC", QStringLiteral("%1 bytes, shorter than its fixed fields").arg(r.size()));
  if (std::uint8_t(r[0]) != 1) return recordError("avcC", QStringLiteral("unknown configurationVersion %1").arg(std::uint8_t(r[0])));
  ParameterSets p;
  p.lengthSize = (std::uint8_t(r[4]) & 3) + 1;
  if (p.lengthSize == 3) return recordError("avcC", QStringLiteral("NAL unit length size 3 is not allowed"));
  qsizetype pos = 5;
  for (int group = 0; group < 2; ++group) {  // SPS, then PPS
    if (pos >= r.size()) return recordError("avcC", QStringLiteral("truncated before its %1 count").arg(QLatin1String(group ? "PPS" : "SPS")));
    const int count = group == 0 ? std::uint8_t(r[pos]) & 0x1f : std::uint8_t(r[pos]);
    ++pos;
    for (int i = 0; i < count; ++i) {
      if (r.size() - pos < 2) return recordError("avcC", QStringLiteral("truncated parameter set length"));
      const qsizetype n = be(r, pos, 2);
      pos += 2;
      if (n == 0 || r.size() - pos < n) return recordError("avcC", QStringLiteral("parameter set of %1 bytes runs past the record").arg(n));
      p.nalUnits.push_back(r.sliced(pos, n));
      pos += n;
    }
  }
  return p;
}

Result<ParameterSets> parseHvcC(QByteArrayView r) {
  if (r.size() < 23) return recordError("hvcC", QStringLiteral("%1 bytes, shorter than its fixed fields").arg(r.size()));
  if (std::uint8_t(r[0]) != 1) return recordError("hvcC", QStringLiteral("unknown configurationVersion %1").arg(std::uint8_t(r[0])));
  ParameterSets p;
  p.lengthSize = (std::uint8_t(r[21]) & 3) + 1;
  if (p.lengthSize == 3) return recordError("hvcC", QStringLiteral("NAL unit length size 3 is not allowed"));
  const int arrays = std::uint8_t(r[22]);
  qsizetype pos = 23;
  for (int a = 0; a < arrays; ++a) {
    if (r.size() - pos < 3) return recordError("hvcC", QStringLiteral("truncated NAL unit array %1").arg(a));
    const int count = int(be(r, pos + 1, 2));
    pos += 3;
    for (int i = 0; i < count; ++i) {
      if (r.size() - pos < 2) return recordError("hvcC", QStringLiteral("truncated NAL unit length"));
      const qsizetype n = be(r, pos, 2);
      pos += 2;
      if (n == 0 || r.size() - pos < n) return recordError("hvcC", QStringLiteral("NAL unit of %1 bytes runs past the record").arg(n));
      p.nalUnits.push_back(r.sliced(pos, n));
      pos += n;
    }
  }
  return p;
}

}  // namespace rs::package
