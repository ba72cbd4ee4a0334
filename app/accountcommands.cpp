#include "accountcommands.h"

#include "core/roles/rolehost.h"
#include "identity/accountstore.h"
#include "identity/bootstrap.h"

#include <QCommandLineParser>
#include <QDateTime>
#include <QFile>
#include <QTextStream>

#include <cstdio>
#include <optional>
#include <termios.h>
#include <unistd.h>

namespace rs::app {

namespace {
constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;

void printErr(const QString &cmd, const QString &s) { std::fprintf(stderr, "platform %s: %s\n", qPrintable(cmd), qPrintable(s)); }

QString readLine(FILE *in) {
  QTextStream s(in);
  return s.readLine();
}

// From a file (its first line), a terminal (asked twice without echo) or stdin.
Result<QString> readPassword(const QString &file, bool confirm) {
  if (!file.isEmpty()) {
    QFile f(file);
    if (!f.open(QIODevice::ReadOnly)) return Status(ErrorCode::NotFound, QStringLiteral("cannot read %1: %2").arg(file, f.errorString()));
    QString line = QString::fromUtf8(f.readLine(64 * 1024));
    while (line.endsWith(QLatin1Char('\n')) || line.endsWith(QLatin1Char('\r'))) line.chop(1);
    return line;
  }
  if (!::isatty(STDIN_FILENO)) return readLine(stdin);
  auto ask = [](const char *prompt) {
    std::fputs(prompt, stderr);
    std::fflush(stderr);
    termios old{};
    tcgetattr(STDIN_FILENO, &old);
    termios quiet = old;
    quiet.c_lflag &= ~tcflag_t(ECHO);
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    const QString line = readLine(stdin);
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
    std::fputc('\n', stderr);
    return line;
  };
  const QString first = ask("Password: ");
  if (confirm && ask("Again: ") != first) return Status(ErrorCode::BadRequest, QStringLiteral("the passwords differ"));
  return first;
}

struct Common {
  QCommandLineParser parser;
  QCommandLineOption help{{QStringLiteral("h"), QStringLiteral("help")}, QStringLiteral("Show this help.")};
  QCommandLineOption dataDir{QStringLiteral("data-dir"), QStringLiteral("The stack's data directory."), QStringLiteral("DIR"),
                             QStringLiteral("~/.local/share/reelstack")};
  QCommandLineOption minLength{QStringLiteral("password-min-length"), QStringLiteral("Shortest password accepted."),
                               QStringLiteral("N"), QStringLiteral("10")};
  Common() { parser.addOptions({help, dataDir, minLength}); }

  // Parses `args`; an exit code when that already ended the command (a usage error,
  // --help, or no verb), nothing when the command goes on with positional().
  std::optional<int> parse(const QString &cmd, const QStringList &args) {
    if (!parser.parse(QStringList{QStringLiteral("platform")} + args)) {
      printErr(cmd, parser.errorText() + QStringLiteral(" (see platform %1 --help)").arg(cmd));
      return kExitUsage;
    }
    if (parser.isSet(help) || parser.positionalArguments().isEmpty()) {
      // Without a QCoreApplication the first line names "<executable_name>": the
      // description already says how to call us.
      const QString text = parser.helpText();
      std::fputs(qPrintable(text.mid(text.indexOf(QLatin1Char('\n')) + 1)), parser.isSet(help) ? stdout : stderr);
      return parser.isSet(help) ? 0 : kExitUsage;
    }
    return std::nullopt;
  }
};

Result<std::unique_ptr<identity::AccountStore>> openStore(const Common &c) {
  identity::AccountStore::Options o;
  bool ok = false;
  o.minPasswordLength = c.parser.value(c.minLength).toInt(&ok);
  if (!ok || o.minPasswordLength < 1) return Status(ErrorCode::BadRequest, QStringLiteral("--password-min-length must be a positive number"));
  const QString dir = roles::resolveDataDir(c.parser.value(c.dataDir));
  return identity::AccountStore::open(identity::AccountStore::defaultPath(dir), o, false);
}

QString iso(qint64 ms) { return ms ? QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODate) : QStringLiteral("-"); }
}  // namespace

int runUserCommand(const QStringList &args) {
  const QString cmd = QStringLiteral("user");
  Common c;
  const QCommandLineOption role(QStringLiteral("role"), QStringLiteral("admin or viewer."), QStringLiteral("ROLE"), QStringLiteral("viewer"));
  const QCommandLineOption passwordFile(QStringLiteral("password-file"), QStringLiteral("Read the password from the first line of F."),
                                        QStringLiteral("F"));
  c.parser.addOptions({role, passwordFile});
  c.parser.setApplicationDescription(QStringLiteral(
      "Usage: platform user add NAME [--role admin|viewer] [--password-file F] [--data-dir DIR]\n"
      "       platform user passwd NAME [--password-file F] [--data-dir DIR]\n"
      "       platform user list [--data-dir DIR]\n"
      "       platform user remove NAME [--data-dir DIR]"));
  if (auto done = c.parse(cmd, args)) return *done;
  const QStringList pos = c.parser.positionalArguments();
  const QString verb = pos.first();
  const bool wantsName = verb == QLatin1String("add") || verb == QLatin1String("passwd") || verb == QLatin1String("remove");
  if ((wantsName && pos.size() != 2) || (verb == QLatin1String("list") && pos.size() != 1) ||
      (!wantsName && verb != QLatin1String("list"))) {
    printErr(cmd, QStringLiteral("expected add NAME, passwd NAME, remove NAME or list (see platform user --help)"));
    return kExitUsage;
  }
  auto store = openStore(c);
  if (!store) {
    printErr(cmd, store.status().message());
    return store.status().code() == ErrorCode::BadRequest ? kExitUsage : kExitFailed;
  }
  identity::AccountStore &s = **store;
  const QString dir = roles::resolveDataDir(c.parser.value(c.dataDir));
  if (verb == QLatin1String("list")) {
    auto users = s.users();
    if (!users) return printErr(cmd, users.status().message()), kExitFailed;
    for (const identity::User &u : *users)
      std::printf("%-32s %-7s %s\n", qPrintable(u.name), qPrintable(u.role), qPrintable(iso(u.createdMs)));
    return 0;
  }
  const QString name = pos[1];
  Status result;
  QString action;
  if (verb == QLatin1String("remove")) {
    action = QStringLiteral("user_removed");
    result = s.removeUser(name);
  } else {
    auto password = readPassword(c.parser.value(passwordFile), true);
    if (!password) return printErr(cmd, password.status().message()), kExitUsage;
    if (verb == QLatin1String("add")) {
      action = QStringLiteral("user_added");
      result = s.addUser(name, c.parser.value(role), *password).status();
    } else {
      action = QStringLiteral("user_password");
      result = s.setPassword(name, *password);
      if (result.isOk())
        if (auto u = s.user(name)) identity::forgetGeneratedPassword(dir, u->name);
    }
  }
  s.audit({QStringLiteral("cli"), action, name.left(64), {}, result.isOk(), result.message()});
  if (!result.isOk()) return printErr(cmd, result.message()), kExitFailed;
  std::fprintf(stderr, "platform user: %s %s\n", qPrintable(verb == QLatin1String("add") ? QStringLiteral("added") :
                                                            verb == QLatin1String("remove") ? QStringLiteral("removed")
                                                                                            : QStringLiteral("changed the password of")),
               qPrintable(name));
  return 0;
}

int runTokenCommand(const QStringList &args) {
  const QString cmd = QStringLiteral("token");
  Common c;
  const QCommandLineOption name(QStringLiteral("name"), QStringLiteral("What the token is for."), QStringLiteral("NAME"));
  const QCommandLineOption role(QStringLiteral("role"), QStringLiteral("admin or viewer."), QStringLiteral("ROLE"), QStringLiteral("viewer"));
  const QCommandLineOption expires(QStringLiteral("expires"), QStringLiteral("Seconds until it expires (0: never)."),
                                   QStringLiteral("SECONDS"), QStringLiteral("0"));
  c.parser.addOptions({name, role, expires});
  c.parser.setApplicationDescription(QStringLiteral(
      "Usage: platform token create --name N [--role admin|viewer] [--expires SECONDS] [--data-dir DIR]\n"
      "         (prints the token alone on stdout; it is shown this once)\n"
      "       platform token list [--data-dir DIR]\n"
      "       platform token revoke ID [--data-dir DIR]"));
  if (auto done = c.parse(cmd, args)) return *done;
  const QStringList pos = c.parser.positionalArguments();
  const QString verb = pos.first();
  if (!((verb == QLatin1String("create") || verb == QLatin1String("list")) && pos.size() == 1) &&
      !(verb == QLatin1String("revoke") && pos.size() == 2)) {
    printErr(cmd, QStringLiteral("expected create, list or revoke ID (see platform token --help)"));
    return kExitUsage;
  }
  bool ok = false;
  const qint64 ttl = c.parser.value(expires).toLongLong(&ok);
  if (!ok || ttl < 0) return printErr(cmd, QStringLiteral("--expires must be a number of seconds")), kExitUsage;
  if (verb == QLatin1String("create") && c.parser.value(name).trimmed().isEmpty())
    return printErr(cmd, QStringLiteral("--name is required")), kExitUsage;
  auto store = openStore(c);
  if (!store) {
    printErr(cmd, store.status().message());
    return kExitFailed;
  }
  identity::AccountStore &s = **store;
  if (verb == QLatin1String("list")) {
    auto tokens = s.tokens();
    if (!tokens) return printErr(cmd, tokens.status().message()), kExitFailed;
    for (const identity::TokenInfo &t : *tokens)
      std::printf("%-16s %-7s %-9s %-20s %-20s %s\n", qPrintable(t.id), qPrintable(t.role),
                  qPrintable(t.revokedMs ? QStringLiteral("revoked") : QStringLiteral("active")), qPrintable(iso(t.expiresMs)),
                  qPrintable(iso(t.lastUsedMs)), qPrintable(t.name));
    return 0;
  }
  if (verb == QLatin1String("revoke")) {
    const Status r = s.revokeToken(pos[1]);
    s.audit({QStringLiteral("cli"), QStringLiteral("token_revoked"), pos[1].left(64), {}, r.isOk(), r.message()});
    if (!r.isOk()) return printErr(cmd, r.message()), kExitFailed;
    return 0;
  }
  const qint64 expiresMs = ttl > 0 ? QDateTime::currentMSecsSinceEpoch() + ttl * 1000 : 0;
  auto issued = s.createToken(c.parser.value(name), c.parser.value(role), expiresMs, QStringLiteral("cli"));
  s.audit({QStringLiteral("cli"), QStringLiteral("token_created"), issued ? issued->id : c.parser.value(name).left(64), {},
           issued.isOk(), issued ? c.parser.value(name) : issued.status().message()});
  if (!issued) return printErr(cmd, issued.status().message()), kExitFailed;
  std::printf("%s\n", qPrintable(issued->secret));
  std::fprintf(stderr, "platform token: created %s (%s); this is the only time it is shown\n", qPrintable(issued->id),
               qPrintable(c.parser.value(role)));
  return 0;
}

}  // namespace rs::app
