#pragma once
// How packaged titles arrive at the origin from encoders that may run on other
// machines: files are PUT into a private staging directory, and one commit checks
// every file against the encoder's list and swaps the directory into place with a
// single rename. A player therefore sees the old title or the new one, never a mix,
// and a crashed encoder leaves nothing under /media/.

#include "core/status.h"

#include <QJsonObject>
#include <QString>

namespace rs::origin {

class Publisher {
 public:
  // `mediaRoot` is what /media/ serves; staging lives in mediaRoot/.staging, which the
  // file server never exposes (dot segments are refused).
  explicit Publisher(QString mediaRoot);

  // Drops staging directories left by publishes that never committed (their encoder
  // died or the origin restarted); the encoder retries the whole publish.
  Status recover();

  Status putFile(const QString &titleId, const QString &publishId, const QString &relPath, const QByteArray &data);
  // `files` maps each relative path to its size in bytes; every one must be staged
  // with exactly that size, and nothing else may be staged.
  Status commit(const QString &titleId, const QString &publishId, const QJsonObject &files);
  Status abort(const QString &titleId, const QString &publishId);
  Status unpublish(const QString &titleId);

  static bool isValidId(QStringView id);
  // Relative paths an encoder may write: segments of [A-Za-z0-9._-], none starting
  // with a dot, no empty segments, at most 8 deep.
  static bool isValidRelPath(QStringView rel);

 private:
  QString stagingDir(const QString &titleId, const QString &publishId) const;
  QString mediaRoot_;
};

}  // namespace rs::origin
