#pragma once
// The desktop window: the same web UI the api role serves, in a WebEngine view.

#include <QMainWindow>
#include <QUrl>

class QWebEngineView;

namespace rs::desktop {

class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  explicit MainWindow(const QUrl &ui, QWidget *parent = nullptr);

 private:
  QUrl ui_;
  QWebEngineView *view_;
};

}  // namespace rs::desktop
