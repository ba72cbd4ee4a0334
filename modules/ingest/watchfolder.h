#pragma once
// The watch folder: a file dropped into DIR is ingested like an upload once it has
// stopped changing, then moved to DIR/.done/ or, rejected, to DIR/.failed/ next to a
// <name>.reason.txt. Polling (not inotify) so it also works on network mounts.

#include "core/status.h"

#include <QDateTime>
#include <QHash>
#include <QObject>
#include <QSet>
#include <QString>
#include <QTimer>
#include <functional>

namespace rs::ingest {

class WatchFolder : public QObject {
  Q_OBJECT
 public:
  struct Hooks {
    // Files already being ingested (from an earlier poll or an earlier run).
    std::function<QSet<QString>()> claimed;
    // Takes a stable file; calls `done` (from any thread) when it has left the folder
    // or should be looked at again.
    std::function<void(const QString &path, std::function<void()> done)> ingest;
  };
  WatchFolder(QString directory, int intervalMs, Hooks hooks, QObject *parent = nullptr);

  void start();
  void stop() { timer_.stop(); }

  // Media files by extension; everything else in the folder is left alone.
  static bool looksLikeMedia(QStringView fileName);
  // Moves a finished file to DIR/.done or DIR/.failed (+ .reason.txt), never
  // overwriting an earlier file of the same name.
  static Status settle(const QString &path, bool accepted, const QString &reason);

 private:
  void poll();

  struct Seen {
    qint64 size = -1;
    QDateTime modified;
    int stablePolls = 0;
  };
  QString dir_;
  Hooks hooks_;
  QTimer timer_;
  QHash<QString, Seen> seen_;
  QSet<QString> inFlight_;
};

}  // namespace rs::ingest
