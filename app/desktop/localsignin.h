#pragma once
// Signs the desktop window in without asking: every request the window's pages send
// to this machine's api (same scheme, host and port, nothing else) carries
// "Authorization: Bearer <local admin token>" from <data-dir>/secrets/local-admin.token
// (identity/bootstrap.h). Media on other ports, links to other hosts and anything a
// page loads from elsewhere never see it. Whoever can read the data directory owns the
// stack anyway; the header only saves that user a password prompt.

#include <QByteArray>
#include <QUrl>
#include <QWebEngineUrlRequestInterceptor>

namespace rs::desktop {

class LocalSignIn final : public QWebEngineUrlRequestInterceptor {
 public:
  LocalSignIn(const QUrl &api, QByteArray token, QObject *parent = nullptr);
  void interceptRequest(QWebEngineUrlRequestInfo &info) override;

  // True when `url` is on the api's origin (scheme, host, port; default ports filled in).
  static bool sameOrigin(const QUrl &url, const QUrl &api);

 private:
  QUrl api_;
  QByteArray authorization_;
};

}  // namespace rs::desktop
