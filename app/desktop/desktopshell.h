#pragma once
// The desktop window, when this build has one and there is a display. The headless
// build links a version that always says "not available".

#include <QString>
#include <QUrl>
#include <functional>

namespace rs::desktop {

// What the started stack tells the window.
struct Started {
  QUrl ui;          // the page to show; empty: the stack did not start
  QUrl api;         // the api listener of this process (loopback), empty without one
  QString dataDir;  // its secrets/local-admin.token signs the window in to `api`
};

// True when a window can be shown (built with WebEngine and a display is present).
bool available();
// Creates the QApplication, runs startStack (which starts the roles), shows the window
// and runs the event loop.
int run(int &argc, char **argv, const std::function<Started()> &startStack, const std::function<void()> &stopStack);

}  // namespace rs::desktop
