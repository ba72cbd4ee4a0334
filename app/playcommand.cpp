#include "playcommand.h"

#include "clientcredentials.h"
#include "core/roles/signals.h"
#include "clienttls.h"
#include "playercli.h"
#include "player/abr/abr.h"
#include "player/engine/realclock.h"
#include "player/engine/session.h"
#include "player/net/qnamtransport.h"
#include "player/net/tokenrenewer.h"
#include "player/net/urlrewriter.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <cstdio>
#include <memory>
#include <optional>

namespace rs::app {

namespace {

constexpr int kExitUsage = 2;
constexpr int kExitFailed = 1;

void printErr(const QString &s) { std::fprintf(stderr, "platform play: %s\n", qPrintable(s)); }

// One line per segment on stderr, as the decisions happen.
void printSegment(const player::SegmentRecord &r) {
  std::fprintf(stderr, "  seg %4d  %-6s %6.0fk  %8lld B in %6.0f ms  est %6.2f Mbit/s  buffer %5.1f -> %5.1f s  %s%s\n", r.index,
               qPrintable(r.rungId), r.bitrate / 1000, static_cast<long long>(r.bytes), r.downloadMs, r.estimateBps / 1e6,
               r.bufferBeforeS, r.bufferAfterS, r.decision.reason, r.abandoned.empty() ? "" : " (after abandoning a download)");
}

}  // namespace

int runPlayCommand(int argc, char **argv, const QStringList &args) {
  QCoreApplication app(argc, argv);
  QCoreApplication::setApplicationName(QStringLiteral("platform"));

  QCommandLineParser parser;
  parser.setApplicationDescription(QStringLiteral(
      "Plays a title over HTTP in real time through the ABR engine, without decoding, printing each decision, and\n"
      "writes the report (docs/player.md). With --title the api's playback start gives the sources (steered edges,\n"
      "the origin last, each URL with a playback token that is renewed while playing) and the engine falls back\n"
      "along them on errors. The api credential is --token, else $REELSTACK_TOKEN, else the local token of\n"
      "--data-dir (for an api on this machine); it goes to the api only. A manifest URL is fetched with the\n"
      "playback token in its path, or with --token (a service token) when it has none.\n"
      "Exit status: 0 played, 1 the session failed, 2 bad usage."));
  const QCommandLineOption help({QStringLiteral("h"), QStringLiteral("help")}, QStringLiteral("Show this help."));
  const QCommandLineOption title(QStringLiteral("title"), QStringLiteral("Play this title of the stack at --api."), QStringLiteral("ID"));
  const QCommandLineOption api(QStringLiteral("api"), QStringLiteral("The api listener, for --title."), QStringLiteral("URL"),
                               QStringLiteral("http://127.0.0.1:8080"));
  const QCommandLineOption hls(QStringLiteral("hls"), QStringLiteral("With --title: play the HLS sources rather than DASH."));
  const QCommandLineOption abr(QStringLiteral("abr"), QStringLiteral("%1 [%2].").arg(player::abrNames().join(QStringLiteral(", ")), player::defaultAbr()),
                               QStringLiteral("NAME"), player::defaultAbr());
  const QCommandLineOption seconds(QStringLiteral("seconds"), QStringLiteral("Play this many seconds of media (default: the whole title)."),
                                   QStringLiteral("N"));
  const QCommandLineOption cap(QStringLiteral("buffer-cap"), QStringLiteral("Buffer cap in seconds [30]."), QStringLiteral("S"),
                               QStringLiteral("30"));
  const QCommandLineOption report(QStringLiteral("report"), QStringLiteral("Write the JSON report here (- for stdout)."),
                                  QStringLiteral("FILE"));
  const QCommandLineOption token(QStringLiteral("token"),
                                 QStringLiteral("With --title: a viewer's API token for the api (default $REELSTACK_TOKEN, else the local "
                                                "token of --data-dir). With a URL without a playback token: a service token for it."),
                                 QStringLiteral("T"));
  const QCommandLineOption dataDir(QStringLiteral("data-dir"),
                                   QStringLiteral("The stack's data directory on this machine, for its local token (with --title)."),
                                   QStringLiteral("DIR"), QStringLiteral("~/.local/share/reelstack"));
  const QCommandLineOption start(QStringLiteral("start-kbps"),
                                 QStringLiteral("A known bandwidth for fast start (default: start on the lowest rung)."), QStringLiteral("K"));
  const QCommandLineOption noAbandon(QStringLiteral("no-abandon"), QStringLiteral("Never abandon a slow download."));
  const QCommandLineOption quiet(QStringLiteral("quiet"), QStringLiteral("No line per segment."));
  const QCommandLineOption timeout(QStringLiteral("timeout"),
                                   QStringLiteral("Give up after this many seconds of wall time (default: 3 x --seconds + 60, else none)."),
                                   QStringLiteral("S"));
  const QCommandLineOption tlsCa = tlsCaOption();
  parser.addOptions({help, title, api, hls, abr, seconds, cap, report, token, dataDir, start, noAbandon, quiet, timeout, tlsCa});
  parser.addPositionalArgument(QStringLiteral("URL"), QStringLiteral("A DASH or HLS manifest URL (instead of --title)."));
  if (!parser.parse(QStringList{QStringLiteral("platform")} + args)) {
    printErr(parser.errorText() + QStringLiteral(" (see platform play --help)"));
    return kExitUsage;
  }
  if (parser.isSet(help)) {
    const QString text = parser.helpText();
    std::fputs(qPrintable(QStringLiteral("Usage: platform play URL|--title ID [options]\n") + text.mid(text.indexOf(QLatin1Char('\n')) + 1)),
               stdout);
    return 0;
  }
  if (!applyClientTls(parser.value(tlsCa))) return kExitUsage;
  const QStringList positional = parser.positionalArguments();
  if (positional.size() > 1 || (positional.size() == 1) == parser.isSet(title)) {
    printErr(QStringLiteral("give a manifest URL or --title ID (see platform play --help)"));
    return kExitUsage;
  }
  if (!player::abrNames().contains(parser.value(abr))) {
    printErr(QStringLiteral("--abr must be one of %1, got '%2'").arg(player::abrNames().join(QStringLiteral(", ")), parser.value(abr)));
    return kExitUsage;
  }
  player::SessionOptions options;
  bool ok = true;
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
    options.maxWallS = 3 * options.watchS + 60;
  }
  if (parser.isSet(timeout)) {
    options.maxWallS = parser.value(timeout).toDouble(&ok);
    if (!ok || options.maxWallS <= 0) {
      printErr(QStringLiteral("--timeout must be a positive number of seconds"));
      return kExitUsage;
    }
  }
  if (parser.isSet(start)) {
    options.startBps = parser.value(start).toDouble(&ok) * 1000;
    if (!ok || options.startBps <= 0) {
      printErr(QStringLiteral("--start-kbps must be a positive number"));
      return kExitUsage;
    }
  }
  options.abandonment = !parser.isSet(noAbandon);
  std::optional<player::PlaybackToken> playbackToken;
  QByteArray apiCredential;
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
    apiCredential = *credential;
    auto playback = playbackSources(*apiUrl, parser.value(title), apiCredential, parser.isSet(hls));
    if (!playback) {
      printErr(playback.status().message());
      if (const QString hint = credentialHint(playback.status().code(), true, "play"); !hint.isEmpty()) printErr(hint);
      return kExitFailed;
    }
    // The account credential stays with the api: the edges get the token in the path.
    options.manifestUrl = playback->sources.front();
    options.fallbacks.assign(playback->sources.begin() + 1, playback->sources.end());
    playbackToken = playback->token;
  } else {
    auto url = httpUrlOption(positional.first(), "the manifest URL");
    if (!url) {
      printErr(url.status().message());
      return kExitUsage;
    }
    options.manifestUrl = *url;
    options.authorization = mediaAuthorization(*url, parser.value(token));
  }

  player::RealClock clock;
  player::QnamTransport transport(clock);
  std::unique_ptr<player::TokenRenewer> renewer;
  if (playbackToken) {
    renewer = std::make_unique<player::TokenRenewer>(clock, transport, *playbackToken,
                                                     [apiCredential](player::FetchRequest &r) { r.authorization = apiCredential; });
    renewer->onRenewed = [quietly = parser.isSet(quiet)](const QString &error) {
      if (!error.isEmpty()) std::fprintf(stderr, "  playback token renewal failed: %s\n", qPrintable(error));
      else if (!quietly) std::fputs("  playback token renewed\n", stderr);
    };
    transport.setUrlRewriter([r = renewer.get()](const QUrl &u) { return r->rewrite(u); });
    renewer->start();
  }
  player::Session session(options, clock, transport, player::makeAbr(parser.value(abr)));
  if (!parser.isSet(quiet)) session.onSegment = printSegment;
  session.onFinished = [] { QCoreApplication::exit(0); };
  rs::roles::onTerminationSignal(&app, [&session](int) { session.stop(); });
  std::fprintf(stderr, "platform play: %s with %s\n", qPrintable(player::displayUrl(options.manifestUrl)), qPrintable(parser.value(abr)));
  session.start();
  app.exec();
  if (renewer) renewer->stop();

  const player::SessionLog &log = session.log();
  for (const player::Stall &s : log.stalls)
    std::fprintf(stderr, "  stall at %.2f s (media %.2f s) for %.2f s\n", s.atS - log.startedAt, s.positionS, s.durationS);
  std::printf("%s\n%s\n", qPrintable(player::tableHeader()), qPrintable(player::tableRow(parser.value(abr), player::summarise(log))));
  std::fflush(stdout);
  if (parser.isSet(report)) {
    QJsonObject extra{{QStringLiteral("mode"), QStringLiteral("play")}, {QStringLiteral("buffer_cap_s"), options.bufferCapS}};
    if (renewer) {
      extra.insert(QStringLiteral("token_renewals"), renewer->renewals());
      extra.insert(QStringLiteral("token_renewal_failures"), renewer->failures());
    }
    if (Status s = writeJson(parser.value(report), player::reportJson(log, extra)); !s.isOk()) {
      printErr(s.message());
      return kExitFailed;
    }
  }
  if (log.endedBy == QLatin1String("error")) {
    printErr(QStringLiteral("the session failed: %1").arg(log.error));
    // The engine's errors end in "HTTP <status>" when a server answered.
    const ErrorCode code = log.error.endsWith(QLatin1String("HTTP 401"))   ? ErrorCode::Unauthorized
                           : log.error.endsWith(QLatin1String("HTTP 403")) ? ErrorCode::Forbidden
                                                                           : ErrorCode::Ok;
    if (renewer && renewer->failures() > 0 && code == ErrorCode::Forbidden)
      printErr(QStringLiteral("the playback token expired: its renewal failed (%1)").arg(renewer->lastError()));
    else if (const QString hint = code == ErrorCode::Ok ? QString() : credentialHint(code, false, "play"); !hint.isEmpty())
      printErr(hint);
    return kExitFailed;
  }
  return 0;
}

}  // namespace rs::app
