#pragma once
// The desktop window, when this build has one and there is a display. The headless
// build links a version that always says "not available".

#include <QUrl>
#include <functional>

namespace rs::desktop {
// True when a window can be shown (built with WebEngine and a display is present).
bool available();
// Creates the QApplication, runs startStack (which starts the roles and returns the
// UI address, or an empty URL on failure), shows the window and runs the event loop.
int run(int &argc, char **argv, const std::function<QUrl()> &startStack, const std::function<void()> &stopStack);
}  // namespace rs::desktop
