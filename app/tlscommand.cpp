#include "tlscommand.h"

#include "core/roles/rolehost.h"
#include "core/tls/localca.h"

#include <QCommandLineParser>
#include <cstdio>

namespace rs::app {

namespace {
void printErr(const QString &s) { std::fprintf(stderr, "platform tls: %s\n", qPrintable(s)); }
}  // namespace

int runTlsCommand(const QStringList &args) {
  QCommandLineParser parser;
  parser.setApplicationDescription(QStringLiteral(
      "platform tls init [--data-dir DIR] [--hosts NAME,...]\n"
      "Creates a local certificate authority (once; kept on later runs so trust survives) and a server certificate\n"
      "signed by it for this host's names, localhost, 127.0.0.1, ::1 and the --hosts names, in <data-dir>/tls/\n"
      "(ca.pem, ca.key and server.key mode 0600, server.pem). `platform --tls=auto` (the default) then serves every\n"
      "listener over HTTPS with them; a running stack picks a reissued certificate up within seconds."));
  const QCommandLineOption help({QStringLiteral("h"), QStringLiteral("help")}, QStringLiteral("Show this help."));
  const QCommandLineOption dataDir(QStringLiteral("data-dir"), QStringLiteral("The stack's data directory."), QStringLiteral("DIR"),
                                   QStringLiteral("~/.local/share/reelstack"));
  const QCommandLineOption hosts(QStringLiteral("hosts"),
                                 QStringLiteral("More names or addresses the certificate is valid for (comma list)."),
                                 QStringLiteral("NAME,..."));
  parser.addOptions({help, dataDir, hosts});
  parser.addPositionalArgument(QStringLiteral("init"), QStringLiteral("The only subcommand."));
  if (!parser.parse(QStringList{QStringLiteral("platform tls")} + args)) {
    printErr(parser.errorText() + QStringLiteral(" (see platform tls --help)"));
    return 2;
  }
  if (parser.isSet(help)) {
    std::fputs(qPrintable(parser.helpText()), stdout);
    return 0;
  }
  if (parser.positionalArguments() != QStringList{QStringLiteral("init")}) {
    printErr(QStringLiteral("usage: platform tls init [--data-dir DIR] [--hosts NAME,...]"));
    return 2;
  }
  QStringList extra;
  for (const QString &h : parser.value(hosts).split(QLatin1Char(','), Qt::SkipEmptyParts)) {
    const QString t = h.trimmed();
    if (t.contains(QLatin1Char(' ')) || t.contains(QLatin1Char('/'))) {
      printErr(QStringLiteral("'%1' is not a host name or address").arg(t));
      return 2;
    }
    extra << t;
  }
  const QString dir = roles::resolveDataDir(parser.value(dataDir));
  auto made = tls::initLocalCa(dir, tls::defaultServerNames(extra));
  if (!made) {
    printErr(made.status().message());
    return 1;
  }
  const tls::LocalCaFiles &f = *made;
  std::printf("%s %s\n", f.createdCa ? "created the local CA" : "kept the local CA", qPrintable(f.caCertificate));
  std::printf("issued %s (key %s, mode 0600) for: %s\n", qPrintable(f.certificate), qPrintable(f.privateKey),
              qPrintable(f.names.join(QStringLiteral(", "))));
  std::printf(
      "\nNext: platform --data-dir %s   (--tls=auto, the default, serves every listener over HTTPS with it)\n"
      "Trust the CA where viewers and other machines run:\n"
      "  Debian/Ubuntu system store: sudo cp %s /usr/local/share/ca-certificates/reelstack.crt && sudo update-ca-certificates\n"
      "  Chromium/Chrome (NSS):      certutil -d sql:$HOME/.pki/nssdb -A -t C,, -n reelstack -i %s\n"
      "  Firefox: Settings > Certificates > Import; curl: --cacert %s; other ReelStack machines: --tls-ca=FILE\n",
      qPrintable(dir), qPrintable(f.caCertificate), qPrintable(f.caCertificate), qPrintable(f.caCertificate));
  return 0;
}

}  // namespace rs::app
