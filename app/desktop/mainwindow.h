#pragma once
// The desktop window: the same web UI the api role serves, in a WebEngine view,
// signed in with this machine's local admin token (localsignin.h).

#include "desktop/desktopshell.h"

#include <QMainWindow>
#include <QUrl>

class QWebEngineView;

namespace rs::desktop {

class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  explicit MainWindow(const Started &stack, QWidget *parent = nullptr);

 private:
  void signIn(const Started &stack);

  QUrl ui_;
  QWebEngineView *view_;
};

}  // namespace rs::desktop
