#include "desktop/desktopshell.h"

#include "desktop/mainwindow.h"

#include <QApplication>

namespace rs::desktop {

bool available() {
  return !qEnvironmentVariableIsEmpty("DISPLAY") || !qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY");
}

int run(int &argc, char **argv, const std::function<QUrl()> &startStack, const std::function<void()> &stopStack) {
  QCoreApplication::setAttribute(Qt::AA_ShareOpenGLContexts);  // WebEngine needs it before the app exists
  QApplication app(argc, argv);
  const QUrl ui = startStack();
  if (ui.isEmpty()) return 1;
  MainWindow window(ui);
  window.show();
  QObject::connect(&app, &QCoreApplication::aboutToQuit, stopStack);
  return app.exec();
}

}  // namespace rs::desktop
