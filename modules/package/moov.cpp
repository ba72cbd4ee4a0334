#include "package/fragments.h"
#include "package/sampleentry.h"

namespace rs::package {

using mp4::fourcc;

namespace {

// Display size from tkhd (16.16 fixed point), which already accounts for a non-square
// sample aspect ratio; the manifests describe pictures as shown.
Status readTkhd(const mp4::Box &tkhd, TrackHeader *t) {
  mp4::Reader r(tkhd);
  const std::uint8_t version = r.fullBox(nullptr);
  r.skip(version == 1 ? 16 : 8);  // creation/modification time
  t->trackId = r.u32();
  r.skip(4 + (version == 1 ? 8 : 4) + 8 + 2 + 2 + 2 + 2 + 36);  // reserved, duration, …, matrix
  const std::uint32_t width = r.u32(), height = r.u32();
  RS_RETURN_IF_ERROR(r.status());
  t->width = int((std::uint64_t(width) + 0x8000) >> 16);
  t->height = int((std::uint64_t(height) + 0x8000) >> 16);
  return Status::ok();
}

Status readMdhd(const mp4::Box &mdhd, TrackHeader *t) {
  mp4::Reader r(mdhd);
  const std::uint8_t version = r.fullBox(nullptr);
  r.skip(version == 1 ? 16 : 8);
  t->timescale = r.u32();
  RS_RETURN_IF_ERROR(r.status());
  if (t->timescale == 0) return r.fail(QStringLiteral("timescale is 0"));
  return Status::ok();
}

Status readHdlr(const mp4::Box &hdlr, TrackHeader *t) {
  mp4::Reader r(hdlr);
  r.fullBox(nullptr);
  r.skip(4);  // pre_defined
  const mp4::FourCC handler = r.u32();
  RS_RETURN_IF_ERROR(r.status());
  if (handler != fourcc("vide") && handler != fourcc("soun"))
    return r.fail(QStringLiteral("unsupported handler '%1' (only video and audio tracks)").arg(mp4::fourccName(handler)));
  t->isVideo = handler == fourcc("vide");
  return Status::ok();
}

// With empty_moov every sample lives in a fragment; samples in moov would belong to an
// mdat that no moof describes.
Status checkEmptySampleTable(const mp4::Box &stbl) {
  auto children = mp4::childrenOf(stbl);
  if (!children) return children.status();
  const mp4::Box *stts = mp4::findBox(*children, fourcc("stts"));
  if (!stts) return Status::ok();
  mp4::Reader r(*stts);
  r.fullBox(nullptr);
  const std::uint32_t entries = r.u32();
  RS_RETURN_IF_ERROR(r.status());
  if (entries != 0)
    return r.fail(QStringLiteral("moov already holds samples: write the input with empty_moov"));
  return Status::ok();
}

Status readTrex(const mp4::Box &mvex, TrackHeader *t) {
  auto children = mp4::childrenOf(mvex);
  if (!children) return children.status();
  for (const mp4::Box &b : *children) {
    if (b.type != fourcc("trex")) continue;
    mp4::Reader r(b);
    r.fullBox(nullptr);
    const std::uint32_t trackId = r.u32();
    r.skip(4);  // default_sample_description_index
    SampleDefaults d;
    d.duration = r.u32();
    d.size = r.u32();
    d.flags = r.u32();
    RS_RETURN_IF_ERROR(r.status());
    if (trackId == t->trackId) t->defaults = d;
  }
  return Status::ok();
}

}  // namespace

Result<TrackHeader> parseMoov(const mp4::Box &moov) {
  auto children = mp4::childrenOf(moov);
  if (!children) return children.status();
  const std::size_t tracks = mp4::countBoxes(*children, fourcc("trak"));
  if (tracks != 1)
    return mp4::boxError(moov.type, moov.offset, QStringLiteral("expected one track, found %1").arg(tracks));
  const mp4::Box *mvex = mp4::findBox(*children, fourcc("mvex"));
  if (!mvex)
    return mp4::boxError(moov.type, moov.offset, QStringLiteral("has no 'mvex': the input is not a fragmented MP4"));

  TrackHeader t;
  const mp4::Box trak = *mp4::findBox(*children, fourcc("trak"));
  auto tkhd = mp4::findPath(trak, {fourcc("tkhd")});
  if (!tkhd) return tkhd.status();
  RS_RETURN_IF_ERROR(readTkhd(*tkhd, &t));
  auto mdhd = mp4::findPath(trak, {fourcc("mdia"), fourcc("mdhd")});
  if (!mdhd) return mdhd.status();
  RS_RETURN_IF_ERROR(readMdhd(*mdhd, &t));
  auto hdlr = mp4::findPath(trak, {fourcc("mdia"), fourcc("hdlr")});
  if (!hdlr) return hdlr.status();
  RS_RETURN_IF_ERROR(readHdlr(*hdlr, &t));
  auto stbl = mp4::findPath(trak, {fourcc("mdia"), fourcc("minf"), fourcc("stbl")});
  if (!stbl) return stbl.status();
  RS_RETURN_IF_ERROR(checkEmptySampleTable(*stbl));
  RS_RETURN_IF_ERROR(readTrex(*mvex, &t));

  auto entryBox = findSampleEntry(moov);
  if (!entryBox) return entryBox.status();
  auto entry = parseSampleEntry(*entryBox);
  if (!entry) return entry.status();
  if (entry->isVideo != t.isVideo)
    return mp4::boxError(entryBox->type, entryBox->offset, QStringLiteral("sample entry does not match the track's handler"));
  auto codecs = codecString(*entry);
  if (!codecs) return codecs.status();
  t.codecs = *codecs;
  if (t.isVideo) {
    if (t.width == 0 || t.height == 0) {
      t.width = entry->width;
      t.height = entry->height;
    }
  } else {
    t.width = t.height = 0;
    t.channels = entry->channels;
    // The entry's 16.16 field cannot hold rates above 65535; FFmpeg then sets the
    // media timescale to the sample rate.
    t.sampleRate = entry->sampleRate > 0 ? entry->sampleRate : int(t.timescale);
  }
  return t;
}

}  // namespace rs::package
