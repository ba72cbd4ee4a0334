// platform: one binary, any set of roles. Parses the command line, then runs the
// roles headless or behind the desktop window; both paths run the same RoleHost.

#include "core/config/config.h"
#include "core/log/log.h"
#include "core/roles/rolehost.h"
#include "core/roles/signals.h"
#include "desktop/desktopshell.h"
#include "accountcommands.h"
#include "clusterkeycommand.h"
#include "ingestcommand.h"
#include "playcommand.h"
#include "simulatecommand.h"
#include "tlscommand.h"
#include "stack.h"

#include <QCoreApplication>
#include <csignal>
#include <cstdio>
#include <memory>

namespace {

void printErr(const QString &s) { std::fprintf(stderr, "platform: %s\n", qPrintable(s)); }

QStringList argumentsOf(int argc, char **argv) {
  QStringList out;
  for (int i = 1; i < argc; ++i) out << QString::fromLocal8Bit(argv[i]);
  return out;
}

}  // namespace

int main(int argc, char **argv) {
  // The UNIX event dispatcher is leaner than glib's on the server's hot path.
  if (qEnvironmentVariableIsEmpty("QT_NO_GLIB")) qputenv("QT_NO_GLIB", "1");

  const QStringList args = argumentsOf(argc, argv);
  // Subcommands have their own flags; they never start roles.
  if (!args.isEmpty() && args.first() == QLatin1String("ingest"))
    return rs::app::runIngestCommand(argc, argv, args.mid(1));
  if (!args.isEmpty() && args.first() == QLatin1String("user")) return rs::app::runUserCommand(args.mid(1));
  if (!args.isEmpty() && args.first() == QLatin1String("token")) return rs::app::runTokenCommand(args.mid(1));
  if (!args.isEmpty() && args.first() == QLatin1String("cluster-key")) return rs::app::runClusterKeyCommand(args.mid(1));
  if (!args.isEmpty() && args.first() == QLatin1String("service-token")) return rs::app::runServiceTokenCommand(args.mid(1));
  if (!args.isEmpty() && args.first() == QLatin1String("simulate"))
    return rs::app::runSimulateCommand(argc, argv, args.mid(1));
  if (!args.isEmpty() && args.first() == QLatin1String("play"))
    return rs::app::runPlayCommand(argc, argv, args.mid(1));
  if (!args.isEmpty() && args.first() == QLatin1String("tls")) return rs::app::runTlsCommand(args.mid(1));

  auto parsed = rs::config::Config::fromArguments(args);
  if (!parsed) {
    printErr(parsed.status().message() + QStringLiteral(" (see platform --help)"));
    return 2;
  }
  rs::config::Config &config = *parsed;
  if (config.wantsHelp()) {
    std::fputs(qPrintable(rs::config::helpText(QStringLiteral("platform"))), stdout);
    return 0;
  }
  if (config.wantsVersion()) {
    std::printf("platform (ReelStack) %s\n", REELSTACK_VERSION);
    return 0;
  }
  if (config.wantsPrintConfig()) {
    std::fputs(qPrintable(rs::config::exampleConfig()), stdout);
    return 0;
  }
  if (!config.positional().isEmpty()) {
    printErr(QStringLiteral("unknown argument '%1' (see platform --help)").arg(config.positional().first()));
    return 2;
  }
  if (config.isSet(u"config")) {
    if (rs::Status s = config.loadFile(config.value(u"config")); !s.isOk()) {
      printErr(s.message());
      return 2;
    }
  }
  auto level = rs::log::parseLevel(config.value(u"log-level"));
  auto format = rs::log::parseFormat(config.value(u"log-format"));
  if (!level || !format) {
    printErr(!level ? level.status().message() : format.status().message());
    return 2;
  }
  rs::log::install({*format, *level});

  rs::roles::RoleRegistry registry;
  rs::app::provideBuiltRoles(registry);
  std::unique_ptr<rs::roles::RoleHost> host;
  int shutdownMs = 4000;
  if (auto t = config.number(u"shutdown-timeout", 0, 3600)) shutdownMs = int(*t * 1000);

  auto startStack = [&]() -> rs::desktop::Started {
    host = std::make_unique<rs::roles::RoleHost>(config, registry);
    if (rs::Status s = host->start(); !s.isOk()) {
      printErr(s.message());
      host->shutdown(0);
      return {};
    }
    rs::roles::onTerminationSignal(QCoreApplication::instance(), [&](int sig) {
      if (sig == SIGHUP) {
        // certbot's deploy hook: new certificate and key, no connection dropped.
        qCInfo(rs::lcCore) << "SIGHUP - reloading TLS certificates";
        host->reloadTls();
        return;
      }
      qCInfo(rs::lcCore) << "signal" << sig << "- shutting down";
      host->shutdown(shutdownMs);
      QCoreApplication::exit(0);
    });
    const QUrl api = host->localUrl(QStringLiteral("api"));
    return rs::desktop::Started{api.isEmpty() ? host->controlUrl() : api, api, host->dataDir()};
  };
  auto stopStack = [&] {
    if (host) host->shutdown(shutdownMs);
  };

  const bool headless = config.flag(u"headless") || !rs::desktop::available();
  if (!headless) return rs::desktop::run(argc, argv, startStack, stopStack);

  QCoreApplication app(argc, argv);
  QCoreApplication::setApplicationName(QStringLiteral("platform"));
  QCoreApplication::setApplicationVersion(QStringLiteral(REELSTACK_VERSION));
  if (startStack().ui.isEmpty()) return 1;
  const int rc = app.exec();
  stopStack();
  host.reset();
  return rc;
}
