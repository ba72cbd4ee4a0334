#pragma once
// Accepted sources, one directory per title (<dir>/<titleId>/source.<ext>), served to
// encoders at /api/v1/sources/{titleId} with ranges, since libavformat reads them
// over HTTP.

#include "core/http/router.h"
#include "core/status.h"

#include <QString>
#include <QStringList>
#include <memory>

namespace rs::http { class FileRoot; }

namespace rs::ingest {

class SourceStore {
 public:
  explicit SourceStore(QString directory);
  ~SourceStore();

  Status open();
  // Title ids come from control ("t_…"); anything else never reaches the disk.
  static bool isValidTitleId(QStringView id);

  // The accepted source of a title, or an empty string.
  QString find(const QString &titleId) const;
  // Moves `from` into place as source.<ext>, replacing an earlier attempt.
  Result<QString> adopt(const QString &titleId, const QString &from, const QString &ext);
  void remove(const QString &titleId);
  // Title ids that have a directory here.
  QStringList titleIds() const;

  // GET (and HEAD) `pattern`, which must contain {titleId}.
  void mount(http::Router &router, const QString &pattern);

 private:
  QString dir_;
  std::unique_ptr<http::FileRoot> root_;
};

}  // namespace rs::ingest
