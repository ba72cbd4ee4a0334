#include "desktop/desktopshell.h"

#include "desktop/mainwindow.h"

#include <QApplication>
#include <unistd.h>

namespace rs::desktop {

bool available() {
  return !qEnvironmentVariableIsEmpty("DISPLAY") || !qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY");
}

int run(int &argc, char **argv, const std::function<Started()> &startStack, const std::function<void()> &stopStack) {
  // Chromium refuses to run its sandbox as root; the root case is containers and
  // CI machines, where the page shown is our own UI on loopback.
  if (::geteuid() == 0 && qEnvironmentVariableIsEmpty("QTWEBENGINE_DISABLE_SANDBOX"))
    qputenv("QTWEBENGINE_DISABLE_SANDBOX", "1");
  QCoreApplication::setAttribute(Qt::AA_ShareOpenGLContexts);  // WebEngine needs it before the app exists
  QApplication app(argc, argv);
  const Started stack = startStack();
  if (stack.ui.isEmpty()) return 1;
  MainWindow window(stack);
  window.show();
  QObject::connect(&app, &QCoreApplication::aboutToQuit, stopStack);
  return app.exec();
}

}  // namespace rs::desktop
