#pragma once
// Credentials for tests of a secured stack: service tokens minted from a data
// directory's cluster key (or a test's own key ring), the api's local admin token,
// and per-port defaults so a test says once who it speaks as: after
// authorize(control, service), every call() to control's port carries that
// Authorization; callAs() names one explicitly, "" for an anonymous request.

#include "core/auth/clusterkeys.h"
#include "core/auth/playbacktoken.h"
#include "core/auth/servicetoken.h"
#include "support/rawhttp.h"

#include <QByteArray>
#include <QFile>
#include <QString>
#include <QTemporaryDir>
#include <QUrl>

namespace rs::test {

inline QString clusterKeyFile(const QString &dataDir) { return dataDir + QStringLiteral("/secrets/cluster.key"); }

// "Bearer rss1.…" naming `roles` and process `instance`, valid for an hour.
inline QByteArray serviceAuthorization(const QString &keyFile, const QString &roles = QStringLiteral("test"),
                                       const QString &instance = QStringLiteral("test")) {
  auto ring = auth::readKeyFile(keyFile);
  if (!ring) return {};
  return "Bearer " + auth::mintServiceToken(*ring, roles, instance, 3600, auth::nowSeconds());
}

// A playback token for `title` issued to session `session`, as the api mints them.
inline QByteArray playbackToken(const QString &keyFile, const QString &title, qint64 ttlSec = 300,
                                const QString &session = QStringLiteral("testsession")) {
  auto ring = auth::readKeyFile(keyFile);
  if (!ring) return {};
  const qint64 now = auth::nowSeconds();
  return auth::mintPlaybackToken(*ring, title, session, now + ttlSec, now);
}

// The local admin API token of a data directory the api has run in.
inline QByteArray adminAuthorization(const QString &dataDir) {
  QFile f(dataDir + QStringLiteral("/secrets/local-admin.token"));
  if (!f.open(QIODevice::ReadOnly)) return {};
  return "Bearer " + f.readAll().trimmed();
}

// A key ring of the test's own, for roles started without control (edge tests).
class TestKeyRing {
 public:
  TestKeyRing() : file_(dir_.filePath(QStringLiteral("cluster.key"))) { auth::writeKeyFile(file_, auth::KeyRing::generate()); }
  const QString &file() const { return file_; }
  QByteArray service(const QString &roles = QStringLiteral("test")) const { return serviceAuthorization(file_, roles); }

 private:
  QTemporaryDir dir_;
  QString file_;
};

inline void authorize(const QUrl &base, const QByteArray &authorization) { setDefaultAuthorization(base.port(), authorization); }

}  // namespace rs::test
