#pragma once
// The disk tier's file format (docs/delivery.md, "Disk tier layout"): "RSEC1\n", the
// header length as 4 bytes big-endian, a JSON header, then exactly `size` body bytes.

#include "core/status.h"
#include "edgecache/cachedobject.h"

#include <optional>

namespace rs::edgecache::objectfile {

struct Head {
  ObjectMeta meta;
  quint32 crc32 = 0;
  qint64 bodyOffset = 0;  // where the body starts: magic + length + JSON
  qint64 fileBytes() const { return bodyOffset + meta.size; }
};

// Everything before the body; meta.size must already be the body's size.
QByteArray encodeHead(const ObjectMeta &meta, quint32 crc32);
// Parses the head of an open object file; nothing if it is not one.
std::optional<Head> readHead(int fd);

quint32 crc32(const QByteArray &bytes);
// The CRC-32 of `length` bytes of `fd` from `offset`; an error if they cannot be read.
Result<quint32> crc32(int fd, qint64 offset, qint64 length);

}  // namespace rs::edgecache::objectfile
