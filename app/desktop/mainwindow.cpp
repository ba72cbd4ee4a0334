#include "desktop/mainwindow.h"

#include <QApplication>
#include <QDesktopServices>
#include <QMenuBar>
#include <QWebEngineView>

namespace rs::desktop {

MainWindow::MainWindow(const QUrl &ui, QWidget *parent) : QMainWindow(parent), ui_(ui), view_(new QWebEngineView(this)) {
  setWindowTitle(QStringLiteral("ReelStack"));
  resize(1280, 800);
  setCentralWidget(view_);
  QMenu *file = menuBar()->addMenu(tr("&File"));
  file->addAction(tr("Open in &browser"), this, [this] { QDesktopServices::openUrl(ui_); });
  file->addAction(tr("&Reload"), QKeySequence::Refresh, view_, &QWebEngineView::reload);
  file->addSeparator();
  file->addAction(tr("&Quit"), QKeySequence::Quit, qApp, &QApplication::quit);
  view_->load(ui_);
}

}  // namespace rs::desktop
