#include "edgecache/objectfile.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtEndian>
#include <cerrno>
#include <cstring>
#include <unistd.h>
#include <zlib.h>

namespace rs::edgecache::objectfile {
namespace {

constexpr char kMagic[] = "RSEC1\n";
constexpr qint64 kMagicBytes = sizeof(kMagic) - 1;
constexpr qint64 kPrefixBytes = kMagicBytes + 4;
// A header is a key and a handful of headers; anything larger is not ours.
constexpr quint32 kMaxHeadBytes = 1 << 20;

bool preadAll(int fd, char *data, qint64 size, qint64 offset) {
  while (size > 0) {
    const ssize_t n = ::pread(fd, data, size_t(size), off_t(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= n;
    offset += n;
  }
  return true;
}

}  // namespace

QByteArray encodeHead(const ObjectMeta &meta, quint32 crc32) {
  QJsonArray headers;
  // Latin-1 maps every byte to one code point and back, so header values that are
  // not UTF-8 survive the trip through JSON unchanged.
  for (const auto &[name, value] : meta.headers)
    headers.append(QJsonArray{QString::fromLatin1(name), QString::fromLatin1(value)});
  const QJsonObject head{
      {QStringLiteral("key"), meta.key},
      {QStringLiteral("status"), meta.status},
      {QStringLiteral("headers"), headers},
      {QStringLiteral("size"), meta.size},
      {QStringLiteral("crc32"), qint64(crc32)},
      {QStringLiteral("storedMs"), meta.storedMs},
      {QStringLiteral("expiresMs"), meta.expiresMs},
  };
  const QByteArray json = QJsonDocument(head).toJson(QJsonDocument::Compact);
  QByteArray out;
  out.reserve(kPrefixBytes + json.size());
  out.append(kMagic, kMagicBytes);
  char length[4];
  qToBigEndian(quint32(json.size()), length);
  out.append(length, 4);
  out.append(json);
  return out;
}

std::optional<Head> readHead(int fd) {
  char prefix[kPrefixBytes];
  if (!preadAll(fd, prefix, kPrefixBytes, 0)) return std::nullopt;
  if (std::memcmp(prefix, kMagic, kMagicBytes) != 0) return std::nullopt;
  const quint32 length = qFromBigEndian<quint32>(prefix + kMagicBytes);
  if (length == 0 || length > kMaxHeadBytes) return std::nullopt;
  QByteArray json(qsizetype(length), Qt::Uninitialized);
  if (!preadAll(fd, json.data(), length, kPrefixBytes)) return std::nullopt;

  QJsonParseError error;
  const QJsonDocument doc = QJsonDocument::fromJson(json, &error);
  if (error.error != QJsonParseError::NoError || !doc.isObject()) return std::nullopt;
  const QJsonObject o = doc.object();
  const QJsonValue key = o.value(u"key"), status = o.value(u"status"), size = o.value(u"size"),
                   crc = o.value(u"crc32"), stored = o.value(u"storedMs"), expires = o.value(u"expiresMs"),
                   headers = o.value(u"headers");
  if (!key.isString() || key.toString().isEmpty() || !status.isDouble() || !size.isDouble() ||
      !crc.isDouble() || !stored.isDouble() || !expires.isDouble() || !headers.isArray())
    return std::nullopt;

  Head head;
  head.meta.key = key.toString();
  head.meta.status = status.toInt();
  head.meta.size = size.toInteger(-1);
  head.meta.storedMs = stored.toInteger();
  head.meta.expiresMs = expires.toInteger();
  const qint64 crcValue = crc.toInteger(-1);
  if (head.meta.size < 0 || crcValue < 0 || crcValue > 0xffffffffLL) return std::nullopt;
  head.crc32 = quint32(crcValue);
  for (const QJsonValue &h : headers.toArray()) {
    const QJsonArray pair = h.toArray();
    if (pair.size() != 2 || !pair[0].isString() || !pair[1].isString()) return std::nullopt;
    head.meta.headers.append({pair[0].toString().toLatin1(), pair[1].toString().toLatin1()});
  }
  head.bodyOffset = kPrefixBytes + length;
  return head;
}

quint32 crc32(const QByteArray &bytes) {
  uLong crc = ::crc32(0L, Z_NULL, 0);
  const char *data = bytes.constData();
  qint64 left = bytes.size();
  while (left > 0) {
    const uInt chunk = uInt(std::min<qint64>(left, 1 << 30));
    crc = ::crc32(crc, reinterpret_cast<const Bytef *>(data), chunk);
    data += chunk;
    left -= chunk;
  }
  return quint32(crc);
}

Result<quint32> crc32(int fd, qint64 offset, qint64 length) {
  uLong crc = ::crc32(0L, Z_NULL, 0);
  QByteArray buffer(256 * 1024, Qt::Uninitialized);
  while (length > 0) {
    const qint64 chunk = std::min<qint64>(length, buffer.size());
    if (!preadAll(fd, buffer.data(), chunk, offset))
      return Status(ErrorCode::IoError, QStringLiteral("short read at %1").arg(offset));
    crc = ::crc32(crc, reinterpret_cast<const Bytef *>(buffer.constData()), uInt(chunk));
    offset += chunk;
    length -= chunk;
  }
  return quint32(crc);
}

}  // namespace rs::edgecache::objectfile
