#include "core/roles/signals.h"

#include <QSocketNotifier>

#include <csignal>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

namespace rs::roles {

namespace {
int pipeFds[2] = {-1, -1};

void handle(int sig) {
  const char c = char(sig);
  [[maybe_unused]] auto n = ::write(pipeFds[1], &c, 1);
}
}  // namespace

void onTerminationSignal(QObject *context, std::function<void(int)> handler) {
  if (pipeFds[0] < 0) {
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, pipeFds) != 0) return;
  }
  auto *notifier = new QSocketNotifier(pipeFds[0], QSocketNotifier::Read, context);
  QObject::connect(notifier, &QSocketNotifier::activated, context, [handler = std::move(handler)] {
    char c = 0;
    while (::read(pipeFds[0], &c, 1) == 1) handler(int(static_cast<unsigned char>(c)));
  });
  struct sigaction sa {};
  sa.sa_handler = handle;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGHUP, &sa, nullptr);  // handlers tell it apart: reload, not shut down
  std::signal(SIGPIPE, SIG_IGN);
  // A file-size limit (ulimit -f) must turn a cache write into an EFBIG error the edge
  // handles, not kill the process.
  std::signal(SIGXFSZ, SIG_IGN);
}

}  // namespace rs::roles
