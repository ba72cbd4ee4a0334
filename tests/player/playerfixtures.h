#pragma once
// Packaged titles for the player's process tests, written by the packager's own
// manifest writers with segment files of the sizes the synthetic size table gives:
// on disk (for `platform simulate --manifest FILE` and a test-owned upstream), or
// published to a real origin and made ready in control's catalogue (for the playback
// API and the load generator).

#include "support/stack.h"
#include "synthetictitle.h"

#include <QDir>
#include <QJsonArray>
#include <QRandomGenerator>

namespace rs::player::testing {

// Every file of a packaged title: relative path → bytes.
inline QMap<QString, QByteArray> packagedFiles(const TitleSpec &spec) {
  const package::Presentation pp = packagePresentation(spec);
  const TitleMedia sizes = syntheticTitle(spec);
  QMap<QString, QByteArray> files;
  files.insert(QStringLiteral("manifest.mpd"), package::writeMpd(pp));
  files.insert(QStringLiteral("master.m3u8"), package::writeHlsMaster(pp));
  QRandomGenerator noise(7);
  auto bytes = [&noise](std::int64_t n) {
    QByteArray b(qsizetype(n), Qt::Uninitialized);
    for (qsizetype i = 0; i < b.size(); i += 4096) b[i] = char(noise.generate());
    return b;
  };
  for (const MediaKind kind : {MediaKind::Video, MediaKind::Audio}) {
    const auto &reps = kind == MediaKind::Video ? pp.video : pp.audio;
    const auto &rows = kind == MediaKind::Video ? sizes.sizes.video : sizes.sizes.audio;
    for (std::size_t t = 0; t < reps.size(); ++t) {
      const package::Representation &r = reps[t];
      files.insert(r.playlistPath, package::writeHlsMedia(r));
      files.insert(r.initPath, bytes(rows[t][0]));
      for (std::size_t i = 0; i < r.segmentDurations.size(); ++i)
        files.insert(QString(r.mediaTemplate).replace(QStringLiteral("$Number$"), QString::number(i + 1)), bytes(rows[t][i + 1]));
    }
  }
  return files;
}

inline bool writeFiles(const QString &dir, const QMap<QString, QByteArray> &files) {
  for (auto it = files.cbegin(); it != files.cend(); ++it) {
    const QString path = dir + u'/' + it.key();
    QDir().mkpath(QFileInfo(path).path());
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(it.value()) != it.value().size()) return false;
  }
  return true;
}

// Creates a title in control, takes it to ready as an encoder would, and publishes
// its files to the origin. Returns its id, or empty with `error` set.
inline QString publishReadyTitle(const QUrl &control, const QUrl &origin, const TitleSpec &spec, const QString &name, QString *error) {
  using rs::test::call;
  const rs::test::Reply created = call(control, "POST", QStringLiteral("/control/v1/titles"),
                                       QJsonDocument(QJsonObject{{u"name"_qs, name}, {u"fileName"_qs, QString(name + u".mp4"_qs)}}).toJson());
  if (created.status != 201) return *error = created.describe(), QString();
  const QString id = created.json().value(u"id"_qs).toString();
  if (call(control, "POST", u"/control/v1/jobs"_qs, QJsonDocument(QJsonObject{{u"titleId"_qs, id}}).toJson()).status != 201)
    return *error = u"job creation failed"_qs, QString();
  const rs::test::Reply claimed = call(control, "POST", u"/control/v1/jobs/claim"_qs, R"({"worker":"player-test","leaseSeconds":60})");
  if (claimed.status != 200) return *error = claimed.describe(), QString();
  const QString job = claimed.json().value(u"id"_qs).toString();

  const QMap<QString, QByteArray> files = packagedFiles(spec);
  QJsonObject sizes;
  for (auto it = files.cbegin(); it != files.cend(); ++it) {
    const rs::test::Reply put = rs::test::http("PUT", origin.resolved(QUrl(u"/origin/v1/publish/%1/p1/%2"_qs.arg(id, it.key()))), it.value(), 20000);
    if (put.status / 100 != 2) return *error = put.describe(), QString();
    sizes.insert(it.key(), it.value().size());
  }
  const rs::test::Reply commit = rs::test::http("POST", origin.resolved(QUrl(u"/origin/v1/publish/%1/p1/commit"_qs.arg(id))),
                                                QJsonDocument(QJsonObject{{u"files"_qs, sizes}}).toJson());
  if (commit.status / 100 != 2) return *error = commit.describe(), QString();

  QJsonArray renditions;
  int height = 240;
  for (int kbps : spec.kbps) {
    renditions.append(QJsonObject{{u"id"_qs, u"%1p"_qs.arg(height)}, {u"kind"_qs, u"video"_qs}, {u"codec"_qs, u"h264"_qs},
                                  {u"codecs"_qs, u"avc1.64001f"_qs}, {u"width"_qs, height * 16 / 9}, {u"height"_qs, height},
                                  {u"bandwidth"_qs, kbps * 1000}});
    height += 120;
  }
  const QJsonObject completion{{u"worker"_qs, u"player-test"_qs},
                               {u"renditions"_qs, renditions},
                               {u"durationSeconds"_qs, spec.segments * spec.segmentSeconds},
                               {u"segmentSeconds"_qs, spec.segmentSeconds},
                               {u"assets"_qs, QJsonObject{{u"dash"_qs, u"manifest.mpd"_qs}, {u"hls"_qs, u"master.m3u8"_qs}}}};
  const rs::test::Reply done = call(control, "POST", u"/control/v1/jobs/%1/complete"_qs.arg(job), QJsonDocument(completion).toJson());
  if (done.status != 200) return *error = done.describe(), QString();
  return id;
}

}  // namespace rs::player::testing
