#pragma once
// What simulating a title needs from it: its manifest (and HLS media playlists) as
// served, the parsed presentation, and the real size of every init and media segment.
// Read from a local packaged directory (file sizes) or over HTTP (GET the manifests,
// HEAD every segment, eight at a time on reused connections).

#include "core/status.h"
#include "player/manifest/presentation.h"

#include <QByteArray>
#include <QHash>
#include <QObject>
#include <QUrl>
#include <functional>
#include <memory>
#include <vector>

class QNetworkAccessManager;

namespace rs::player {

struct SizeTable {
  // [track][0] is the init segment, [track][1 + i] media segment i; -1 unknown.
  std::vector<std::vector<std::int64_t>> video, audio;
  std::int64_t lookup(const MediaRef &ref) const;
};

struct TitleMedia {
  QUrl manifestUrl;
  QHash<QString, QByteArray> documents;  // URL → body: the manifest and every playlist
  Presentation presentation;             // with every track loaded
  SizeTable sizes;
};

// A manifest file on disk; sizes from the files next to it.
Result<TitleMedia> loadLocalTitle(const QString &manifestPath);

// The same over HTTP, asynchronously on the calling thread's event loop.
class TitleProbe : public QObject {
  Q_OBJECT
 public:
  explicit TitleProbe(QObject *parent = nullptr);
  ~TitleProbe() override;
  void probe(const QUrl &manifest, const QByteArray &authorization, std::function<void(Result<TitleMedia>)> done);

 private:
  struct Job;
  void fetchDocument(const std::shared_ptr<Job> &job, const QUrl &url, std::function<void(QByteArray)> then);
  void headNext(const std::shared_ptr<Job> &job);
  QNetworkAccessManager *nam_;
};

// Blocking convenience for the command line: a path or an http(s) URL.
Result<TitleMedia> loadTitle(const QString &manifest, const QByteArray &authorization);

}  // namespace rs::player
