// RFC 6381 codec strings. Each codec keeps the parameters a player needs to decide
// before downloading anything (profile, level, bit depth) in its configuration box.

#include "package/fmp4.h"
#include "package/sampleentry.h"

namespace rs::package {

using mp4::fourcc;

namespace {

QString hex(std::uint64_t v, int width, bool upper) {
  QString s = QString::number(v, 16).rightJustified(width, QLatin1Char('0'));
  return upper ? s.toUpper() : s;
}

QString twoDigits(unsigned v) { return QString::number(v).rightJustified(2, QLatin1Char('0')); }

const mp4::Box *configBox(const SampleEntry &e, mp4::FourCC type) { return mp4::findBox(e.children, type); }

Status missing(const SampleEntry &e, const char (&type)[5]) {
  return mp4::boxError(e.box.type, e.box.offset, QStringLiteral("has no '%1' box").arg(QLatin1String(type)));
}

// ISO/IEC 14496-15 §5.3.3: avc1.PPCCLL from the first three bytes after the version.
Result<QString> avc(const SampleEntry &e) {
  const mp4::Box *box = configBox(e, fourcc("avcC"));
  if (!box) return missing(e, "avcC");
  mp4::Reader r(*box);
  r.u8();  // configurationVersion
  const std::uint8_t profile = r.u8(), compatibility = r.u8(), level = r.u8();
  RS_RETURN_IF_ERROR(r.status());
  return QString(mp4::fourccName(e.box.type) + u'.' + hex(profile, 2, false) + hex(compatibility, 2, false) +
                 hex(level, 2, false));
}

// ISO/IEC 14496-15 Annex E.3: hvc1.[A-C]<profile>.<compat, bit-reversed hex>.<L|H><level>[.<constraint bytes>].
Result<QString> hevc(const SampleEntry &e) {
  const mp4::Box *box = configBox(e, fourcc("hvcC"));
  if (!box) return missing(e, "hvcC");
  mp4::Reader r(*box);
  r.u8();  // configurationVersion
  const std::uint8_t b = r.u8();
  std::uint32_t compatibility = r.u32();
  const QByteArrayView constraints = r.bytes(6);
  const std::uint8_t level = r.u8();
  RS_RETURN_IF_ERROR(r.status());
  std::uint32_t reversed = 0;
  for (int i = 0; i < 32; ++i, compatibility >>= 1) reversed = reversed << 1 | (compatibility & 1);
  static const char *const kSpace[] = {"", "A", "B", "C"};
  QString s = mp4::fourccName(e.box.type) + u'.' + QLatin1String(kSpace[b >> 6]) + QString::number(b & 0x1f) + u'.' +
              hex(reversed, 1, true) + u'.' + ((b & 0x20) ? u'H' : u'L') + QString::number(level);
  qsizetype last = constraints.size();
  while (last > 0 && constraints[last - 1] == 0) --last;
  for (qsizetype i = 0; i < last; ++i) s += u'.' + hex(std::uint8_t(constraints[i]), 2, true);
  return s;
}

// VP Codec ISO Media File Format Binding §5: vp09.PP.LL.DD.CC.cp.tc.mc.FF (vpcC version 1).
Result<QString> vpx(const SampleEntry &e) {
  const mp4::Box *box = configBox(e, fourcc("vpcC"));
  if (!box) return missing(e, "vpcC");
  mp4::Reader r(*box);
  const std::uint8_t version = r.fullBox(nullptr);
  const std::uint8_t profile = r.u8(), level = r.u8(), b = r.u8();
  const std::uint8_t primaries = r.u8(), transfer = r.u8(), matrix = r.u8();
  RS_RETURN_IF_ERROR(r.status());
  if (version != 1) return r.fail(QStringLiteral("unsupported vpcC version %1").arg(version));
  return QString(mp4::fourccName(e.box.type) + u'.' + twoDigits(profile) + u'.' + twoDigits(level) + u'.' +
                 twoDigits(b >> 4) + u'.' + twoDigits((b >> 1) & 7) + u'.' + twoDigits(primaries) + u'.' +
                 twoDigits(transfer) + u'.' + twoDigits(matrix) + u'.' + twoDigits(b & 1));
}

// AV1 Codec ISO Media File Format Binding §5: av01.P.LLT.DD (the short form).
Result<QString> av1(const SampleEntry &e) {
  const mp4::Box *box = configBox(e, fourcc("av1C"));
  if (!box) return missing(e, "av1C");
  mp4::Reader r(*box);
  const std::uint8_t marker = r.u8(), b1 = r.u8(), b2 = r.u8();
  RS_RETURN_IF_ERROR(r.status());
  if (marker != 0x81) return r.fail(QStringLiteral("unsupported av1C marker/version 0x%1").arg(hex(marker, 2, false)));
  const unsigned profile = b1 >> 5, level = b1 & 0x1f;
  const bool tier = b2 & 0x80, high = b2 & 0x40, twelve = b2 & 0x20;
  const unsigned depth = high ? (profile == 2 && twelve ? 12 : 10) : 8;
  return QString(QStringLiteral("av01.") + QString::number(profile) + u'.' + twoDigits(level) + (tier ? u'H' : u'M') +
                 u'.' + twoDigits(depth));
}

// MPEG-4 descriptors (ISO/IEC 14496-1 §8.3.3): a tag, then a length in 7-bit groups.
struct Descriptor {
  std::uint8_t tag = 0;
  QByteArrayView body;
  std::uint64_t offset = 0;  // of the body in the file
};

bool readDescriptor(mp4::Reader &r, std::uint64_t base, Descriptor *d) {
  d->tag = r.u8();
  std::uint32_t length = 0;
  for (int i = 0; i < 4; ++i) {
    const std::uint8_t b = r.u8();
    length = length << 7 | (b & 0x7f);
    if (!(b & 0x80)) break;
  }
  d->offset = base + r.position();
  d->body = r.bytes(length);
  return r.ok();
}

// The audio object type of an AudioSpecificConfig (ISO/IEC 14496-3 §1.6.2.1).
int audioObjectType(QByteArrayView asc) {
  if (asc.isEmpty()) return 0;
  const int aot = std::uint8_t(asc[0]) >> 3;
  if (aot != 31) return aot;
  if (asc.size() < 2) return 0;
  return 32 + (((std::uint8_t(asc[0]) & 7) << 3) | (std::uint8_t(asc[1]) >> 5));
}

// RFC 6381 §3.3: mp4a.<OTI hex>[.<audio object type>] from esds.
Result<QString> mp4a(const SampleEntry &e) {
  const mp4::Box *box = configBox(e, fourcc("esds"));
  if (!box) return missing(e, "esds");
  mp4::Reader r(*box);
  r.fullBox(nullptr);
  Descriptor es;
  if (!readDescriptor(r, box->payloadOffset(), &es)) return r.status();
  if (es.tag != 0x03) return r.fail(QStringLiteral("expected ES_Descriptor, found tag %1").arg(es.tag));
  mp4::Reader er(es.body, es.offset, box->type, box->offset);
  er.u16();  // ES_ID
  const std::uint8_t flags = er.u8();
  if (flags & 0x80) er.skip(2);
  if (flags & 0x40) er.skip(er.u8());
  if (flags & 0x20) er.skip(2);
  Descriptor config;
  if (!readDescriptor(er, es.offset, &config)) return er.status();
  if (config.tag != 0x04) return er.fail(QStringLiteral("expected DecoderConfigDescriptor, found tag %1").arg(config.tag));
  mp4::Reader cr(config.body, config.offset, box->type, box->offset);
  const std::uint8_t oti = cr.u8();
  cr.skip(1 + 3 + 4 + 4);  // streamType, bufferSizeDB, maxBitrate, avgBitrate
  RS_RETURN_IF_ERROR(cr.status());
  QString s = QStringLiteral("mp4a.") + hex(oti, 2, true);
  if (oti != 0x40) return s;
  if (cr.remaining() == 0) return s;
  Descriptor specific;
  if (!readDescriptor(cr, config.offset, &specific)) return cr.status();
  if (specific.tag != 0x05) return s;
  if (const int aot = audioObjectType(specific.body)) s += u'.' + QString::number(aot);
  return s;
}

}  // namespace

Result<QString> codecString(const SampleEntry &e) {
  const mp4::FourCC t = e.box.type;
  if (t == fourcc("encv") || t == fourcc("enca")) {
    // A protected track (ISO/IEC 23001-7) is described by its original format, which
    // sinf/frma keeps; the configuration boxes are the original entry's.
    const mp4::Box *sinf = mp4::findBox(e.children, fourcc("sinf"));
    if (!sinf) return mp4::boxError(t, e.box.offset, QStringLiteral("protected sample entry without 'sinf'"));
    auto frma = mp4::findPath(*sinf, {fourcc("frma")});
    if (!frma) return frma.status();
    mp4::Reader r(*frma);
    const mp4::FourCC original = r.u32();
    RS_RETURN_IF_ERROR(r.status());
    if (original == fourcc("encv") || original == fourcc("enca"))
      return mp4::boxError(t, e.box.offset, QStringLiteral("'frma' names another protected entry"));
    SampleEntry clear = e;
    clear.box.type = original;
    return codecString(clear);
  }
  if (t == fourcc("avc1") || t == fourcc("avc3")) return avc(e);
  if (t == fourcc("hvc1") || t == fourcc("hev1")) return hevc(e);
  if (t == fourcc("vp09") || t == fourcc("vp08")) return vpx(e);
  if (t == fourcc("av01")) return av1(e);
  if (t == fourcc("mp4a")) return mp4a(e);
  if (t == fourcc("Opus")) return QStringLiteral("opus");
  if (t == fourcc("fLaC")) return QStringLiteral("flac");
  if (t == fourcc("ac-3")) return QStringLiteral("ac-3");
  if (t == fourcc("ec-3")) return QStringLiteral("ec-3");
  return mp4::boxError(t, e.box.offset, QStringLiteral("no codec string for this sample entry"));
}

QString codecStringFromInit(const QByteArray &data) {
  auto boxes = mp4::parseBoxes(data, 0);
  if (!boxes || boxes->empty()) return {};
  mp4::Box entry = boxes->front();
  if (const mp4::Box *moov = mp4::findBox(*boxes, fourcc("moov"))) {
    auto found = findSampleEntry(*moov);
    if (!found) return {};
    entry = *found;
  }
  auto parsed = parseSampleEntry(entry);
  if (!parsed) return {};
  auto codecs = codecString(*parsed);
  return codecs ? *codecs : QString();
}

}  // namespace rs::package
