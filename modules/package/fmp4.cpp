#include "package/fmp4.h"

#include "package/boxreader.h"
#include "package/fragments.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <functional>
#include <optional>

namespace rs::package {

using mp4::fourcc;

namespace {

// moov and moof are read whole; they are kilobytes in practice, and a size field that
// claims more must not become an allocation of that size.
constexpr std::uint64_t kMaxBoxInMemory = 64u << 20;
constexpr qint64 kCopyChunk = 1 << 20;

struct ByteRange {
  std::uint64_t offset = 0, size = 0;
};

// What a validated input holds: the init segment's bytes and where each media segment lies.
struct Layout {
  QByteArray init;
  TrackSummary summary;
  std::vector<ByteRange> segments;
};

Status ioError(const QString &what, const QFileDevice &file) {
  return Status(ErrorCode::IoError, QStringLiteral("%1 %2: %3").arg(what, file.fileName(), file.errorString()));
}

Result<mp4::Box> loadBox(QFile &file, std::uint64_t offset, const mp4::BoxHeader &h, QByteArray *buffer) {
  if (h.size > kMaxBoxInMemory)
    return mp4::boxError(h.type, offset, QStringLiteral("size %1 is more than the %2 bytes this reader holds in memory")
                                             .arg(h.size)
                                             .arg(kMaxBoxInMemory));
  if (!file.seek(qint64(offset))) return ioError(QStringLiteral("cannot seek in"), file);
  *buffer = file.read(qint64(h.size));
  if (std::uint64_t(buffer->size()) != h.size) return ioError(QStringLiteral("short read from"), file);
  auto boxes = mp4::parseBoxes(*buffer, offset);
  if (!boxes) return boxes.status();
  return boxes->front();
}

class Scanner {
 public:
  explicit Scanner(QFile &file) : file_(file), fileSize_(std::uint64_t(file.size())) {}

  Result<Layout> run() {
    std::uint64_t pos = 0;
    while (pos < fileSize_) {
      if (!file_.seek(qint64(pos))) return ioError(QStringLiteral("cannot seek in"), file_);
      const QByteArray head = file_.read(16);
      auto h = mp4::parseBoxHeader(head, pos, fileSize_ - pos);
      if (!h) return h.status();
      Status s;
      if (h->type == fourcc("ftyp")) s = onFtyp(pos, *h);
      else if (h->type == fourcc("moov")) s = onMoov(pos, *h);
      else if (h->type == fourcc("moof")) s = onMoof(pos, *h);
      else if (h->type == fourcc("mdat")) s = onMdat(pos, *h);
      // sidx, styp, mfra, free, prft, …: not part of the CMAF files we write.
      RS_RETURN_IF_ERROR(s);
      pos += h->size;
    }
    if (pending_)
      return mp4::boxError(fourcc("moof"), pending_->offset, QStringLiteral("has no mdat (is the file truncated?)"));
    if (moov_.isEmpty())
      return Status(ErrorCode::BadRequest, QStringLiteral("no 'moov' box: %1 is not an MP4 file").arg(file_.fileName()));
    if (layout_.segments.empty())
      return Status(ErrorCode::BadRequest, QStringLiteral("no movie fragments in %1").arg(file_.fileName()));
    layout_.init = ftyp_ + moov_;
    layout_.summary.initBytes = layout_.init.size();
    layout_.summary.isVideo = track_.isVideo;
    layout_.summary.timescale = track_.timescale;
    layout_.summary.codecs = track_.codecs;
    layout_.summary.width = track_.width;
    layout_.summary.height = track_.height;
    layout_.summary.sampleRate = track_.sampleRate;
    layout_.summary.channels = track_.channels;
    return std::move(layout_);
  }

 private:
  struct PendingMoof {
    std::uint64_t offset = 0;
    Fragment fragment;
  };

  Status onFtyp(std::uint64_t pos, const mp4::BoxHeader &h) {
    if (!ftyp_.isEmpty() || !moov_.isEmpty())
      return mp4::boxError(h.type, pos, QStringLiteral("unexpected: the file type was already given"));
    return loadBox(file_, pos, h, &ftyp_).status();
  }

  Status onMoov(std::uint64_t pos, const mp4::BoxHeader &h) {
    if (ftyp_.isEmpty()) return mp4::boxError(h.type, pos, QStringLiteral("comes before any 'ftyp'"));
    if (!moov_.isEmpty()) return mp4::boxError(h.type, pos, QStringLiteral("is the second 'moov'"));
    auto box = loadBox(file_, pos, h, &moov_);
    if (!box) return box.status();
    auto track = parseMoov(*box);
    if (!track) return track.status();
    track_ = *track;
    return Status::ok();
  }

  Status onMoof(std::uint64_t pos, const mp4::BoxHeader &h) {
    if (moov_.isEmpty()) return mp4::boxError(h.type, pos, QStringLiteral("comes before the 'moov'"));
    if (pending_)
      return mp4::boxError(h.type, pos, QStringLiteral("follows the 'moof' at offset %1, which has no 'mdat'").arg(pending_->offset));
    QByteArray buffer;
    auto box = loadBox(file_, pos, h, &buffer);
    if (!box) return box.status();
    auto fragment = parseMoof(*box, track_, fileSize_ - pos);
    if (!fragment) return fragment.status();
    pending_ = PendingMoof{pos, *fragment};
    return Status::ok();
  }

  Status onMdat(std::uint64_t pos, const mp4::BoxHeader &h) {
    if (moov_.isEmpty())
      return mp4::boxError(h.type, pos, QStringLiteral("comes before the 'moov': not a fragmented MP4 written with empty_moov"));
    if (!pending_) return mp4::boxError(h.type, pos, QStringLiteral("has no 'moof' before it"));
    const Fragment &f = pending_->fragment;
    const std::uint64_t moof = pending_->offset;
    // Sample data must lie in this mdat; otherwise the segment file would not hold it.
    const std::uint64_t first = pos + h.headerSize - moof, end = pos + h.size - moof;
    if (f.dataBegin < first || f.dataEnd > end)
      return mp4::boxError(fourcc("moof"), moof,
                           QStringLiteral("sample data [%1, %2) lies outside its 'mdat' [%3, %4) (bytes from the moof)")
                               .arg(f.dataBegin).arg(f.dataEnd).arg(first).arg(end));
    SegmentInfo seg;
    seg.number = layout_.segments.size() + 1;
    seg.baseDecodeTime = f.hasDecodeTime ? f.baseDecodeTime : nextDecodeTime_;
    if (!layout_.segments.empty() && seg.baseDecodeTime < layout_.summary.segments.back().baseDecodeTime)
      return mp4::boxError(fourcc("moof"), moof, QStringLiteral("decode time %1 goes back before the previous fragment's %2")
                                                    .arg(seg.baseDecodeTime)
                                                    .arg(layout_.summary.segments.back().baseDecodeTime));
    seg.duration = f.duration;
    seg.sampleCount = f.sampleCount;
    seg.bytes = std::int64_t(end);
    seg.startsWithSyncSample = f.startsWithSyncSample;
    nextDecodeTime_ = seg.baseDecodeTime + seg.duration;
    layout_.summary.segments.push_back(seg);
    layout_.segments.push_back({moof, end});
    pending_.reset();
    return Status::ok();
  }

  QFile &file_;
  const std::uint64_t fileSize_;
  QByteArray ftyp_, moov_;
  TrackHeader track_;
  std::optional<PendingMoof> pending_;
  std::uint64_t nextDecodeTime_ = 0;
  Layout layout_;
};

Status copyRange(QFile &in, const ByteRange &range, QFile &out) {
  if (!in.seek(qint64(range.offset))) return ioError(QStringLiteral("cannot seek in"), in);
  std::uint64_t left = range.size;
  while (left > 0) {
    const QByteArray chunk = in.read(qint64(std::min<std::uint64_t>(left, kCopyChunk)));
    if (chunk.isEmpty()) return ioError(QStringLiteral("short read from"), in);
    if (out.write(chunk) != chunk.size()) return ioError(QStringLiteral("cannot write"), out);
    left -= std::uint64_t(chunk.size());
  }
  return Status::ok();
}

// Writes through a hidden temporary name and a rename, so `path` is never seen half
// written and a failure leaves no partial file. No fsync (unlike QSaveFile): these are
// scratch files until they are published, and thousands of syncs per title add minutes.
Status writeFile(const QString &path, const std::function<Status(QFile &)> &fill) {
  const QFileInfo info(path);
  const QString temp = info.absolutePath() + QStringLiteral("/.") + info.fileName() + QStringLiteral(".part");
  QFile out(temp);
  if (!out.open(QIODevice::WriteOnly | QIODevice::Truncate)) return ioError(QStringLiteral("cannot create"), out);
  Status s = fill(out);
  out.close();
  if (s && out.error() != QFileDevice::NoError) s = ioError(QStringLiteral("cannot write"), out);
  if (s && std::rename(QFile::encodeName(temp).constData(), QFile::encodeName(path).constData()) != 0)
    s = Status(ErrorCode::IoError, QStringLiteral("cannot rename %1 to %2: %3")
                                       .arg(temp, path, QString::fromLocal8Bit(std::strerror(errno))));
  if (!s) QFile::remove(temp);
  return s;
}

// Sample data of one segment through a handler is read whole; segments are megabytes,
// but a damaged size must not become an allocation of gigabytes.
constexpr std::uint64_t kMaxSegmentInMemory = 256u << 20;

Result<QByteArray> readRange(QFile &in, const ByteRange &range) {
  if (range.size > kMaxSegmentInMemory)
    return Status(ErrorCode::BadRequest, QStringLiteral("a %1-byte segment is more than the %2 bytes a segment handler takes")
                                             .arg(range.size).arg(kMaxSegmentInMemory));
  if (!in.seek(qint64(range.offset))) return ioError(QStringLiteral("cannot seek in"), in);
  QByteArray bytes = in.read(qint64(range.size));
  if (std::uint64_t(bytes.size()) != range.size) return ioError(QStringLiteral("short read from"), in);
  return bytes;
}

Status writeBytes(QFile &out, const QByteArray &bytes) {
  return out.write(bytes) == bytes.size() ? Status::ok() : ioError(QStringLiteral("cannot write"), out);
}

// Writes one output's files (through its handler, if any) and records their sizes in
// `summary`; the paths written go to `written` so a later failure can remove them.
Status writeOutput(QFile &in, const Layout &layout, const SplitOutput &output, TrackSummary *summary, QStringList *written) {
  if (!QDir().mkpath(output.dir)) return Status(ErrorCode::IoError, QStringLiteral("cannot create %1").arg(output.dir));
  auto write = [&](const QString &name, const std::function<Status(QFile &)> &fill) {
    const QString path = output.dir + u'/' + name;
    Status s = writeFile(path, fill);
    if (s) written->append(path);
    return s;
  };
  QByteArray init = layout.init;
  if (output.handler) {
    auto handled = output.handler->init(std::move(init));
    if (!handled) return Status(handled.status().code(), QStringLiteral("init segment: %1").arg(handled.status().message()));
    init = std::move(*handled);
  }
  summary->initBytes = init.size();
  RS_RETURN_IF_ERROR(write(QStringLiteral("init.mp4"), [&](QFile &out) { return writeBytes(out, init); }));
  for (std::size_t i = 0; i < layout.segments.size(); ++i) {
    const QString name = QStringLiteral("seg-%1.m4s").arg(i + 1);
    if (!output.handler) {
      RS_RETURN_IF_ERROR(write(name, [&](QFile &out) { return copyRange(in, layout.segments[i], out); }));
      continue;
    }
    auto bytes = readRange(in, layout.segments[i]);
    if (!bytes) return bytes.status();
    auto handled = output.handler->segment(std::move(*bytes), i + 1);
    if (!handled) return Status(handled.status().code(), QStringLiteral("segment %1: %2").arg(i + 1).arg(handled.status().message()));
    summary->segments[i].bytes = handled->size();
    RS_RETURN_IF_ERROR(write(name, [&](QFile &out) { return writeBytes(out, *handled); }));
  }
  return Status::ok();
}

}  // namespace

Result<std::vector<TrackSummary>> splitFragmentedMp4(const QString &fragmentedMp4, const std::vector<SplitOutput> &outputs) {
  QFile in(fragmentedMp4);
  if (!in.open(QIODevice::ReadOnly)) return ioError(QStringLiteral("cannot open"), in);
  auto layout = Scanner(in).run();
  if (!layout) return layout.status();
  std::vector<TrackSummary> summaries;
  QStringList written, created;
  Status s;
  for (const SplitOutput &output : outputs) {
    if (!QDir(output.dir).exists()) created.append(output.dir);
    TrackSummary summary = layout->summary;
    s = writeOutput(in, *layout, output, &summary, &written);
    if (!s) break;
    summaries.push_back(std::move(summary));
  }
  if (!s) {
    // All or nothing: an output that failed half-way leaves none of the outputs behind.
    for (const QString &path : written) QFile::remove(path);
    for (const QString &dir : created) QDir().rmdir(dir);
    return s;
  }
  return summaries;
}

Result<TrackSummary> splitFragmentedMp4(const QString &fragmentedMp4, const QString &outDir) {
  auto summaries = splitFragmentedMp4(fragmentedMp4, std::vector<SplitOutput>{{outDir, nullptr}});
  if (!summaries) return summaries.status();
  return std::move(summaries->front());
}

}  // namespace rs::package
