#include "player/sim/titlemedia.h"

#include "player/manifest/hlsparser.h"
#include "player/manifest/mpdparser.h"
#include "player/net/urlrewriter.h"

#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <deque>

namespace rs::player {

namespace {

constexpr int kParallelHeads = 8;
constexpr qint64 kMaxDocument = 64 * 1024 * 1024;

Result<Presentation> parseTop(const QByteArray &body, const QUrl &url) {
  return looksLikeHls(body) ? parseHlsMultivariant(body, url) : parseMpd(body, url);
}

void shapeTable(const Presentation &p, SizeTable *t) {
  for (const MediaKind kind : {MediaKind::Video, MediaKind::Audio}) {
    auto &rows = kind == MediaKind::Video ? t->video : t->audio;
    rows.clear();
    for (const Track &tr : p.tracks(kind)) rows.emplace_back(tr.segments.size() + 1, -1);
  }
}

// Every piece of media of a presentation, with where its size goes.
struct Piece {
  QUrl url;
  std::int64_t *size;
};
std::vector<Piece> piecesOf(const Presentation &p, SizeTable *t) {
  std::vector<Piece> out;
  for (const MediaKind kind : {MediaKind::Video, MediaKind::Audio}) {
    auto &rows = kind == MediaKind::Video ? t->video : t->audio;
    const auto &tracks = p.tracks(kind);
    for (std::size_t i = 0; i < tracks.size(); ++i) {
      const Track &tr = tracks[i];
      if (!tr.initPath.isEmpty()) out.push_back({tr.initUrl(), &rows[i][0]});
      else rows[i][0] = 0;
      for (std::size_t s = 0; s < tr.segments.size(); ++s) out.push_back({tr.segmentUrl(s), &rows[i][s + 1]});
    }
  }
  return out;
}

Result<QByteArray> readFile(const QString &path) {
  QFile f(path);
  if (!f.open(QIODevice::ReadOnly)) return Status(ErrorCode::NotFound, QStringLiteral("cannot read %1: %2").arg(path, f.errorString()));
  if (f.size() > kMaxDocument) return Status(ErrorCode::BadRequest, QStringLiteral("%1 is larger than 64 MiB").arg(path));
  return f.readAll();
}

}  // namespace

std::int64_t SizeTable::lookup(const MediaRef &ref) const {
  const auto &rows = ref.kind == MediaKind::Video ? video : audio;
  if (ref.track < 0 || std::size_t(ref.track) >= rows.size()) return -1;
  const auto &row = rows[std::size_t(ref.track)];
  const std::size_t i = std::size_t(ref.segment + 1);
  return i < row.size() ? row[i] : -1;
}

Result<TitleMedia> loadLocalTitle(const QString &manifestPath) {
  TitleMedia m;
  m.manifestUrl = QUrl::fromLocalFile(QFileInfo(manifestPath).absoluteFilePath());
  auto body = readFile(manifestPath);
  if (!body) return body.status();
  m.documents.insert(m.manifestUrl.toString(), *body);
  auto parsed = parseTop(*body, m.manifestUrl);
  if (!parsed) return parsed.status();
  m.presentation = std::move(*parsed);
  for (const MediaKind kind : {MediaKind::Video, MediaKind::Audio}) {
    for (Track &t : m.presentation.tracks(kind)) {
      if (t.loaded) continue;
      auto list = readFile(t.playlistUrl.toLocalFile());
      if (!list) return list.status();
      RS_RETURN_IF_ERROR(parseHlsMedia(*list, t.playlistUrl, &t));
      m.documents.insert(t.playlistUrl.toString(), *list);
    }
  }
  shapeTable(m.presentation, &m.sizes);
  for (const Piece &piece : piecesOf(m.presentation, &m.sizes)) {
    const QFileInfo info(piece.url.toLocalFile());
    if (!info.isFile())
      return Status(ErrorCode::NotFound, QStringLiteral("%1 is missing (named by %2)").arg(info.filePath(), manifestPath));
    *piece.size = info.size();
  }
  return m;
}

struct TitleProbe::Job {
  QByteArray authorization;
  TitleMedia media;
  std::function<void(Result<TitleMedia>)> done;
  std::vector<Piece> pieces;
  std::size_t next = 0;
  int inFlight = 0;
  bool failed = false;
  std::vector<Track *> playlists;

  void fail(const Status &s) {
    if (failed) return;
    failed = true;
    done(s);
  }
};

TitleProbe::TitleProbe(QObject *parent) : QObject(parent), nam_(new QNetworkAccessManager(this)) {
  nam_->setProxy(QNetworkProxy::NoProxy);
}

TitleProbe::~TitleProbe() = default;

void TitleProbe::fetchDocument(const std::shared_ptr<Job> &job, const QUrl &url, std::function<void(QByteArray)> then) {
  QNetworkRequest req(url);
  req.setTransferTimeout(15000);
  if (!job->authorization.isEmpty()) req.setRawHeader("Authorization", job->authorization);
  QNetworkReply *reply = nam_->get(req);
  connect(reply, &QNetworkReply::finished, this, [job, reply, url, then = std::move(then)] {
    reply->deleteLater();
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status != 200) {
      return job->fail(Status(ErrorCode::BadGateway, QStringLiteral("GET %1: %2").arg(displayUrl(url),
                                                                                       status ? QStringLiteral("HTTP %1").arg(status) : reply->errorString())));
    }
    then(reply->readAll());
  });
}

void TitleProbe::probe(const QUrl &manifest, const QByteArray &authorization, std::function<void(Result<TitleMedia>)> done) {
  auto job = std::make_shared<Job>();
  job->authorization = authorization;
  job->media.manifestUrl = manifest;
  job->done = std::move(done);
  fetchDocument(job, manifest, [this, job, manifest](QByteArray body) {
    job->media.documents.insert(manifest.toString(), body);
    auto parsed = parseTop(body, manifest);
    if (!parsed) return job->fail(parsed.status());
    job->media.presentation = std::move(*parsed);
    for (const MediaKind kind : {MediaKind::Video, MediaKind::Audio})
      for (Track &t : job->media.presentation.tracks(kind))
        if (!t.loaded) job->playlists.push_back(&t);
    auto afterPlaylists = [this, job] {
      shapeTable(job->media.presentation, &job->media.sizes);
      job->pieces = piecesOf(job->media.presentation, &job->media.sizes);
      if (job->pieces.empty()) return job->done(std::move(job->media));
      for (int i = 0; i < kParallelHeads; ++i) headNext(job);
    };
    if (job->playlists.empty()) return afterPlaylists();
    auto left = std::make_shared<std::size_t>(job->playlists.size());
    for (Track *t : job->playlists) {
      fetchDocument(job, t->playlistUrl, [job, t, left, afterPlaylists](QByteArray list) {
        if (job->failed) return;
        if (Status s = parseHlsMedia(list, t->playlistUrl, t); !s.isOk()) return job->fail(s);
        job->media.documents.insert(t->playlistUrl.toString(), list);
        if (--*left == 0) afterPlaylists();
      });
    }
  });
}

void TitleProbe::headNext(const std::shared_ptr<Job> &job) {
  if (job->failed) return;
  if (job->next >= job->pieces.size()) {
    if (job->inFlight == 0) {
      job->failed = true;  // done: nothing may answer twice
      job->done(std::move(job->media));
    }
    return;
  }
  const Piece piece = job->pieces[job->next++];
  ++job->inFlight;
  QNetworkRequest req(piece.url);
  req.setTransferTimeout(15000);
  if (!job->authorization.isEmpty()) req.setRawHeader("Authorization", job->authorization);
  QNetworkReply *reply = nam_->head(req);
  connect(reply, &QNetworkReply::finished, this, [this, job, reply, piece] {
    reply->deleteLater();
    --job->inFlight;
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QVariant length = reply->header(QNetworkRequest::ContentLengthHeader);
    if (status != 200 || !length.isValid()) {
      return job->fail(Status(ErrorCode::BadGateway, QStringLiteral("HEAD %1: %2").arg(displayUrl(piece.url),
                                                                                        status == 200 ? QStringLiteral("no Content-Length")
                                                                                        : status ? QStringLiteral("HTTP %1").arg(status)
                                                                                                 : reply->errorString())));
    }
    *piece.size = length.toLongLong();
    headNext(job);
  });
}

Result<TitleMedia> loadTitle(const QString &manifest, const QByteArray &authorization) {
  const QUrl url(manifest);
  if (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https"))
    return loadLocalTitle(url.isLocalFile() ? url.toLocalFile() : manifest);
  QEventLoop loop;
  TitleProbe probe;
  std::optional<Result<TitleMedia>> out;
  probe.probe(url, authorization, [&](Result<TitleMedia> r) {
    out.emplace(std::move(r));
    loop.quit();
  });
  if (!out) loop.exec();
  return std::move(*out);
}

}  // namespace rs::player
