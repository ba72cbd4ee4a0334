#include "package/cencboxes.h"

#include "package/boxwriter.h"

namespace rs::package::cenc {

using mp4::fourcc;

const Bytes16 kCommonSystemId = {0x10, 0x77, 0xef, 0xec, 0xc0, 0xb2, 0x4d, 0x02,
                                 0xac, 0xe3, 0x3c, 0x1e, 0x52, 0xe2, 0xfb, 0x4b};

namespace {

void put16(mp4::Writer &w, const Bytes16 &b) { w.bytes(QByteArrayView(reinterpret_cast<const char *>(b.data()), 16)); }

Bytes16 read16(mp4::Reader &r) {
  Bytes16 out{};
  const QByteArrayView v = r.bytes(16);
  if (v.size() == 16) std::copy_n(reinterpret_cast<const std::uint8_t *>(v.data()), 16, out.begin());
  return out;
}

Status expectType(const mp4::Box &box, mp4::FourCC type) {
  if (box.type != type)
    return mp4::boxError(box.type, box.offset, QStringLiteral("expected a '%1' box").arg(mp4::fourccName(type)));
  return Status::ok();
}

// Boxes must end where their fields end: trailing bytes mean the reader and the writer
// disagree about the layout, which is the one thing a round trip exists to catch.
Status finish(const mp4::Reader &r) {
  RS_RETURN_IF_ERROR(r.status());
  if (r.remaining() != 0) return r.fail(QStringLiteral("%1 unexpected bytes after its fields").arg(r.remaining()));
  return Status::ok();
}

}  // namespace

std::uint32_t SencEntry::size(bool withSubsamples) const {
  return std::uint32_t(iv.size()) + (withSubsamples ? 2 + 6 * std::uint32_t(subsamples.size()) : 0);
}

QByteArray write(const Frma &f) {
  mp4::Writer w;
  const auto m = w.begin(fourcc("frma"));
  w.fourcc(f.dataFormat);
  w.end(m);
  return w.take();
}

QByteArray write(const Schm &s) {
  mp4::Writer w;
  const auto m = w.beginFull(fourcc("schm"), 0, 0);
  w.fourcc(s.schemeType);
  w.u32(s.schemeVersion);
  w.end(m);
  return w.take();
}

QByteArray write(const Tenc &t) {
  mp4::Writer w;
  const auto m = w.beginFull(fourcc("tenc"), t.version, 0);
  w.u8(0);
  w.u8(t.version == 0 ? 0 : std::uint8_t((t.cryptByteBlock & 0xf) << 4 | (t.skipByteBlock & 0xf)));
  w.u8(t.isProtected ? 1 : 0);
  w.u8(t.perSampleIvSize);
  put16(w, t.kid);
  if (t.isProtected && t.perSampleIvSize == 0) {
    w.u8(std::uint8_t(t.constantIv.size()));
    w.bytes(t.constantIv);
  }
  w.end(m);
  return w.take();
}

QByteArray write(const Sinf &s) {
  mp4::Writer w;
  const auto m = w.begin(fourcc("sinf"));
  w.bytes(write(s.frma));
  w.bytes(write(s.schm));
  const auto schi = w.begin(fourcc("schi"));
  w.bytes(write(s.tenc));
  w.end(schi);
  w.end(m);
  return w.take();
}

QByteArray write(const Pssh &p) {
  mp4::Writer w;
  const auto m = w.beginFull(fourcc("pssh"), p.version, 0);
  put16(w, p.systemId);
  if (p.version > 0) {
    w.u32(std::uint32_t(p.kids.size()));
    for (const Bytes16 &kid : p.kids) put16(w, kid);
  }
  w.u32(std::uint32_t(p.data.size()));
  w.bytes(p.data);
  w.end(m);
  return w.take();
}

QByteArray write(const Senc &s) {
  mp4::Writer w;
  const auto m = w.beginFull(fourcc("senc"), 0, s.flags);
  w.u32(std::uint32_t(s.entries.size()));
  for (const SencEntry &e : s.entries) {
    w.bytes(e.iv);
    if (s.useSubsamples()) {
      w.u16(std::uint16_t(e.subsamples.size()));
      for (const Subsample &sub : e.subsamples) {
        w.u16(sub.clearBytes);
        w.u32(sub.protectedBytes);
      }
    }
  }
  w.end(m);
  return w.take();
}

QByteArray write(const Saiz &s) {
  mp4::Writer w;
  const auto m = w.beginFull(fourcc("saiz"), 0, 0);
  w.u8(s.defaultSampleInfoSize);
  w.u32(s.sampleCount);
  if (s.defaultSampleInfoSize == 0)
    for (std::uint8_t size : s.sampleInfoSizes) w.u8(size);
  w.end(m);
  return w.take();
}

QByteArray write(const Saio &s) {
  mp4::Writer w;
  const auto m = w.beginFull(fourcc("saio"), s.version, 0);
  w.u32(std::uint32_t(s.offsets.size()));
  for (std::uint64_t o : s.offsets) {
    if (s.version == 0) w.u32(std::uint32_t(o));
    else w.u64(o);
  }
  w.end(m);
  return w.take();
}

Result<Frma> parseFrma(const mp4::Box &box) {
  RS_RETURN_IF_ERROR(expectType(box, fourcc("frma")));
  mp4::Reader r(box);
  Frma f;
  f.dataFormat = r.u32();
  RS_RETURN_IF_ERROR(finish(r));
  return f;
}

Result<Schm> parseSchm(const mp4::Box &box) {
  RS_RETURN_IF_ERROR(expectType(box, fourcc("schm")));
  mp4::Reader r(box);
  std::uint32_t flags = 0;
  r.fullBox(&flags);
  Schm s;
  s.schemeType = r.u32();
  s.schemeVersion = r.u32();
  if (flags & 1) r.skip(r.remaining());  // scheme_uri: we never write one
  RS_RETURN_IF_ERROR(finish(r));
  return s;
}

Result<Tenc> parseTenc(const mp4::Box &box) {
  RS_RETURN_IF_ERROR(expectType(box, fourcc("tenc")));
  mp4::Reader r(box);
  Tenc t;
  t.version = r.fullBox(nullptr);
  r.u8();
  const std::uint8_t pattern = r.u8();
  if (t.version > 0) {
    t.cryptByteBlock = pattern >> 4;
    t.skipByteBlock = pattern & 0xf;
  }
  const std::uint8_t isProtected = r.u8();
  t.isProtected = isProtected == 1;
  t.perSampleIvSize = r.u8();
  t.kid = read16(r);
  RS_RETURN_IF_ERROR(r.status());
  if (isProtected > 1) return r.fail(QStringLiteral("default_isProtected is %1, not 0 or 1").arg(isProtected));
  if (t.perSampleIvSize != 0 && t.perSampleIvSize != 8 && t.perSampleIvSize != 16)
    return r.fail(QStringLiteral("per-sample IV size %1 is not 0, 8 or 16").arg(t.perSampleIvSize));
  if (t.isProtected && t.perSampleIvSize == 0) {
    const std::uint8_t size = r.u8();
    t.constantIv = r.bytes(size).toByteArray();
    RS_RETURN_IF_ERROR(r.status());
    if (size != 8 && size != 16) return r.fail(QStringLiteral("constant IV size %1 is not 8 or 16").arg(size));
  }
  RS_RETURN_IF_ERROR(finish(r));
  return t;
}

Result<Sinf> parseSinf(const mp4::Box &box) {
  RS_RETURN_IF_ERROR(expectType(box, fourcc("sinf")));
  auto children = mp4::childrenOf(box);
  if (!children) return children.status();
  const mp4::Box *frma = mp4::findBox(*children, fourcc("frma"));
  const mp4::Box *schm = mp4::findBox(*children, fourcc("schm"));
  const mp4::Box *schi = mp4::findBox(*children, fourcc("schi"));
  if (!frma || !schm || !schi) return mp4::boxError(box.type, box.offset, QStringLiteral("needs frma, schm and schi"));
  Sinf s;
  auto f = parseFrma(*frma);
  if (!f) return f.status();
  s.frma = *f;
  auto m = parseSchm(*schm);
  if (!m) return m.status();
  s.schm = *m;
  auto tenc = mp4::findPath(*schi, {fourcc("tenc")});
  if (!tenc) return tenc.status();
  auto t = parseTenc(*tenc);
  if (!t) return t.status();
  s.tenc = *t;
  return s;
}

Result<Pssh> parsePssh(const mp4::Box &box) {
  RS_RETURN_IF_ERROR(expectType(box, fourcc("pssh")));
  mp4::Reader r(box);
  Pssh p;
  p.version = r.fullBox(nullptr);
  p.systemId = read16(r);
  if (p.version > 0) {
    const std::uint32_t count = r.u32();
    RS_RETURN_IF_ERROR(r.status());
    if (std::uint64_t(count) * 16 > r.remaining())
      return r.fail(QStringLiteral("%1 KIDs need %2 bytes, %3 left").arg(count).arg(std::uint64_t(count) * 16).arg(r.remaining()));
    for (std::uint32_t i = 0; i < count; ++i) p.kids.push_back(read16(r));
  }
  const std::uint32_t size = r.u32();
  p.data = r.bytes(size).toByteArray();
  RS_RETURN_IF_ERROR(finish(r));
  return p;
}

Result<Senc> parseSenc(const mp4::Box &box, std::uint8_t perSampleIvSize) {
  RS_RETURN_IF_ERROR(expectType(box, fourcc("senc")));
  mp4::Reader r(box);
  Senc s;
  r.fullBox(&s.flags);
  const std::uint32_t count = r.u32();
  RS_RETURN_IF_ERROR(r.status());
  // The smallest entry is its IV (subsamples add at least the 2-byte count), so a count
  // that cannot fit is refused before anything is allocated for it.
  const std::uint64_t least = s.useSubsamples() ? perSampleIvSize + 2u : perSampleIvSize;
  if (least > 0 && std::uint64_t(count) * least > r.remaining())
    return r.fail(QStringLiteral("%1 entries cannot fit in %2 bytes").arg(count).arg(r.remaining()));
  if (least == 0 && count > 1u << 24) return r.fail(QStringLiteral("%1 entries is not a fragment's sample count").arg(count));
  s.entries.reserve(count);
  for (std::uint32_t i = 0; i < count && r.ok(); ++i) {
    SencEntry e;
    e.iv = r.bytes(perSampleIvSize).toByteArray();
    if (s.useSubsamples()) {
      const std::uint16_t n = r.u16();
      if (std::uint64_t(n) * 6 > r.remaining()) return r.fail(QStringLiteral("entry %1: %2 subsamples do not fit").arg(i).arg(n));
      for (std::uint16_t k = 0; k < n; ++k) {
        Subsample sub;
        sub.clearBytes = r.u16();
        sub.protectedBytes = r.u32();
        e.subsamples.push_back(sub);
      }
    }
    s.entries.push_back(std::move(e));
  }
  RS_RETURN_IF_ERROR(finish(r));
  return s;
}

Result<Saiz> parseSaiz(const mp4::Box &box) {
  RS_RETURN_IF_ERROR(expectType(box, fourcc("saiz")));
  mp4::Reader r(box);
  std::uint32_t flags = 0;
  r.fullBox(&flags);
  if (flags & 1) r.skip(8);  // aux_info_type, aux_info_type_parameter
  Saiz s;
  s.defaultSampleInfoSize = r.u8();
  s.sampleCount = r.u32();
  RS_RETURN_IF_ERROR(r.status());
  if (s.defaultSampleInfoSize == 0) {
    if (s.sampleCount > r.remaining()) return r.fail(QStringLiteral("%1 sizes, %2 bytes left").arg(s.sampleCount).arg(r.remaining()));
    const QByteArrayView sizes = r.bytes(s.sampleCount);
    s.sampleInfoSizes.assign(reinterpret_cast<const std::uint8_t *>(sizes.data()),
                             reinterpret_cast<const std::uint8_t *>(sizes.data()) + sizes.size());
  }
  RS_RETURN_IF_ERROR(finish(r));
  return s;
}

Result<Saio> parseSaio(const mp4::Box &box) {
  RS_RETURN_IF_ERROR(expectType(box, fourcc("saio")));
  mp4::Reader r(box);
  std::uint32_t flags = 0;
  Saio s;
  s.version = r.fullBox(&flags);
  if (flags & 1) r.skip(8);
  const std::uint32_t count = r.u32();
  RS_RETURN_IF_ERROR(r.status());
  const std::uint64_t width = s.version == 0 ? 4 : 8;
  if (std::uint64_t(count) * width > r.remaining()) return r.fail(QStringLiteral("%1 offsets, %2 bytes left").arg(count).arg(r.remaining()));
  for (std::uint32_t i = 0; i < count; ++i) s.offsets.push_back(s.version == 0 ? r.u32() : r.u64());
  RS_RETURN_IF_ERROR(finish(r));
  return s;
}

Saiz saizFor(const Senc &senc) {
  Saiz s;
  s.sampleCount = std::uint32_t(senc.entries.size());
  bool same = true;
  for (const SencEntry &e : senc.entries) {
    const std::uint32_t size = e.size(senc.useSubsamples());
    // An entry larger than 255 bytes (over 42 subsamples) cannot be described by saiz;
    // the caller refuses such a fragment.
    s.sampleInfoSizes.push_back(std::uint8_t(std::min<std::uint32_t>(size, 255)));
    if (size != senc.entries.front().size(senc.useSubsamples())) same = false;
  }
  // An all-zero table stays a table: saiz cannot say "every entry is empty" with a
  // default size of 0 (that value means "sizes follow").
  if (same && !senc.entries.empty() && s.sampleInfoSizes.front() > 0) {
    s.defaultSampleInfoSize = s.sampleInfoSizes.front();
    s.sampleInfoSizes.clear();
  }
  return s;
}

}  // namespace rs::package::cenc
