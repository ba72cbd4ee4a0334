#pragma once
// SIGINT/SIGTERM (and SIGHUP, for reloads) turned into a call on the main thread
// (self-pipe), so shutdown runs as ordinary code with the event loop still alive to
// finish in-flight requests. The handler gets the signal number and decides.

#include <functional>

class QObject;

namespace rs::roles {
void onTerminationSignal(QObject *context, std::function<void(int signal)> handler);
}
