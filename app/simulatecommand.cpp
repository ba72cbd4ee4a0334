#include "simulatecommand.h"

#include "clientcredentials.h"
#include "clienttls.h"
#include "playercli.h"
#include "player/net/urlrewriter.h"
#include "player/abr/abr.h"
#include "player/sim/simulation.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonArray>
#include <cmath>
#include <cstdio>
#include <ctime>

namespace rs::app {

namespace {

constexpr int kExitUsage = 2;
constexpr int kExitInput = 1;

void printErr(const QString &s) { std::fprintf(stderr, "platform simulate: %s\n", qPrintable(s)); }

// CPU time of this process: on a shared machine, sessions per CPU second is the
// speed of one core, whatever the neighbours do.
double cpuSeconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return double(t.tv_sec) + double(t.tv_nsec) / 1e9;
}

void listTraces() {
  for (const player::BundledTrace &b : player::bundledTraces()) {
    auto t = player::Trace::load(b.name);
    std::printf("%-12s %-9s %6.0f s  mean %.2f Mbit/s  %s\n", qPrintable(b.name), qPrintable(b.set), t ? t->periodS() : 0.0,
                t ? t->meanMbps() : 0.0, qPrintable(b.source));
  }
}

}  // namespace

int runSimulateCommand(int argc, char **argv, const QStringList &args) {
  QCoreApplication app(argc, argv);
  QCoreApplication::setApplicationName(QStringLiteral("platform"));

  QCommandLineParser parser;
  parser.setApplicationDescription(QStringLiteral(
      "Plays a title through the ABR engine against a bandwidth trace in virtual time (no sleeping; deterministic:\n"
      "the same inputs give a byte-identical report) and prints a summary; --report writes the JSON report\n"
      "(docs/player.md). Segment sizes are the title's real ones: a local manifest's files, or HTTP HEAD of every\n"
      "segment. Exit status: 0 done, 1 a title, trace or network problem, 2 bad usage."));
  const QCommandLineOption help({QStringLiteral("h"), QStringLiteral("help")}, QStringLiteral("Show this help."));
  const QCommandLineOption title(QStringLiteral("title"), QStringLiteral("A title of the stack at --api."), QStringLiteral("ID"));
  const QCommandLineOption api(QStringLiteral("api"), QStringLiteral("The api listener, for --title."), QStringLiteral("URL"),
                               QStringLiteral("http://127.0.0.1:8080"));
  const QCommandLineOption manifest(QStringLiteral("manifest"), QStringLiteral("A DASH or HLS manifest: an http(s) URL or a local file."),
                                    QStringLiteral("URL|FILE"));
  const QCommandLineOption trace(QStringLiteral("trace"), QStringLiteral("A trace file (seconds<TAB>Mbit/s lines) or a bundled trace's name."),
                                 QStringLiteral("FILE|NAME"));
  const QCommandLineOption abr(QStringLiteral("abr"),
                               QStringLiteral("%1, or all [%2].").arg(player::abrNames().join(QStringLiteral(", ")), player::defaultAbr()),
                               QStringLiteral("NAME"), player::defaultAbr());
  const QCommandLineOption rtt(QStringLiteral("rtt-ms"), QStringLiteral("Round trip added to every request [80]."), QStringLiteral("MS"),
                               QStringLiteral("80"));
  const QCommandLineOption cap(QStringLiteral("buffer-cap"), QStringLiteral("Buffer cap in seconds [30]."), QStringLiteral("S"),
                               QStringLiteral("30"));
  const QCommandLineOption seconds(QStringLiteral("seconds"), QStringLiteral("Play only this many seconds of the title."),
                                   QStringLiteral("N"));
  const QCommandLineOption report(QStringLiteral("report"), QStringLiteral("Write the JSON report here (- for stdout)."),
                                  QStringLiteral("FILE"));
  const QCommandLineOption dataDir(QStringLiteral("data-dir"),
                                   QStringLiteral("The stack's data directory on this machine, for its local token (with --title)."),
                                   QStringLiteral("DIR"), QStringLiteral("~/.local/share/reelstack"));
  const QCommandLineOption token(QStringLiteral("token"),
                                 QStringLiteral("With --title: an API token for the api (default $REELSTACK_TOKEN, else the local token of "
                                                "--data-dir). With --manifest URL without a playback token: a service token for it."),
                                 QStringLiteral("T"));
  const QCommandLineOption noAbandon(QStringLiteral("no-abandon"), QStringLiteral("Never abandon a slow download."));
  const QCommandLineOption repeat(QStringLiteral("repeat"),
                                  QStringLiteral("Run each simulation N times and print simulated sessions per second (a benchmark)."),
                                  QStringLiteral("N"), QStringLiteral("1"));
  const QCommandLineOption list(QStringLiteral("list-traces"), QStringLiteral("List the bundled traces and exit."));
  const QCommandLineOption tlsCa = tlsCaOption();
  parser.addOptions({help, title, api, manifest, trace, abr, rtt, cap, seconds, report, token, dataDir, noAbandon, repeat, list, tlsCa});
  if (!parser.parse(QStringList{QStringLiteral("platform")} + args)) {
    printErr(parser.errorText() + QStringLiteral(" (see platform simulate --help)"));
    return kExitUsage;
  }
  if (parser.isSet(help)) {
    QString text = parser.helpText();
    std::fputs(qPrintable(QStringLiteral("Usage: platform simulate --title ID|--manifest URL --trace FILE --abr NAME|all [options]\n") +
                          text.mid(text.indexOf(QLatin1Char('\n')) + 1)),
               stdout);
    return 0;
  }
  if (parser.isSet(list)) {
    listTraces();
    return 0;
  }
  if (!applyClientTls(parser.value(tlsCa))) return kExitUsage;
  if (!parser.positionalArguments().isEmpty()) {
    printErr(QStringLiteral("unexpected argument '%1'").arg(parser.positionalArguments().first()));
    return kExitUsage;
  }
  if (parser.isSet(title) == parser.isSet(manifest)) {
    printErr(QStringLiteral("give exactly one of --title and --manifest"));
    return kExitUsage;
  }
  if (!parser.isSet(trace)) {
    printErr(QStringLiteral("--trace is required (a file, or one of platform simulate --list-traces)"));
    return kExitUsage;
  }
  QStringList algorithms;
  if (parser.value(abr) == QLatin1String("all")) algorithms = player::abrNames();
  else if (player::abrNames().contains(parser.value(abr))) algorithms << parser.value(abr);
  else {
    printErr(QStringLiteral("--abr must be one of %1 or all, got '%2'").arg(player::abrNames().join(QStringLiteral(", ")), parser.value(abr)));
    return kExitUsage;
  }
  bool ok = false;
  player::SimulationOptions options;
  const double rttMs = parser.value(rtt).toDouble(&ok);
  if (!ok || rttMs < 0 || rttMs > 10000) {
    printErr(QStringLiteral("--rtt-ms must be a number from 0 to 10000"));
    return kExitUsage;
  }
  options.rttS = rttMs / 1000;
  options.bufferCapS = parser.value(cap).toDouble(&ok);
  if (!ok || options.bufferCapS < 1 || options.bufferCapS > 3600) {
    printErr(QStringLiteral("--buffer-cap must be a number of seconds from 1 to 3600"));
    return kExitUsage;
  }
  if (parser.isSet(seconds)) {
    options.watchS = parser.value(seconds).toDouble(&ok);
    if (!ok || options.watchS <= 0) {
      printErr(QStringLiteral("--seconds must be a positive number"));
      return kExitUsage;
    }
  }
  options.abandonment = !parser.isSet(noAbandon);
  const int repeats = parser.value(repeat).toInt(&ok);
  if (!ok || repeats < 1 || repeats > 10'000'000) {
    printErr(QStringLiteral("--repeat must be a positive integer"));
    return kExitUsage;
  }

  auto loadedTrace = player::Trace::load(parser.value(trace));
  if (!loadedTrace) {
    printErr(loadedTrace.status().message());
    return kExitInput;
  }
  QString manifestName = parser.value(manifest);
  if (parser.isSet(title)) {
    auto apiUrl = httpUrlOption(parser.value(api), "--api");
    if (!apiUrl) {
      printErr(apiUrl.status().message());
      return kExitUsage;
    }
    auto credential = clientCredential(parser.value(token), parser.value(dataDir), parser.isSet(dataDir), *apiUrl);
    if (!credential) {
      printErr(credential.status().message());
      return kExitUsage;
    }
    auto url = titleManifest(*apiUrl, parser.value(title), *credential);
    if (!url) {
      printErr(url.status().message());
      if (const QString hint = credentialHint(url.status().code(), true, "simulate"); !hint.isEmpty()) printErr(hint);
      return kExitInput;
    }
    manifestName = url->toString();
  }
  // Only a URL is fetched; the api's manifest URL carries the playback token.
  const QUrl asUrl(manifestName);
  const bool remote = asUrl.scheme() == QLatin1String("http") || asUrl.scheme() == QLatin1String("https");
  const QByteArray authorization = remote ? mediaAuthorization(asUrl, parser.value(token)) : QByteArray();
  auto media = player::loadTitle(manifestName, authorization);
  if (!media) {
    printErr(media.status().message());
    const QString m = media.status().message();
    const ErrorCode code = m.contains(QLatin1String("HTTP 401")) ? ErrorCode::Unauthorized
                           : m.contains(QLatin1String("HTTP 403")) ? ErrorCode::Forbidden
                                                                   : ErrorCode::Ok;
    if (code != ErrorCode::Ok) printErr(credentialHint(code, false, "simulate"));
    return kExitInput;
  }

  const QJsonObject common{{QStringLiteral("trace"), loadedTrace->name()},
                           {QStringLiteral("trace_mean_mbps"), std::round(loadedTrace->meanMbps() * 1000) / 1000},
                           {QStringLiteral("rtt_ms"), rttMs},
                           {QStringLiteral("buffer_cap_s"), options.bufferCapS},
                           {QStringLiteral("mode"), QStringLiteral("simulate")}};
  std::printf("%s over %s (mean %.2f Mbit/s), rtt %.0f ms, buffer cap %.0f s\n", qPrintable(remote ? player::displayUrl(asUrl) : manifestName),
              qPrintable(loadedTrace->name()), loadedTrace->meanMbps(), rttMs, options.bufferCapS);
  std::printf("%s\n", qPrintable(player::tableHeader()));
  QJsonArray reports;
  QJsonObject single;
  for (const QString &name : algorithms) {
    QElapsedTimer timer;
    timer.start();
    const double cpu0 = cpuSeconds();
    player::SimulationResult result;
    for (int i = 0; i < repeats; ++i) result = player::simulate(*media, *loadedTrace, name, options);
    const qint64 ns = timer.nsecsElapsed();
    const double cpu = cpuSeconds() - cpu0;
    std::printf("%s\n", qPrintable(player::tableRow(name, player::summarise(result.log))));
    if (repeats > 1)
      std::fprintf(stderr, "platform simulate: %s: %d sessions in %.3f s = %.0f sessions/s, %.0f per CPU second (%.0f events each)\n",
                   qPrintable(name), repeats, double(ns) / 1e9, repeats / (double(ns) / 1e9), cpu > 0 ? repeats / cpu : 0.0,
                   double(result.events));
    single = player::reportJson(result.log, common);
    reports.append(single);
  }
  std::fflush(stdout);
  if (parser.isSet(report)) {
    const QJsonObject out = algorithms.size() == 1 ? single : QJsonObject{{QStringLiteral("reports"), reports}};
    if (Status s = writeJson(parser.value(report), out); !s.isOk()) {
      printErr(s.message());
      return kExitInput;
    }
  }
  return 0;
}

}  // namespace rs::app
