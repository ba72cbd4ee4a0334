#include "desktop/mainwindow.h"

#include "desktop/localsignin.h"
#include "identity/bootstrap.h"

#include <QApplication>
#include <QDesktopServices>
#include <QLoggingCategory>
#include <QMenuBar>
#include <QWebEnginePage>
#include <QWebEngineView>

namespace rs::desktop {

namespace {
Q_LOGGING_CATEGORY(lcDesktop, "rs.desktop")
}  // namespace

MainWindow::MainWindow(const Started &stack, QWidget *parent)
    : QMainWindow(parent), ui_(stack.ui), view_(new QWebEngineView(this)) {
  setWindowTitle(QStringLiteral("ReelStack"));
  resize(1280, 800);
  setCentralWidget(view_);
  QMenu *file = menuBar()->addMenu(tr("&File"));
  // An outside browser gets no token: it shows the login page.
  file->addAction(tr("Open in &browser"), this, [this] { QDesktopServices::openUrl(ui_); });
  file->addAction(tr("&Reload"), QKeySequence::Refresh, view_, &QWebEngineView::reload);
  file->addSeparator();
  file->addAction(tr("&Quit"), QKeySequence::Quit, qApp, &QApplication::quit);
  signIn(stack);
  view_->load(ui_);
}

// Without the token (no api in this process, an unreadable file) the window still
// works: the page asks for a password like any browser.
void MainWindow::signIn(const Started &stack) {
  if (stack.api.isEmpty()) return;
  auto token = identity::readLocalToken(stack.dataDir);
  if (!token) {
    qCWarning(lcDesktop).noquote() << "desktop window: not signed in automatically:" << token.status().message();
    return;
  }
  view_->page()->setUrlRequestInterceptor(new LocalSignIn(stack.api, *token, view_->page()));
  qCInfo(lcDesktop).noquote() << "desktop window: signed in to" << stack.api.toString() << "with the local admin token";
}

}  // namespace rs::desktop
