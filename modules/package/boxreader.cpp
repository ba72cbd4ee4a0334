#include "package/boxreader.h"

namespace rs::package::mp4 {

namespace {

std::uint64_t readBigEndian(const char *p, int n) {
  std::uint64_t v = 0;
  for (int i = 0; i < n; ++i) v = v << 8 | std::uint8_t(p[i]);
  return v;
}

}  // namespace

QString fourccName(FourCC type) {
  QString out;
  for (int shift = 24; shift >= 0; shift -= 8) {
    const auto c = char((type >> shift) & 0xff);
    if (c >= 0x20 && c < 0x7f)
      out += QLatin1Char(c);
    else
      out += QStringLiteral("\\x%1").arg(std::uint8_t(c), 2, 16, QLatin1Char('0'));
  }
  return out;
}

Status boxError(FourCC type, std::uint64_t offset, const QString &what) {
  return Status(ErrorCode::BadRequest,
                QStringLiteral("box '%1' at offset %2: %3").arg(fourccName(type)).arg(offset).arg(what));
}

Result<BoxHeader> parseBoxHeader(QByteArrayView bytes, std::uint64_t offset, std::uint64_t available) {
  if (available < 8 || bytes.size() < 8)
    return Status(ErrorCode::BadRequest,
                  QStringLiteral("truncated box header at offset %1: %2 bytes left, a header needs 8")
                      .arg(offset)
                      .arg(available));
  BoxHeader h;
  h.type = FourCC(readBigEndian(bytes.data() + 4, 4));
  h.size = readBigEndian(bytes.data(), 4);
  if (h.size == 1) {
    if (available < 16 || bytes.size() < 16)
      return boxError(h.type, offset, QStringLiteral("truncated 64-bit size (%1 bytes left)").arg(available));
    h.size = readBigEndian(bytes.data() + 8, 8);
    h.headerSize = 16;
  } else if (h.size == 0) {
    return boxError(h.type, offset, QStringLiteral("size 0 (box runs to the end of the file) is not supported"));
  }
  if (h.type == fourcc("uuid")) h.headerSize += 16;
  if (h.size < h.headerSize)
    return boxError(h.type, offset, QStringLiteral("size %1 is smaller than its header (%2)").arg(h.size).arg(h.headerSize));
  if (h.size > available)
    return boxError(h.type, offset,
                    QStringLiteral("size %1 is larger than the %2 bytes left").arg(h.size).arg(available));
  return h;
}

QByteArrayView Box::bytes() const {
  return QByteArrayView(payload.data() - headerSize, qsizetype(size()));
}

Result<std::vector<Box>> parseBoxes(QByteArrayView data, std::uint64_t offset) {
  std::vector<Box> boxes;
  std::uint64_t pos = 0;
  const auto total = std::uint64_t(data.size());
  while (pos < total) {
    auto header = parseBoxHeader(data.sliced(qsizetype(pos)), offset + pos, total - pos);
    if (!header) return header.status();
    Box box;
    box.type = header->type;
    box.offset = offset + pos;
    box.headerSize = header->headerSize;
    box.payload = data.sliced(qsizetype(pos + header->headerSize), qsizetype(header->size - header->headerSize));
    boxes.push_back(box);
    pos += header->size;
  }
  return boxes;
}

Result<std::vector<Box>> childrenOf(const Box &parent) {
  return parseBoxes(parent.payload, parent.payloadOffset());
}

const Box *findBox(const std::vector<Box> &boxes, FourCC type) {
  for (const Box &b : boxes)
    if (b.type == type) return &b;
  return nullptr;
}

Result<Box> findPath(const Box &from, std::initializer_list<FourCC> path) {
  Box at = from;
  for (FourCC type : path) {
    auto children = childrenOf(at);
    if (!children) return children.status();
    const Box *next = findBox(*children, type);
    if (!next) return boxError(at.type, at.offset, QStringLiteral("has no '%1' box").arg(fourccName(type)));
    at = *next;
  }
  return at;
}

std::size_t countBoxes(const std::vector<Box> &boxes, FourCC type) {
  std::size_t n = 0;
  for (const Box &b : boxes) n += b.type == type;
  return n;
}

Reader::Reader(const Box &box)
    : data_(box.payload), base_(box.payloadOffset()), owner_(box.type), ownerOffset_(box.offset) {}

Reader::Reader(QByteArrayView data, std::uint64_t offset, FourCC owner, std::uint64_t ownerOffset)
    : data_(data), base_(offset), owner_(owner), ownerOffset_(ownerOffset) {}

bool Reader::take(std::uint64_t n) {
  if (!ok_) return false;
  if (n > std::uint64_t(data_.size()) - pos_) {
    ok_ = false;
    failedAt_ = base_ + pos_;
    failedNeed_ = n;
    return false;
  }
  return true;
}

std::uint64_t Reader::next(int n) {
  if (!take(std::uint64_t(n))) return 0;
  const std::uint64_t v = readBigEndian(data_.data() + pos_, n);
  pos_ += std::uint64_t(n);
  return v;
}

std::uint8_t Reader::u8() { return std::uint8_t(next(1)); }
std::uint16_t Reader::u16() { return std::uint16_t(next(2)); }
std::uint32_t Reader::u24() { return std::uint32_t(next(3)); }
std::uint32_t Reader::u32() { return std::uint32_t(next(4)); }
std::uint64_t Reader::u64() { return next(8); }

QByteArrayView Reader::bytes(std::uint64_t n) {
  if (!take(n)) return {};
  const QByteArrayView v = data_.sliced(qsizetype(pos_), qsizetype(n));
  pos_ += n;
  return v;
}

void Reader::skip(std::uint64_t n) {
  if (take(n)) pos_ += n;
}

std::uint8_t Reader::fullBox(std::uint32_t *flags) {
  const std::uint8_t version = u8();
  const std::uint32_t f = u24();
  if (flags) *flags = f;
  return version;
}

QByteArrayView Reader::rest() const {
  return ok_ ? data_.sliced(qsizetype(pos_)) : QByteArrayView();
}

Status Reader::status() const {
  if (ok_) return Status::ok();
  return boxError(owner_, ownerOffset_,
                  QStringLiteral("truncated: needs %1 bytes at offset %2, %3 left")
                      .arg(failedNeed_)
                      .arg(failedAt_)
                      .arg(std::uint64_t(data_.size()) - (failedAt_ - base_)));
}

Status Reader::fail(const QString &what) const { return boxError(owner_, ownerOffset_, what); }

}  // namespace rs::package::mp4
