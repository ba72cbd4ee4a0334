#include "core/config/config.h"

#include "core/roles/roles.h"

#include <QFile>
#include <QTextStream>

namespace rs::config {

namespace {
std::vector<OptionSpec> buildSpecs() {
  const QString g = QStringLiteral("general"), h = QStringLiteral("http"), c = QStringLiteral("cluster"),
                l = QStringLiteral("logging"), m = QStringLiteral("media pipeline"),
                d = QStringLiteral("delivery"), a = QStringLiteral("security"), p = QStringLiteral("protection");
  std::vector<OptionSpec> s = {
      {QStringLiteral("role"), QStringLiteral("R[,R...]"), QStringLiteral("all"),
       QStringLiteral("Roles this process runs: all, or a comma list of %1.").arg(roles::roleNames().join(QStringLiteral(", "))), g},
      {QStringLiteral("config"), QStringLiteral("FILE"), QString(), QStringLiteral("Read settings from FILE (key = value lines, # comments)."), g},
      {QStringLiteral("data-dir"), QStringLiteral("DIR"), QStringLiteral("~/.local/share/reelstack"),
       QStringLiteral("Where state lives: SQLite databases, media, caches, logs."), g},
      {QStringLiteral("headless"), QString(), QStringLiteral("false"),
       QStringLiteral("Serve the UI over HTTP only, no window (automatic without a display)."), g},
      {QStringLiteral("workers"), QStringLiteral("N"), QStringLiteral("0"),
       QStringLiteral("HTTP worker threads per listener; 0 = one per core."), h},
      {QStringLiteral("max-connections"), QStringLiteral("N"), QStringLiteral("4096"),
       QStringLiteral("Open connections per listener; beyond it new ones get 503."), h},
      {QStringLiteral("max-request-line"), QStringLiteral("BYTES"), QStringLiteral("8192"),
       QStringLiteral("Longest request line; longer → 414."), h},
      {QStringLiteral("max-header-bytes"), QStringLiteral("BYTES"), QStringLiteral("32768"),
       QStringLiteral("All header lines of a request together; more → 431."), h},
      {QStringLiteral("max-header-count"), QStringLiteral("N"), QStringLiteral("100"),
       QStringLiteral("Header fields in a request; more → 431."), h},
      {QStringLiteral("max-body"), QStringLiteral("BYTES"), QStringLiteral("1048576"),
       QStringLiteral("Default request body limit for routes that set none; more → 413."), h},
      {QStringLiteral("header-timeout"), QStringLiteral("SECONDS"), QStringLiteral("60"),
       QStringLiteral("A request head must arrive completely within this (slowloris guard)."), h},
      {QStringLiteral("body-timeout"), QStringLiteral("SECONDS"), QStringLiteral("60"),
       QStringLiteral("Longest pause between two reads of a request body."), h},
      {QStringLiteral("idle-timeout"), QStringLiteral("SECONDS"), QStringLiteral("75"),
       QStringLiteral("Keep-alive connections with no request are closed after this."), h},
      {QStringLiteral("send-timeout"), QStringLiteral("SECONDS"), QStringLiteral("60"),
       QStringLiteral("Longest pause between two writes of a response."), h},
      {QStringLiteral("shutdown-timeout"), QStringLiteral("SECONDS"), QStringLiteral("4"),
       QStringLiteral("On SIGINT/SIGTERM, in-flight requests get this long to finish."), h},
      {QStringLiteral("tls"), QStringLiteral("off|auto|on"), QStringLiteral("auto"),
       QStringLiteral("HTTPS on the listeners: auto uses --tls-cert/--tls-key, else <data-dir>/tls/server.pem from "
                      "`platform tls init`, else plain HTTP; on requires a certificate; off is plain HTTP."), h},
      {QStringLiteral("tls-cert"), QStringLiteral("FILE"), QString(),
       QStringLiteral("PEM certificate chain; with --tls-key every listener speaks HTTPS (reloaded on SIGHUP or when the file changes)."), h},
      {QStringLiteral("tls-key"), QStringLiteral("FILE"), QString(), QStringLiteral("PEM private key for --tls-cert."), h},
      {QStringLiteral("tls-ca"), QStringLiteral("FILE"), QStringLiteral("<data-dir>/tls/ca.pem"),
       QStringLiteral("Clients (the roles' calls to each other, ingest, play, simulate, the load generator) trust the system store "
                      "plus this CA file (the default only when it exists)."), h},
      {QStringLiteral("control"), QStringLiteral("URL"), QString(),
       QStringLiteral("The control role to register with (default: the local one, else http://127.0.0.1:8083)."), c},
      {QStringLiteral("public-host"), QStringLiteral("HOST"), QStringLiteral("127.0.0.1"),
       QStringLiteral("Host name other machines use to reach this one; goes into registered URLs."), c},
      {QStringLiteral("heartbeat-interval"), QStringLiteral("SECONDS"), QStringLiteral("2"),
       QStringLiteral("How often each role instance heartbeats to control."), c},
      {QStringLiteral("instance-expiry"), QStringLiteral("N"), QStringLiteral("3"),
       QStringLiteral("An instance is dropped by control after N of its heartbeats are missed (sent with each heartbeat)."), c},
      {QStringLiteral("cluster-key-file"), QStringLiteral("FILE"), QStringLiteral("<data-dir>/secrets/cluster.key"),
       QStringLiteral("The cluster key ring every role of the stack shares (control creates it on first start; copy it, mode 0600, to other machines)."), a},
      {QStringLiteral("metrics-auth"), QStringLiteral("MODE"), QStringLiteral("none"),
       QStringLiteral("/metrics: none (open: aggregate counters only) or service (a service credential is required)."), a},
      {QStringLiteral("media-auth"), QStringLiteral("on|off"), QStringLiteral("on"),
       QStringLiteral("Edge and origin: /media needs a playback token unless the title is public; off serves everything to everyone."), a},
      {QStringLiteral("playback-token-ttl"), QStringLiteral("SECONDS"), QStringLiteral("300"),
       QStringLiteral("Api: playback tokens expire after this; players renew them while playing (the logout bound)."), a},
      {QStringLiteral("session-idle"), QStringLiteral("SECONDS"), QStringLiteral("43200"),
       QStringLiteral("Api: a login session unused this long expires."), a},
      {QStringLiteral("session-max"), QStringLiteral("SECONDS"), QStringLiteral("604800"),
       QStringLiteral("Api: a login session expires this long after login, used or not."), a},
      {QStringLiteral("password-min-length"), QStringLiteral("N"), QStringLiteral("10"),
       QStringLiteral("Shortest password accepted for an account."), a},
      {QStringLiteral("scrypt-n"), QStringLiteral("N"), QStringLiteral("32768"),
       QStringLiteral("Password hashing: scrypt cost N (a power of two; memory is 128 x N x r bytes)."), a},
      {QStringLiteral("scrypt-r"), QStringLiteral("N"), QStringLiteral("8"), QStringLiteral("Password hashing: scrypt block size r."), a},
      {QStringLiteral("scrypt-p"), QStringLiteral("N"), QStringLiteral("1"), QStringLiteral("Password hashing: scrypt parallelism p."), a},
      {QStringLiteral("login-backoff-max"), QStringLiteral("SECONDS"), QStringLiteral("900"),
       QStringLiteral("Failed logins back off per client address up to this (per account at most 60 s), then reset after success."), a},
      {QStringLiteral("upload-max-size"), QStringLiteral("BYTES"), QStringLiteral("10737418240"),
       QStringLiteral("Largest source a tus upload may declare (ingest); larger → 413."), m},
      {QStringLiteral("watch-folder"), QStringLiteral("DIR"), QString(),
       QStringLiteral("Ingest every media file that appears in DIR (moved to DIR/.done or DIR/.failed); empty: off."), m},
      {QStringLiteral("job-max-attempts"), QStringLiteral("N"), QStringLiteral("3"),
       QStringLiteral("An encode job claimed this many times without finishing fails its title (control)."), m},
      {QStringLiteral("job-lease"), QStringLiteral("SECONDS"), QStringLiteral("30"),
       QStringLiteral("An encode worker's claim on a job lasts this long without a progress report."), m},
      {QStringLiteral("encode-ladder"), QStringLiteral("RUNGS"), QStringLiteral("240p:235,360p:750,480p:1750,720p:3000,1080p:4500,2160p:16000"),
       QStringLiteral("The bitrate ladder as name:kbps; rungs taller than the source are dropped."), m},
      {QStringLiteral("encode-codec"), QStringLiteral("CODEC"), QStringLiteral("h264"),
       QStringLiteral("h264 (libx264), hevc (libx265), vp9 (libvpx-vp9) or av1 (libsvtav1)."), m},
      {QStringLiteral("encode-rate-control"), QStringLiteral("MODE"), QStringLiteral("capped-crf"),
       QStringLiteral("capped-crf (CRF with the rung bitrate as VBV cap) or vbv (bitrate with VBV)."), m},
      {QStringLiteral("encode-crf"), QStringLiteral("N"), QStringLiteral("23"), QStringLiteral("CRF for capped-crf."), m},
      {QStringLiteral("encode-preset"), QStringLiteral("NAME"), QStringLiteral("veryfast"),
       QStringLiteral("Encoder speed preset (x264/x265 names; mapped for vp9 and av1)."), m},
      {QStringLiteral("segment-seconds"), QStringLiteral("SECONDS"), QStringLiteral("4"),
       QStringLiteral("Segment (and GOP) duration; keyframes land exactly on segment boundaries."), m},
      {QStringLiteral("audio-bitrate"), QStringLiteral("KBPS"), QStringLiteral("128"), QStringLiteral("AAC-LC stereo bitrate."), m},
      {QStringLiteral("publish-max-file"), QStringLiteral("BYTES"), QStringLiteral("268435456"),
       QStringLiteral("Largest single file an encoder may publish to origin."), m},
      {QStringLiteral("protection"), QStringLiteral("off|on"), QStringLiteral("off"),
       QStringLiteral("Encode: package new titles with Common Encryption (DASH ClearKey, HLS AES-128) unless their job says otherwise."), p},
      {QStringLiteral("protection-scheme"), QStringLiteral("cenc|cbcs"), QStringLiteral("cenc"),
       QStringLiteral("Encode: cenc (AES-128-CTR) or cbcs (AES-128-CBC, 1:9 pattern) for protected titles; H.264 and HEVC only."), p},
      {QStringLiteral("protection-dev-key-file"), QStringLiteral("FILE"), QString(),
       QStringLiteral("Encode: secret the DEVELOPMENT key source derives content keys from (not a license server; "
                      "created mode 0600 when missing; default <data-dir>/encode/dev-key-secret)."), p},
      {QStringLiteral("protection-license-url"), QStringLiteral("URL"), QString(),
       QStringLiteral("Encode: ClearKey license URL written into MPDs ({title} = title id; default http(s)://<public-host>:8084/license/v1/clearkey)."), p},
      {QStringLiteral("protection-hls-key-url"), QStringLiteral("URL"), QString(),
       QStringLiteral("Encode: HLS key URL written into playlists, {kid} = key id ({title} too; default "
                      "http(s)://<public-host>:8084/license/v1/hls/{title}/{kid})."), p},
      {QStringLiteral("upstream"), QStringLiteral("URL[,URL...]"), QString(),
       QStringLiteral("Edge: upstreams tried in order (an origin or a parent edge); empty: the local origin, else the live origins control knows."), d},
      {QStringLiteral("edge-region"), QStringLiteral("NAME"), QStringLiteral("default"),
       QStringLiteral("Edge: the region it serves; steering sends a region's viewers to its edges first."), d},
      {QStringLiteral("edge-coordinates"), QStringLiteral("LAT,LON"), QString(), QStringLiteral("Edge: where it stands (reported to control)."), d},
      {QStringLiteral("edge-capacity"), QStringLiteral("MBITS"), QStringLiteral("1000"),
       QStringLiteral("Edge: serving capacity in Mbit/s; the steering weight and the overload reference."), d},
      {QStringLiteral("edge-memory-max"), QStringLiteral("BYTES"), QStringLiteral("268435456"), QStringLiteral("Edge: size of the memory tier."), d},
      {QStringLiteral("edge-memory-object-max"), QStringLiteral("BYTES"), QStringLiteral("16777216"),
       QStringLiteral("Edge: larger objects skip the memory tier."), d},
      {QStringLiteral("edge-disk-max"), QStringLiteral("BYTES"), QStringLiteral("10737418240"),
       QStringLiteral("Edge: size of the disk tier (<data-dir>/edge/cache); 0 = memory only."), d},
      {QStringLiteral("edge-policy"), QStringLiteral("NAME"), QStringLiteral("s3fifo"),
       QStringLiteral("Edge: eviction policy of both tiers: lru, sieve or s3fifo."), d},
      {QStringLiteral("edge-admission"), QStringLiteral("NAME"), QStringLiteral("second-hit"),
       QStringLiteral("Edge: disk admission: always, or second-hit (one-hit wonders stay out)."), d},
      {QStringLiteral("edge-connect-timeout"), QStringLiteral("SECONDS"), QStringLiteral("2"), QStringLiteral("Edge: connecting to an upstream."), d},
      {QStringLiteral("edge-first-byte-timeout"), QStringLiteral("SECONDS"), QStringLiteral("10"),
       QStringLiteral("Edge: from request sent to the upstream's response head."), d},
      {QStringLiteral("edge-between-bytes-timeout"), QStringLiteral("SECONDS"), QStringLiteral("10"),
       QStringLiteral("Edge: longest pause inside an upstream body."), d},
      {QStringLiteral("edge-health-interval"), QStringLiteral("SECONDS"), QStringLiteral("2"),
       QStringLiteral("Edge: how often each upstream's /healthz is checked."), d},
      {QStringLiteral("edge-negative-ttl"), QStringLiteral("SECONDS"), QStringLiteral("5"), QStringLiteral("Edge: how long a 404 is remembered."), d},
      {QStringLiteral("edge-prefetch-rate"), QStringLiteral("BYTES/S"), QStringLiteral("20000000"),
       QStringLiteral("Edge: bandwidth prefetch may use, so viewers are not starved."), d},
      {QStringLiteral("steer-regions"), QStringLiteral("CIDR=REGION[,...]"), QString(),
       QStringLiteral("Control: client address prefix to region map (longest prefix wins; else region default)."), d},
      {QStringLiteral("steer-overload"), QStringLiteral("FRACTION"), QStringLiteral("0.9"),
       QStringLiteral("Control: an edge serving more than this share of its capacity spills behind the others."), d},
      {QStringLiteral("fill-interval"), QStringLiteral("SECONDS"), QStringLiteral("300"),
       QStringLiteral("Control: time between scheduled fills (popular titles pushed to edges); 0 = on demand only."), d},
      {QStringLiteral("fill-top-n"), QStringLiteral("N"), QStringLiteral("10"), QStringLiteral("Control: titles per region a fill pre-positions, pins on top."), d},
      {QStringLiteral("log-level"), QStringLiteral("LEVEL"), QStringLiteral("info"),
       QStringLiteral("debug, info, warning or error."), l},
      {QStringLiteral("log-format"), QStringLiteral("FORMAT"), QStringLiteral("human"),
       QStringLiteral("human or json (one JSON object per line)."), l},
      {QStringLiteral("access-log"), QStringLiteral("FILE"), QStringLiteral("<data-dir>/logs/access.log"),
       QStringLiteral("Access log as JSON lines; - for stderr, empty to disable."), l},
  };
  // The player role's load generator (modules/player/playerrole.cpp).
  const QString pl = QStringLiteral("player (load generator)");
  s.insert(s.end(), {
      {QStringLiteral("player-target"), QStringLiteral("URL"), QString(),
       QStringLiteral("Player: run the viewer journey as load against this api (empty: no load run); the process exits when the run ends."), pl},
      {QStringLiteral("player-sessions"), QStringLiteral("N"), QStringLiteral("10"), QStringLiteral("Player: concurrent simulated viewers."), pl},
      {QStringLiteral("player-duration"), QStringLiteral("SECONDS"), QStringLiteral("60"), QStringLiteral("Player: length of the load run."), pl},
      {QStringLiteral("player-ramp"), QStringLiteral("SECONDS"), QStringLiteral("0"),
       QStringLiteral("Player: viewers join evenly over this long."), pl},
      {QStringLiteral("player-watch"), QStringLiteral("SECONDS"), QStringLiteral("60"),
       QStringLiteral("Player: mean watch time of a journey (exponential, at most the title)."), pl},
      {QStringLiteral("player-abr"), QStringLiteral("NAME"), QStringLiteral("mpc"),
       QStringLiteral("Player: ABR algorithm: throughput, bba, bola, dynamic or mpc."), pl},
      {QStringLiteral("player-zipf"), QStringLiteral("EXPONENT"), QStringLiteral("1"),
       QStringLiteral("Player: popularity skew of title choice (Zipf exponent over the catalogue order)."), pl},
      {QStringLiteral("player-seed"), QStringLiteral("N"), QStringLiteral("1"), QStringLiteral("Player: seed of the viewers' random choices."), pl},
      {QStringLiteral("player-token"), QStringLiteral("TOKEN"), QString(),
       QStringLiteral("Player: API token every request carries (Authorization: Bearer)."), pl},
      {QStringLiteral("player-user"), QStringLiteral("NAME"), QString(),
       QStringLiteral("Player: viewers log in as this account (POST /api/v1/session, the rs_session cookie) instead of --player-token."), pl},
      {QStringLiteral("player-password-file"), QStringLiteral("FILE"), QString(), QStringLiteral("Player: the password for --player-user (the file's first line)."), pl},
      {QStringLiteral("player-login"), QStringLiteral("viewer|journey"), QStringLiteral("viewer"),
       QStringLiteral("Player, with --player-user: log in once per viewer (out when the run ends), or in and out in every journey."), pl},
      {QStringLiteral("player-fail-if"), QStringLiteral("CONDITIONS"), QString(),
       QStringLiteral("Player: exit 99 when any holds, e.g. 'p95_start_ms>2000,error_rate>0.01'."), pl},
  });
  for (const roles::RoleInfo &r : roles::knownRoles()) {
    if (r.defaultPort == 0) continue;
    s.push_back({r.name + QStringLiteral("-listen"), QStringLiteral("HOST:PORT"),
                 QStringLiteral("0.0.0.0:%1").arg(r.defaultPort),
                 QStringLiteral("Listener of the %1 role.").arg(r.name), QStringLiteral("listeners")});
    s.push_back({r.name + QStringLiteral("-tls-cert"), QStringLiteral("FILE"), QString(),
                 QStringLiteral("PEM certificate chain of the %1 listener only (wins over --tls-cert).").arg(r.name),
                 QStringLiteral("listeners")});
    s.push_back({r.name + QStringLiteral("-tls-key"), QStringLiteral("FILE"), QString(),
                 QStringLiteral("PEM private key for --%1-tls-cert.").arg(r.name), QStringLiteral("listeners")});
  }
  return s;
}

bool isTrue(const QString &v) {
  const QString t = v.trimmed().toLower();
  return t == QLatin1String("true") || t == QLatin1String("1") || t == QLatin1String("yes") || t == QLatin1String("on");
}
}  // namespace

const std::vector<OptionSpec> &optionSpecs() {
  static const std::vector<OptionSpec> specs = buildSpecs();
  return specs;
}

const OptionSpec *findSpec(QStringView key) {
  for (const OptionSpec &s : optionSpecs()) {
    if (s.key == key) return &s;
  }
  return nullptr;
}

Result<Config> Config::fromArguments(const QStringList &args) {
  Config c;
  for (qsizetype i = 0; i < args.size(); ++i) {
    const QString &a = args[i];
    if (a == QLatin1String("--help") || a == QLatin1String("-h")) { c.help_ = true; continue; }
    if (a == QLatin1String("--version") || a == QLatin1String("-V")) { c.version_ = true; continue; }
    if (a == QLatin1String("--print-config")) { c.printConfig_ = true; continue; }
    if (a == QLatin1String("--")) { c.positional_ += args.mid(i + 1); break; }
    if (!a.startsWith(QLatin1String("--"))) { c.positional_ << a; continue; }
    QString key = a.mid(2), value;
    const auto eq = key.indexOf(QLatin1Char('='));
    const bool inlineValue = eq >= 0;
    if (inlineValue) {
      value = key.mid(eq + 1);
      key.truncate(eq);
    }
    const OptionSpec *spec = findSpec(key);
    if (!spec) {
      // Subcommands (like "ingest") have flags of their own; keep them for the command.
      c.positional_ << a;
      continue;
    }
    if (spec->valueName.isEmpty()) {
      c.flags_[key] = inlineValue ? value : QStringLiteral("true");
      continue;
    }
    if (!inlineValue) {
      if (i + 1 >= args.size())
        return Status(ErrorCode::BadRequest, QStringLiteral("--%1 needs a value (%2)").arg(key, spec->valueName));
      value = args[++i];
    }
    c.flags_[key] = value;
  }
  return c;
}

Status Config::loadFile(const QString &path) {
  QFile f(path);
  if (!f.open(QIODevice::ReadOnly | QIODevice::Text))
    return Status(ErrorCode::NotFound, QStringLiteral("cannot read config file %1: %2").arg(path, f.errorString()));
  QTextStream in(&f);
  int lineNo = 0;
  while (!in.atEnd()) {
    ++lineNo;
    const QString line = in.readLine().trimmed();
    if (line.isEmpty() || line.startsWith(QLatin1Char('#'))) continue;
    const auto eq = line.indexOf(QLatin1Char('='));
    if (eq <= 0)
      return Status(ErrorCode::BadRequest, QStringLiteral("%1:%2: expected 'key = value'").arg(path).arg(lineNo));
    const QString key = line.left(eq).trimmed(), value = line.mid(eq + 1).trimmed();
    if (!findSpec(key) || key == QLatin1String("config"))
      return Status(ErrorCode::BadRequest, QStringLiteral("%1:%2: unknown setting '%3' (see platform --help)").arg(path).arg(lineNo).arg(key));
    file_[key] = value;
  }
  return Status::ok();
}

QString Config::value(QStringView key) const {
  const QString k = key.toString();
  if (auto it = flags_.constFind(k); it != flags_.cend()) return *it;
  if (auto it = file_.constFind(k); it != file_.cend()) return *it;
  const OptionSpec *s = findSpec(key);
  return s ? s->defaultValue : QString();
}

bool Config::isSet(QStringView key) const {
  const QString k = key.toString();
  return flags_.contains(k) || file_.contains(k);
}

bool Config::flag(QStringView key) const { return isTrue(value(key)); }

Result<int> Config::integer(QStringView key, int min, int max) const {
  bool ok = false;
  const int v = value(key).toInt(&ok);
  if (!ok || v < min || v > max)
    return Status(ErrorCode::BadRequest,
                  QStringLiteral("--%1 must be an integer from %2 to %3, got '%4'").arg(key.toString()).arg(min).arg(max).arg(value(key)));
  return v;
}

Result<double> Config::number(QStringView key, double min, double max) const {
  bool ok = false;
  const double v = value(key).toDouble(&ok);
  if (!ok || v < min || v > max)
    return Status(ErrorCode::BadRequest,
                  QStringLiteral("--%1 must be a number from %2 to %3, got '%4'").arg(key.toString()).arg(min).arg(max).arg(value(key)));
  return v;
}

Result<ListenAddress> parseListen(QStringView text) {
  const auto colon = text.lastIndexOf(QLatin1Char(':'));
  if (colon < 0) return Status(ErrorCode::BadRequest, QStringLiteral("listen address '%1' is not HOST:PORT").arg(text.toString()));
  QString host = text.left(colon).toString();
  bool ok = false;
  const uint port = text.mid(colon + 1).toUInt(&ok);
  if (!ok || port > 65535) return Status(ErrorCode::BadRequest, QStringLiteral("bad port in '%1'").arg(text.toString()));
  if (host.startsWith(QLatin1Char('[')) && host.endsWith(QLatin1Char(']'))) host = host.mid(1, host.size() - 2);
  ListenAddress la;
  la.port = quint16(port);
  if (host.isEmpty() || host == QLatin1String("*")) la.address = QHostAddress::AnyIPv4;
  else if (host == QLatin1String("localhost")) la.address = QHostAddress::LocalHost;
  else if (!la.address.setAddress(host))
    return Status(ErrorCode::BadRequest, QStringLiteral("'%1' is not an IP address").arg(host));
  return la;
}

QString helpText(const QString &program) {
  QString out;
  QTextStream s(&out);
  s << "ReelStack " << REELSTACK_VERSION << " - a streaming platform in one application.\n\n"
    << "Usage:\n"
    << "  " << program << " [--role=R[,R...]] [--config FILE] [--data-dir DIR] [--headless] [options]\n"
    << "  " << program << " ingest FILE [--title NAME] [--api URL] [--token T] [--wait]\n"
    << "  " << program << " user add|passwd|list|remove ...   (accounts, offline; platform user --help)\n"
    << "  " << program << " token create|list|revoke ...      (API tokens, offline)\n"
    << "  " << program << " cluster-key list|rotate|add|promote|drop ...  (the cluster key ring)\n"
    << "  " << program << " service-token [--ttl S]           (a service credential for scripts)\n"
    << "  " << program << " simulate --title ID|--manifest URL --trace FILE --abr NAME|all [--report FILE]\n"
    << "  " << program << " play URL|--title ID [--abr NAME] [--seconds N] [--report FILE]\n"
    << "  " << program << " tls init [--data-dir DIR] [--hosts NAME,...]  (a local CA and a server certificate)\n"
    << "  " << program << " --help | --version | --print-config\n\n"
    << "Roles (--role=all runs every one in this process, on the same ports a split deployment uses):\n";
  for (const roles::RoleInfo &r : roles::knownRoles()) {
    const QString port = r.defaultPort ? QString::number(r.defaultPort)
                                       : (r.mountsOn.isEmpty() ? QStringLiteral("-") : QStringLiteral("via %1").arg(r.mountsOn));
    s << "  " << r.name.leftJustified(9) << port.leftJustified(9) << r.summary << "\n";
  }
  QString section;
  for (const OptionSpec &o : optionSpecs()) {
    if (o.section != section) {
      section = o.section;
      s << "\nOptions (" << section << "):\n";
    }
    QString flag = QStringLiteral("--") + o.key;
    if (!o.valueName.isEmpty()) flag += QLatin1Char('=') + o.valueName;
    s << "  " << flag.leftJustified(30) << " " << o.help;
    if (!o.defaultValue.isEmpty() && !o.valueName.isEmpty()) s << " [" << o.defaultValue << "]";
    s << "\n";
  }
  s << "  " << QStringLiteral("--print-config").leftJustified(30) << " Print a commented config file with every default.\n"
    << "  " << QStringLiteral("--help, --version").leftJustified(30) << " This text; the version.\n"
    << "\nEvery option can also be set in the config file as 'key = value' (flags win).\n"
    << "Each listener serves /healthz, /readyz and /metrics (Prometheus text format).\n";
  return out;
}

QString exampleConfig() {
  QString out;
  QTextStream s(&out);
  s << "# ReelStack configuration. Every line is 'key = value'; flags of the same name win.\n"
    << "# Generated by `platform --print-config`; all values shown are the defaults.\n";
  QString section;
  for (const OptionSpec &o : optionSpecs()) {
    if (o.key == QLatin1String("config")) continue;
    if (o.section != section) {
      section = o.section;
      s << "\n# --- " << section << " ---\n";
    }
    s << "# " << o.help << "\n# " << o.key << " = " << o.defaultValue << "\n";
  }
  return out;
}

}  // namespace rs::config
