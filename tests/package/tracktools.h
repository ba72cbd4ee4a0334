#pragma once
// Reading a split track back for the protection tests: the init segment, the media
// segments, and the samples of each (through the packager's own fragment reader, which
// tst_fmp4 checks against ffprobe).

#include "package/cencdecryptor.h"
#include "package/fmp4.h"
#include "package/sampleentry.h"

#include <QDir>
#include <QFile>
#include <QStringList>
#include <vector>

namespace rs::package::testing {

inline QByteArray readFile(const QString &path) {
  QFile f(path);
  return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

inline bool writeFileBytes(const QString &path, const QByteArray &data) {
  QDir().mkpath(QFileInfo(path).absolutePath());
  QFile f(path);
  return f.open(QIODevice::WriteOnly) && f.write(data) == data.size();
}

struct TrackFiles {
  QByteArray init;
  std::vector<QByteArray> segments;
};

inline TrackFiles readTrack(const QString &dir) {
  TrackFiles t;
  t.init = readFile(dir + QStringLiteral("/init.mp4"));
  for (int n = 1;; ++n) {
    const QString path = dir + QStringLiteral("/seg-%1.m4s").arg(n);
    if (!QFile::exists(path)) break;
    t.segments.push_back(readFile(path));
  }
  return t;
}

// The track of an init segment and the samples of all its segments, in order; empty
// with `error` set when anything fails to parse.
inline std::vector<QByteArray> clearSamples(const TrackFiles &t, QString *error, TrackHeader *header = nullptr) {
  auto boxes = mp4::parseBoxes(t.init, 0);
  if (!boxes) {
    *error = boxes.status().message();
    return {};
  }
  const mp4::Box *moov = mp4::findBox(*boxes, mp4::fourcc("moov"));
  if (!moov) {
    *error = QStringLiteral("no moov");
    return {};
  }
  auto track = parseMoov(*moov);
  if (!track) {
    *error = track.status().message();
    return {};
  }
  if (header) *header = *track;
  std::vector<QByteArray> out;
  for (const QByteArray &segment : t.segments) {
    auto samples = segmentSamples(*track, segment);
    if (!samples) {
      *error = samples.status().message();
      return {};
    }
    out.insert(out.end(), samples->begin(), samples->end());
  }
  return out;
}

// The parameter sets of the track's avcC or hvcC.
inline Result<ParameterSets> parameterSetsOf(const QByteArray &init, bool *hevc) {
  auto boxes = mp4::parseBoxes(init, 0);
  if (!boxes) return boxes.status();
  const mp4::Box *moov = mp4::findBox(*boxes, mp4::fourcc("moov"));
  if (!moov) return Status(ErrorCode::BadRequest, QStringLiteral("no moov"));
  auto entryBox = findSampleEntry(*moov);
  if (!entryBox) return entryBox.status();
  auto entry = parseSampleEntry(*entryBox);
  if (!entry) return entry.status();
  if (const mp4::Box *avcC = mp4::findBox(entry->children, mp4::fourcc("avcC"))) {
    *hevc = false;
    return parseAvcC(avcC->payload);
  }
  if (const mp4::Box *hvcC = mp4::findBox(entry->children, mp4::fourcc("hvcC"))) {
    *hevc = true;
    return parseHvcC(hvcC->payload);
  }
  return Status(ErrorCode::BadRequest, QStringLiteral("neither avcC nor hvcC"));
}

}  // namespace rs::package::testing
