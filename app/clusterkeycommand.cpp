#include "clusterkeycommand.h"

#include "core/auth/clusterkeys.h"
#include "core/auth/servicetoken.h"
#include "core/roles/rolehost.h"

#include <QCommandLineParser>
#include <QDateTime>
#include <QUuid>

#include <cstdio>

namespace rs::app {

namespace {
constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;

void printErr(const char *cmd, const QString &s) { std::fprintf(stderr, "platform %s: %s\n", cmd, qPrintable(s)); }

struct KeyFileOptions {
  QCommandLineOption help{{QStringLiteral("h"), QStringLiteral("help")}, QStringLiteral("Show this help.")};
  QCommandLineOption dataDir{QStringLiteral("data-dir"), QStringLiteral("The data directory of control (or of the role)."),
                             QStringLiteral("DIR"), QStringLiteral("~/.local/share/reelstack")};
  QCommandLineOption file{QStringLiteral("cluster-key-file"), QStringLiteral("The key ring itself (default <data-dir>/secrets/cluster.key)."),
                          QStringLiteral("FILE")};
  QString path(const QCommandLineParser &p) const {
    if (p.isSet(file)) return p.value(file);
    return roles::resolveDataDir(p.value(dataDir)) + QStringLiteral("/secrets/cluster.key");
  }
};

// The help without its first line, which names "<executable_name>" when no
// QCoreApplication exists; the description says how to call us.
QString helpOf(const QCommandLineParser &p) {
  const QString text = p.helpText();
  return text.mid(text.indexOf(QLatin1Char('\n')) + 1);
}

QString iso(qint64 sec) { return QDateTime::fromSecsSinceEpoch(sec, Qt::UTC).toString(Qt::ISODate); }
}  // namespace

int runClusterKeyCommand(const QStringList &args) {
  const char *cmd = "cluster-key";
  QCommandLineParser parser;
  KeyFileOptions k;
  const QCommandLineOption grace(QStringLiteral("grace"), QStringLiteral("Seconds the replaced keys keep verifying."),
                                 QStringLiteral("SECONDS"), QStringLiteral("3600"));
  parser.addOptions({k.help, k.dataDir, k.file, grace});
  parser.setApplicationDescription(QStringLiteral(
      "Usage: platform cluster-key list|add|rotate|promote ID|drop ID [--grace SECONDS] [--data-dir DIR | --cluster-key-file FILE]\n"
      "The first unexpired key signs service and playback tokens; every unexpired key verifies them."));
  if (!parser.parse(QStringList{QStringLiteral("platform")} + args)) {
    printErr(cmd, parser.errorText() + QStringLiteral(" (see platform cluster-key --help)"));
    return kExitUsage;
  }
  const QStringList pos = parser.positionalArguments();
  if (parser.isSet(k.help) || pos.isEmpty()) {
    std::fputs(qPrintable(helpOf(parser)), parser.isSet(k.help) ? stdout : stderr);
    return parser.isSet(k.help) ? 0 : kExitUsage;
  }
  const QString verb = pos.first();
  const bool takesId = verb == QLatin1String("promote") || verb == QLatin1String("drop");
  const bool known = takesId || verb == QLatin1String("list") || verb == QLatin1String("add") || verb == QLatin1String("rotate");
  if (!known || pos.size() != (takesId ? 2 : 1)) {
    printErr(cmd, QStringLiteral("expected list, add, rotate, promote ID or drop ID (see platform cluster-key --help)"));
    return kExitUsage;
  }
  bool ok = false;
  const qint64 graceSec = parser.value(grace).toLongLong(&ok);
  if (!ok || graceSec < 0) return printErr(cmd, QStringLiteral("--grace must be a number of seconds")), kExitUsage;
  const QString path = k.path(parser);
  auto ring = auth::readKeyFile(path);
  if (!ring) {
    printErr(cmd, ring.status().message() + QStringLiteral(" (control creates it on first start; or pass --cluster-key-file)"));
    return kExitFailed;
  }
  const qint64 now = auth::nowSeconds();
  if (verb == QLatin1String("list")) {
    const auto *signer = ring->signing(now);
    for (const auto &d : ring->keys()) {
      const QString state = &d == signer ? QStringLiteral("signs") : d.key.validAt(now) ? QStringLiteral("verifies") : QStringLiteral("expired");
      std::printf("%s  %-8s  %s\n", d.key.id.constData(), qPrintable(state),
                  d.key.untilSec ? qPrintable(QStringLiteral("until ") + iso(d.key.untilSec)) : "no end");
    }
    return 0;
  }
  QByteArray id;
  Status s;
  if (verb == QLatin1String("add")) id = ring->add();
  else if (verb == QLatin1String("rotate")) id = ring->rotate(graceSec, now);
  else if (verb == QLatin1String("promote")) id = pos[1].toLatin1(), s = ring->promote(id, graceSec, now);
  else id = pos[1].toLatin1(), s = ring->drop(id);
  if (s.isOk()) s = auth::writeKeyFile(path, *ring);
  if (!s.isOk()) return printErr(cmd, s.message()), kExitFailed;
  std::printf("%s\n", id.constData());
  std::fprintf(stderr, "platform cluster-key: %s %s in %s; running roles reload it within 2 s. Copy the file (mode 0600) to "
                       "the stack's other machines%s.\n",
               qPrintable(verb == QLatin1String("drop") ? QStringLiteral("dropped") : verb + QStringLiteral("d")), id.constData(),
               qPrintable(path),
               verb == QLatin1String("rotate") || verb == QLatin1String("promote")
                   ? qPrintable(QStringLiteral(" within %1 s").arg(graceSec))
                   : "");
  return 0;
}

int runServiceTokenCommand(const QStringList &args) {
  const char *cmd = "service-token";
  QCommandLineParser parser;
  KeyFileOptions k;
  const QCommandLineOption ttl(QStringLiteral("ttl"), QStringLiteral("Lifetime in seconds (at most a day)."), QStringLiteral("SECONDS"),
                               QStringLiteral("3600"));
  const QCommandLineOption rolesOpt(QStringLiteral("roles"), QStringLiteral("The role(s) it names."), QStringLiteral("NAME"),
                                    QStringLiteral("operator"));
  parser.addOptions({k.help, k.dataDir, k.file, ttl, rolesOpt});
  parser.setApplicationDescription(QStringLiteral(
      "Usage: platform service-token [--ttl SECONDS] [--roles NAME] [--data-dir DIR | --cluster-key-file FILE]\n"
      "Prints a service token (Authorization: Bearer …) signed with the cluster key, for scripts and scrapers."));
  if (!parser.parse(QStringList{QStringLiteral("platform")} + args) || !parser.positionalArguments().isEmpty()) {
    printErr(cmd, (parser.errorText().isEmpty() ? QStringLiteral("unexpected argument") : parser.errorText()) +
                      QStringLiteral(" (see platform service-token --help)"));
    return kExitUsage;
  }
  if (parser.isSet(k.help)) {
    std::fputs(qPrintable(helpOf(parser)), stdout);
    return 0;
  }
  bool ok = false;
  const qint64 seconds = parser.value(ttl).toLongLong(&ok);
  if (!ok || seconds < 1 || seconds > auth::kMaxServiceTokenSeconds)
    return printErr(cmd, QStringLiteral("--ttl must be 1 to %1 seconds").arg(auth::kMaxServiceTokenSeconds)), kExitUsage;
  auto ring = auth::readKeyFile(k.path(parser));
  if (!ring) return printErr(cmd, ring.status().message()), kExitFailed;
  const QByteArray token = auth::mintServiceToken(*ring, parser.value(rolesOpt),
                                                  QStringLiteral("cli-") + QUuid::createUuid().toString(QUuid::Id128).left(8),
                                                  seconds, auth::nowSeconds());
  if (token.isEmpty()) return printErr(cmd, QStringLiteral("every key in the ring has expired")), kExitFailed;
  std::printf("%s\n", token.constData());
  return 0;
}

}  // namespace rs::app
