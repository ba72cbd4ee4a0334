// Unit tests of the settings layer: rs::config::Config (flags, files, precedence,
// typed values), parseListen, the option table behind --help, and
// rs::roles::RoleRegistry::resolve (role lists → start order, with clear errors).

#include "core/config/config.h"
#include "core/roles/roles.h"

#include <QFile>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using rs::config::Config;

namespace {

const QStringList kAllInOrder = {u"control"_s, u"origin"_s, u"edge"_s,   u"license"_s, u"monitor"_s,
                                 u"api"_s,     u"ingest"_s, u"encode"_s, u"player"_s};

Config parse(const QStringList &args) {
  auto c = Config::fromArguments(args);
  if (!c) qFatal("fromArguments failed: %s", qPrintable(c.status().message()));
  return *c;
}

QString writeTemp(QTemporaryDir &dir, const QString &name, const QByteArray &content) {
  const QString path = dir.path() + u'/' + name;
  QFile f(path);
  if (!f.open(QIODevice::WriteOnly) || f.write(content) != content.size()) qFatal("cannot write %s", qPrintable(path));
  return path;
}

// A registry with dummy factories for the given roles (resolve never calls them).
rs::roles::RoleRegistry registryWith(const QStringList &built) {
  rs::roles::RoleRegistry r;
  for (const QString &name : built) r.provide(name, [] { return std::unique_ptr<rs::roles::Role>(); });
  return r;
}

}  // namespace

class tst_Config : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void flagForms_data();
  void flagForms();
  void booleanSwitch();
  void specialFlagsAndPositional();
  void missingValueIsAnError();
  void defaultsFileAndFlagPrecedence();
  void fileSyntax();
  void fileErrors_data();
  void fileErrors();
  void typedValues();
  void optionTableMatchesHelpAndExample();

  void parseListen_data();
  void parseListen();

  void resolveAll();
  void resolveOrder_data();
  void resolveOrder();
  void resolveErrors_data();
  void resolveErrors();
  void resolveUnbuiltRole();
};

// ---- Flags -------------------------------------------------------------------------

void tst_Config::flagForms_data() {
  QTest::addColumn<QStringList>("args");
  QTest::addColumn<QString>("key");
  QTest::addColumn<QString>("expected");
  QTest::newRow("--key=value") << QStringList{u"--data-dir=/srv/rs"_s} << u"data-dir"_s << u"/srv/rs"_s;
  QTest::newRow("--key value") << QStringList{u"--data-dir"_s, u"/srv/rs"_s} << u"data-dir"_s << u"/srv/rs"_s;
  QTest::newRow("value with =") << QStringList{u"--control=http://h:1/?a=b"_s} << u"control"_s << u"http://h:1/?a=b"_s;
  QTest::newRow("empty inline value") << QStringList{u"--access-log="_s} << u"access-log"_s << QString();
  QTest::newRow("value that looks like a flag") << QStringList{u"--role"_s, u"--x"_s} << u"role"_s << u"--x"_s;
  QTest::newRow("last flag wins") << QStringList{u"--workers=2"_s, u"--workers"_s, u"3"_s} << u"workers"_s << u"3"_s;
  QTest::newRow("listen flag") << QStringList{u"--api-listen=127.0.0.1:0"_s} << u"api-listen"_s << u"127.0.0.1:0"_s;
}

void tst_Config::flagForms() {
  QFETCH(QStringList, args);
  QFETCH(QString, key);
  QFETCH(QString, expected);
  const Config c = parse(args);
  QCOMPARE(c.value(key), expected);
  QVERIFY(c.isSet(key));
  QVERIFY2(c.positional().isEmpty(), qPrintable(c.positional().join(u' ')));
}

void tst_Config::booleanSwitch() {
  QVERIFY(!parse({}).flag(u"headless"));
  QVERIFY(!parse({}).isSet(u"headless"));
  const Config on = parse({u"--headless"_s, u"--role=all"_s});
  QVERIFY(on.flag(u"headless"));
  QVERIFY(on.isSet(u"headless"));
  // A switch never swallows the next word as its value.
  QCOMPARE(on.value(u"role"), u"all"_s);
  const Config next = parse({u"--headless"_s, u"ingest"_s});
  QVERIFY(next.flag(u"headless"));
  QCOMPARE(next.positional(), QStringList{u"ingest"_s});
  for (const QString &v : {u"true"_s, u"1"_s, u"yes"_s, u"on"_s, u"TRUE"_s})
    QVERIFY2(parse({u"--headless="_s + v}).flag(u"headless"), qPrintable(v));
  for (const QString &v : {u"false"_s, u"0"_s, u"no"_s, u"off"_s})
    QVERIFY2(!parse({u"--headless="_s + v}).flag(u"headless"), qPrintable(v));
}

void tst_Config::specialFlagsAndPositional() {
  QVERIFY(parse({u"--help"_s}).wantsHelp());
  QVERIFY(parse({u"-h"_s}).wantsHelp());
  QVERIFY(parse({u"--version"_s}).wantsVersion());
  QVERIFY(parse({u"-V"_s}).wantsVersion());
  QVERIFY(parse({u"--print-config"_s}).wantsPrintConfig());
  const Config plain = parse({u"--role=all"_s});
  QVERIFY(!plain.wantsHelp() && !plain.wantsVersion() && !plain.wantsPrintConfig());

  // Unknown flags and words are kept for the caller (which rejects or dispatches them).
  const Config c = parse({u"ingest"_s, u"movie.mp4"_s, u"--title=x"_s, u"--data-dir=/d"_s, u"--"_s, u"--role=all"_s});
  QCOMPARE(c.positional(), (QStringList{u"ingest"_s, u"movie.mp4"_s, u"--title=x"_s, u"--role=all"_s}));
  QCOMPARE(c.value(u"data-dir"), u"/d"_s);
  QVERIFY2(!c.isSet(u"role"), "everything after -- is positional");
}

void tst_Config::missingValueIsAnError() {
  auto r = Config::fromArguments({u"--role=all"_s, u"--data-dir"_s});
  QVERIFY(!r);
  QVERIFY2(r.status().message().contains(u"--data-dir"_s), qPrintable(r.status().message()));
}

// ---- Precedence: default < file < flag ---------------------------------------------

void tst_Config::defaultsFileAndFlagPrecedence() {
  QTemporaryDir dir;
  const QString path = writeTemp(dir, u"a.conf"_s,
                                 "workers = 3\n"
                                 "log-level = debug\n"
                                 "control-listen = 127.0.0.1:9000\n");
  Config c = parse({u"--workers=7"_s});
  // Defaults before the file.
  QCOMPARE(c.value(u"log-level"), u"info"_s);
  QCOMPARE(c.value(u"heartbeat-interval"), u"2"_s);
  QCOMPARE(c.value(u"instance-expiry"), u"3"_s);
  QCOMPARE(c.value(u"role"), u"all"_s);
  QCOMPARE(c.value(u"control-listen"), u"0.0.0.0:8083"_s);
  QVERIFY(!c.isSet(u"log-level"));

  QVERIFY2(c.loadFile(path).isOk(), qPrintable(c.loadFile(path).message()));
  QCOMPARE(c.value(u"workers"), u"7"_s);                      // flag beats file
  QCOMPARE(c.value(u"log-level"), u"debug"_s);                // file beats default
  QCOMPARE(c.value(u"control-listen"), u"127.0.0.1:9000"_s);  // file beats default
  QVERIFY(c.isSet(u"log-level"));
  QCOMPARE(c.value(u"heartbeat-interval"), u"2"_s);           // still the default
  QVERIFY(!c.isSet(u"heartbeat-interval"));
  QCOMPARE(c.integer(u"workers", 0, 256).value(), 7);

  // A flag set after loading also wins.
  c.set(u"log-level"_s, u"error"_s);
  QCOMPARE(c.value(u"log-level"), u"error"_s);
}

void tst_Config::fileSyntax() {
  QTemporaryDir dir;
  const QString path = writeTemp(dir, u"b.conf"_s,
                                 "# comment\n"
                                 "   # indented comment\n"
                                 "\n"
                                 "  data-dir   =   /var/lib/rs  \n"
                                 "control = http://c:8083/?x=1\n"
                                 "access-log =\n"
                                 "headless = yes\n"
                                 "role=control,origin\r\n");
  Config c = parse({});
  const rs::Status s = c.loadFile(path);
  QVERIFY2(s.isOk(), qPrintable(s.message()));
  QCOMPARE(c.value(u"data-dir"), u"/var/lib/rs"_s);
  QCOMPARE(c.value(u"control"), u"http://c:8083/?x=1"_s);  // only the first '=' splits
  QCOMPARE(c.value(u"access-log"), QString());
  QVERIFY(c.isSet(u"access-log"));
  QVERIFY(c.flag(u"headless"));
  QCOMPARE(c.value(u"role"), u"control,origin"_s);
}

void tst_Config::fileErrors_data() {
  QTest::addColumn<QByteArray>("content");
  QTest::addColumn<int>("line");
  QTest::addColumn<QString>("mentions");
  QTest::newRow("unknown key") << QByteArray("# c\nworkers = 2\n\nwokers = 3\n") << 4 << u"wokers"_s;
  QTest::newRow("unknown key, first line") << QByteArray("bogus = 1\n") << 1 << u"bogus"_s;
  QTest::newRow("no equals") << QByteArray("workers = 2\nworkers 3\n") << 2 << QString();
  QTest::newRow("empty key") << QByteArray("\n\n= 3\n") << 3 << QString();
  QTest::newRow("config in config") << QByteArray("config = other.conf\n") << 1 << u"config"_s;
}

void tst_Config::fileErrors() {
  QFETCH(QByteArray, content);
  QFETCH(int, line);
  QFETCH(QString, mentions);
  QTemporaryDir dir;
  const QString path = writeTemp(dir, u"bad.conf"_s, content);
  Config c = parse({});
  const rs::Status s = c.loadFile(path);
  QVERIFY(!s.isOk());
  QVERIFY2(s.message().contains(u"%1:%2:"_s.arg(path).arg(line)), qPrintable(s.message()));
  if (!mentions.isEmpty()) QVERIFY2(s.message().contains(mentions), qPrintable(s.message()));

  const rs::Status missing = c.loadFile(dir.path() + u"/absent.conf"_s);
  QVERIFY(!missing.isOk());
  QVERIFY2(missing.message().contains(u"absent.conf"_s), qPrintable(missing.message()));
}

void tst_Config::typedValues() {
  const Config c = parse({u"--workers=abc"_s, u"--max-connections=12"_s, u"--heartbeat-interval=0.5"_s,
                          u"--idle-timeout=-1"_s, u"--instance-expiry=2.5"_s});
  auto w = c.integer(u"workers", 0, 256);
  QVERIFY(!w);
  QVERIFY2(w.status().message().contains(u"--workers"_s) && w.status().message().contains(u"abc"_s),
           qPrintable(w.status().message()));
  QCOMPARE(c.integer(u"max-connections", 1, 100).value(), 12);
  QVERIFY(!c.integer(u"max-connections", 20, 100));  // below min
  QCOMPARE(c.number(u"heartbeat-interval", 0.1, 10).value(), 0.5);
  QVERIFY(!c.number(u"idle-timeout", 0.1, 10));
  QVERIFY(!c.integer(u"instance-expiry", 1, 1000));   // not an integer
  QCOMPARE(c.integer(u"max-header-count", 1, 10000).value(), 100);  // default
}

void tst_Config::optionTableMatchesHelpAndExample() {
  const QString help = rs::config::helpText(u"platform"_s);
  const QString example = rs::config::exampleConfig();
  QSet<QString> keys;
  for (const rs::config::OptionSpec &o : rs::config::optionSpecs()) {
    QVERIFY2(!keys.contains(o.key), qPrintable(u"duplicate option "_s + o.key));
    keys.insert(o.key);
    QVERIFY2(rs::config::findSpec(o.key) == &o, qPrintable(o.key));
    QVERIFY2(help.contains(u"--"_s + o.key), qPrintable(o.key));
    if (o.key != u"config"_s)
      QVERIFY2(example.contains(u"\n# %1 = %2\n"_s.arg(o.key, o.defaultValue)), qPrintable(o.key));
  }
  for (const rs::roles::RoleInfo &r : rs::roles::knownRoles()) {
    QVERIFY2(help.contains(r.name), qPrintable(r.name));
    QCOMPARE(keys.contains(r.name + u"-listen"_s), r.defaultPort != 0);
  }
  QVERIFY(rs::config::findSpec(u"no-such-option") == nullptr);
}

// ---- parseListen -------------------------------------------------------------------

void tst_Config::parseListen_data() {
  QTest::addColumn<QString>("text");
  QTest::addColumn<bool>("ok");
  QTest::addColumn<QString>("address");  // QHostAddress::toString()
  QTest::addColumn<int>("port");
  QTest::newRow("ipv4") << u"127.0.0.1:80"_s << true << u"127.0.0.1"_s << 80;
  QTest::newRow("any, port only") << u":8080"_s << true << u"0.0.0.0"_s << 8080;
  QTest::newRow("star") << u"*:8080"_s << true << u"0.0.0.0"_s << 8080;
  QTest::newRow("ipv6 bracketed") << u"[::1]:9"_s << true << u"::1"_s << 9;
  QTest::newRow("localhost") << u"localhost:8081"_s << true << u"127.0.0.1"_s << 8081;
  QTest::newRow("port 0") << u"127.0.0.1:0"_s << true << u"127.0.0.1"_s << 0;
  QTest::newRow("max port") << u"0.0.0.0:65535"_s << true << u"0.0.0.0"_s << 65535;
  QTest::newRow("port too big") << u"127.0.0.1:65536"_s << false << QString() << 0;
  QTest::newRow("port not a number") << u"127.0.0.1:http"_s << false << QString() << 0;
  QTest::newRow("negative port") << u"127.0.0.1:-1"_s << false << QString() << 0;
  QTest::newRow("empty port") << u"127.0.0.1:"_s << false << QString() << 0;
  QTest::newRow("no colon") << u"8080"_s << false << QString() << 0;
  QTest::newRow("host name") << u"example.com:80"_s << false << QString() << 0;
  QTest::newRow("bad ipv4") << u"300.1.1.1:80"_s << false << QString() << 0;
  QTest::newRow("empty") << QString() << false << QString() << 0;
}

void tst_Config::parseListen() {
  QFETCH(QString, text);
  QFETCH(bool, ok);
  QFETCH(QString, address);
  QFETCH(int, port);
  auto r = rs::config::parseListen(text);
  QCOMPARE(bool(r), ok);
  if (!ok) {
    QVERIFY2(!r.status().message().isEmpty(), "an error must say what is wrong");
    return;
  }
  QCOMPARE(r->address.toString(), address);
  QCOMPARE(int(r->port), port);
}

// ---- RoleRegistry::resolve ---------------------------------------------------------

void tst_Config::resolveAll() {
  const auto reg = registryWith(kAllInOrder);
  for (const QString &list : {u"all"_s, u"ALL"_s, u" all "_s, u"all,control"_s, u"player,all"_s}) {
    auto r = reg.resolve(list);
    QVERIFY2(r, qPrintable(list + u": "_s + r.status().message()));
    QCOMPARE(*r, kAllInOrder);
    QCOMPARE(r->first(), u"control"_s);
  }
  // Dependency order: every role comes after all it needs.
  auto r = reg.resolve(u"all"_s);
  for (const QString &name : *r) {
    for (const QString &need : rs::roles::findRole(name)->needs)
      QVERIFY2(r->indexOf(need) < r->indexOf(name), qPrintable(name + u" before "_s + need));
  }
}

void tst_Config::resolveOrder_data() {
  QTest::addColumn<QString>("list");
  QTest::addColumn<QStringList>("expected");
  QTest::newRow("edge,origin") << u"edge,origin"_s << QStringList{u"origin"_s, u"edge"_s};
  QTest::newRow("edge,origin,control") << u"edge,origin,control"_s << QStringList{u"control"_s, u"origin"_s, u"edge"_s};
  QTest::newRow("spaces and case") << u" Edge , origin "_s << QStringList{u"origin"_s, u"edge"_s};
  QTest::newRow("duplicates") << u"api,api,control"_s << QStringList{u"control"_s, u"api"_s};
  QTest::newRow("ingest with api") << u"ingest,api"_s << QStringList{u"api"_s, u"ingest"_s};
  QTest::newRow("player,encode") << u"player,encode"_s << QStringList{u"encode"_s, u"player"_s};
  QTest::newRow("empty parts") << u"control,,"_s << QStringList{u"control"_s};
}

void tst_Config::resolveOrder() {
  QFETCH(QString, list);
  QFETCH(QStringList, expected);
  auto r = registryWith(kAllInOrder).resolve(list);
  QVERIFY2(r, qPrintable(r.status().message()));
  QCOMPARE(*r, expected);
}

void tst_Config::resolveErrors_data() {
  QTest::addColumn<QString>("list");
  QTest::addColumn<QStringList>("mentions");
  QTest::newRow("unknown role") << u"bogus"_s << QStringList{u"bogus"_s};
  QTest::newRow("unknown among known") << u"control,edgy"_s << QStringList{u"edgy"_s};
  QTest::newRow("ingest without api") << u"ingest"_s << QStringList{u"ingest"_s, u"api"_s};
  QTest::newRow("ingest with control only") << u"control,ingest"_s << QStringList{u"ingest"_s, u"api"_s};
  QTest::newRow("empty") << QString() << QStringList{u"--role"_s};
  QTest::newRow("only commas") << u",,"_s << QStringList{u"--role"_s};
}

void tst_Config::resolveErrors() {
  QFETCH(QString, list);
  QFETCH(QStringList, mentions);
  auto r = registryWith(kAllInOrder).resolve(list);
  QVERIFY2(!r, qPrintable(list + u" resolved to "_s + (r ? r->join(u',') : QString())));
  for (const QString &m : mentions)
    QVERIFY2(r.status().message().contains(m), qPrintable(u"'%1' lacks '%2'"_s.arg(r.status().message(), m)));
}

void tst_Config::resolveUnbuiltRole() {
  QStringList built = kAllInOrder;
  built.removeAll(u"edge"_s);
  const auto reg = registryWith(built);
  QVERIFY(!reg.isBuilt(u"edge"_s));
  QVERIFY(reg.isBuilt(u"origin"_s));
  QVERIFY(reg.create(u"edge"_s) == nullptr);
  for (const QString &list : {u"edge"_s, u"origin,edge"_s, u"all"_s}) {
    auto r = reg.resolve(list);
    QVERIFY2(!r, qPrintable(list));
    QVERIFY2(r.status().message().contains(u"not built"_s) && r.status().message().contains(u"edge"_s),
             qPrintable(r.status().message()));
  }
  QVERIFY(reg.resolve(u"origin"_s));
}

QTEST_GUILESS_MAIN(tst_Config)
#include "tst_config.moc"
