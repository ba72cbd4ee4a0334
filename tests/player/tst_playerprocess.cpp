// The player's commands and role as a user runs them, in real `platform` processes:
// - `platform simulate --abr all` on a packaged title on disk prints the comparison
//   table and writes the same report bytes twice; bad input is refused clearly;
// - `platform play` through a real edge whose upstream holds one segment back stalls
//   exactly when the buffer runs dry, and the report says where and for how long (the
//   edge checks media access: the URL carries a playback token of the test's key ring);
// - `--role=player` runs 200 viewers through the journey against a real stack
//   (control, origin, edge, api) on loopback: sane percentiles, no errors; a failing
//   threshold makes it exit 99;
// - as viewers of a stack whose playback tokens live 10 s: `platform play --title`
//   with a viewer's API token plays 24 s without a 403 by renewing its token, and the
//   load generator logs in (cookie and CSRF header), renews, and logs out per journey
//   or once per viewer, with the api's audit trail agreeing; a wrong password fails
//   the login step and the thresholds.

#include "playerfixtures.h"

#include <QTemporaryDir>
#include <atomic>
#include <thread>

using namespace rs::test;
using namespace rs::player::testing;

namespace {

QJsonObject readJson(const QString &path) {
  QFile f(path);
  return f.open(QIODevice::ReadOnly) ? QJsonDocument::fromJson(f.readAll()).object() : QJsonObject();
}

QByteArray readBytes(const QString &path) {
  QFile f(path);
  return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// Serves a packaged title at /media/t/…, holding back every rendition of one segment
// file (e.g. "seg-2.m4s") for `holdMs` before answering.
class SlowUpstream {
 public:
  SlowUpstream(QMap<QString, QByteArray> files, QString held, int holdMs)
      : files_(std::move(files)), held_(std::move(held)), holdMs_(holdMs) {
    auto router = std::make_shared<rs::http::Router>();
    // The edge checks its upstreams' health before it sends them viewers.
    router->get(u"/healthz"_qs, rs::http::Access::Public, [](rs::http::Request &) { return rs::http::Response::json(QJsonObject{{u"status"_qs, u"ok"_qs}}); });
    router->addAsync("GET", u"/media/t/{*path}"_qs, rs::http::Access::Public, [this](rs::http::Request &req, rs::http::Responder r) {
      const QString path = req.param(u"path"_qs);
      const auto it = files_.constFind(path);
      if (it == files_.constEnd()) return r.send(rs::http::Response::error(rs::ErrorCode::NotFound, u"no such file"_qs));
      rs::http::Response response = rs::http::Response::text(200, *it, "application/octet-stream");
      if (!path.startsWith(u"video/") || !path.endsWith(held_)) return r.send(std::move(response));
      ++this->held;
      std::thread([r, response = std::move(response), ms = holdMs_]() mutable {
        std::this_thread::sleep_for(std::chrono::milliseconds(ms));
        r.send(std::move(response));
      }).detach();
    });
    rs::http::ServerOptions o;
    o.workers = 2;
    host_ = std::make_unique<ServerHost>(o, router);
  }
  QUrl url() const { return QUrl(u"http://127.0.0.1:%1"_qs.arg(host_->port())); }
  std::atomic<int> held{0};

 private:
  QMap<QString, QByteArray> files_;
  QString held_;
  int holdMs_;
  std::unique_ptr<ServerHost> host_;
};

}  // namespace

class TestPlayerProcess : public QObject {
  Q_OBJECT
  QTemporaryDir tmp_;

 private Q_SLOTS:
  void simulateAllPrintsTheTableAndRepeatsItself() {
    const QString dir = tmp_.filePath(u"title"_qs);
    QVERIFY(writeFiles(dir, packagedFiles({})));
    const QString manifest = dir + u"/manifest.mpd"_qs;
    QByteArray out, err;
    const QStringList args{u"simulate"_qs, u"--manifest"_qs, manifest, u"--trace"_qs, u"hsdpa-bus"_qs, u"--abr"_qs, u"all"_qs,
                           u"--report"_qs};
    QCOMPARE(run(platformBin(), args + QStringList{tmp_.filePath(u"a.json"_qs)}, &out, &err), 0);
    for (const QString &abr : {u"throughput"_qs, u"bba"_qs, u"bola"_qs, u"dynamic"_qs, u"mpc"_qs})
      QVERIFY2(QString::fromUtf8(out).contains(QRegularExpression(u"\\n%1 +-?\\d+\\.\\d\\d"_qs.arg(abr))), out.constData());
    QVERIFY2(out.contains("qoe_lin") && out.contains("startup_ms"), out.constData());
    QCOMPARE(run(platformBin(), args + QStringList{tmp_.filePath(u"b.json"_qs)}), 0);
    const QByteArray a = readBytes(tmp_.filePath(u"a.json"_qs));
    QVERIFY(!a.isEmpty());
    QCOMPARE(a, readBytes(tmp_.filePath(u"b.json"_qs)));
    const QJsonArray reports = QJsonDocument::fromJson(a).object().value(u"reports"_qs).toArray();
    QCOMPARE(reports.size(), 5);
    for (const QJsonValue &r : reports) {
      QCOMPARE(r[u"segments"_qs].toArray().size(), 30);
      QCOMPARE(r[u"ended_by"_qs].toString(), u"end"_qs);
      QCOMPARE(r[u"trace"_qs].toString(), u"hsdpa-bus"_qs);
      for (const char *key : {"abr", "startup_ms", "rebuffer_s", "rebuffer_events", "switches", "mean_bitrate", "qoe_lin"})
        QVERIFY2(r.toObject().contains(QLatin1String(key)), key);
      const QJsonObject first = r[u"segments"_qs].toArray().first().toObject();
      for (const char *key : {"index", "rung", "bitrate", "bytes", "download_ms", "buffer_s", "reason"})
        QVERIFY2(first.contains(QLatin1String(key)), key);
    }
  }

  void simulateRefusesBadInputClearly() {
    const QString dir = tmp_.filePath(u"title"_qs);
    QVERIFY(writeFiles(dir, packagedFiles({})));
    const QString manifest = dir + u"/manifest.mpd"_qs;
    struct Case {
      QStringList args;
      int code;
      const char *says;
    };
    QFile bad(tmp_.filePath(u"bad.mpd"_qs));
    QVERIFY(bad.open(QIODevice::WriteOnly));
    bad.write("<MPD type=\"dynamic\"/>");
    bad.close();
    QFile badTrace(tmp_.filePath(u"bad.tsv"_qs));
    QVERIFY(badTrace.open(QIODevice::WriteOnly));
    badTrace.write("0\t1\n1\tfast\n");
    badTrace.close();
    QFile::remove(dir + u"/video/480p/seg-7.m4s"_qs);
    const QList<Case> cases = {
        {{u"--manifest"_qs, manifest, u"--trace"_qs, u"hsdpa-bus"_qs, u"--abr"_qs, u"fastest"_qs}, 2, "--abr must be one of"},
        {{u"--manifest"_qs, manifest}, 2, "--trace is required"},
        {{u"--trace"_qs, u"hsdpa-bus"_qs}, 2, "exactly one of --title and --manifest"},
        {{u"--manifest"_qs, manifest, u"--trace"_qs, u"/nonexistent"_qs}, 1, "cannot read trace"},
        {{u"--manifest"_qs, manifest, u"--trace"_qs, badTrace.fileName()}, 1, "line 2: not a number"},
        {{u"--manifest"_qs, bad.fileName(), u"--trace"_qs, u"hsdpa-bus"_qs}, 1, "only static"},
        {{u"--manifest"_qs, manifest, u"--trace"_qs, u"hsdpa-bus"_qs}, 1, "seg-7.m4s is missing"},
        {{u"--manifest"_qs, u"http://127.0.0.1:9/x.mpd"_qs, u"--trace"_qs, u"hsdpa-bus"_qs}, 1, "GET http://127.0.0.1:9/x.mpd"},
        {{u"--manifest"_qs, manifest, u"--trace"_qs, u"hsdpa-bus"_qs, u"--rtt-ms"_qs, u"-3"_qs}, 2, "--rtt-ms"},
    };
    for (const Case &c : cases) {
      QByteArray out, err;
      QCOMPARE(run(platformBin(), QStringList{u"simulate"_qs} + c.args, &out, &err), c.code);
      QVERIFY2(err.contains(c.says), err.constData());
    }
  }

  // Segment 2 (index 1) is held 8 s at the upstream: playback starts on segment 1,
  // runs dry 4 s later, and resumes when segment 2 arrives through the edge.
  void playStallsExactlyWhenTheBufferRunsDry() {
    TitleSpec spec;
    spec.kbps = {300, 800};
    spec.segments = 8;
    SlowUpstream upstream(packagedFiles(spec), u"/seg-2.m4s"_qs, 8000);
    const TestKeyRing keys;
    Platform edge(tmp_.filePath(u"edge"_qs));
    QString error;
    QVERIFY2(edge.start({u"--role=edge"_qs, u"--cluster-key-file="_qs + keys.file(), u"--upstream="_qs + upstream.url().toString(),
                         u"--control=http://127.0.0.1:9"_qs,
                         u"--heartbeat-interval=3600"_qs, u"--edge-first-byte-timeout=30"_qs, u"--edge-health-interval=3600"_qs},
                        &error),
             qPrintable(error));
    // As the api hands it out: the token in the path, inherited by every segment URL.
    const QByteArray token = playbackToken(keys.file(), u"t"_qs);
    QVERIFY(!token.isEmpty());
    const QString manifest = edge.url(u"edge"_qs).toString() + u"/m/"_qs + QString::fromLatin1(token) + u"/t/manifest.mpd"_qs;
    const QString report = tmp_.filePath(u"play.json"_qs);
    QByteArray out, err;
    const int rc = run(platformBin(), {u"play"_qs, manifest, u"--abr"_qs, u"throughput"_qs, u"--seconds"_qs, u"16"_qs, u"--report"_qs, report},
                       &out, &err, 60000);
    QVERIFY2(rc == 0, qPrintable(QStringLiteral("rc %1\n%2\n%3").arg(rc).arg(QString::fromUtf8(out), QString::fromUtf8(err))));
    QVERIFY2(upstream.held >= 1, "the held segment was asked for");
    const QJsonObject r = readJson(report);
    QCOMPARE(r[u"ended_by"_qs].toString(), u"watch limit"_qs);
    const QJsonArray stalls = r[u"stalls"_qs].toArray();
    QVERIFY2(stalls.size() == 1, err.constData());
    const QJsonObject s = stalls.first().toObject();
    // Where: at the end of segment 1, the only one buffered.
    QCOMPARE(s[u"position_s"_qs].toDouble(), 4.0);
    // When: 4 s of playing after start-up (the buffer ran dry right then).
    const double startup = r[u"startup_ms"_qs].toDouble() / 1000;
    QVERIFY2(std::abs(s[u"at_s"_qs].toDouble() - (startup + 4.0)) < 0.3, QJsonDocument(s).toJson().constData());
    // How long: until segment 2 came, 8 s after it was asked for (just after start-up).
    const double until = s[u"at_s"_qs].toDouble() + s[u"duration_s"_qs].toDouble();
    QVERIFY2(until > 7.9 && until < 9.5, QJsonDocument(s).toJson().constData());
    QCOMPARE(r[u"rebuffer_events"_qs].toInt(), 1);
    QVERIFY(std::abs(r[u"rebuffer_s"_qs].toDouble() - s[u"duration_s"_qs].toDouble()) < 1e-3);
    const QJsonObject second = r[u"segments"_qs].toArray().at(1).toObject();
    QVERIFY2(second[u"download_ms"_qs].toDouble() > 7900, QJsonDocument(second).toJson().constData());
    QVERIFY2(second[u"x_cache"_qs].toString().startsWith(u"MISS"), qPrintable(second[u"x_cache"_qs].toString()));
    QVERIFY2(err.contains("stall at"), err.constData());
  }

  void loadGeneratorRunsTwoHundredViewers() {
    Platform stack(tmp_.filePath(u"stack"_qs));
    QString error;
    QVERIFY2(stack.start({u"--role=control,origin,edge,api"_qs, u"--heartbeat-interval=0.5"_qs, u"--edge-capacity=100000"_qs}, &error),
             qPrintable(error));
    const QUrl control = stack.url(u"control"_qs), origin = stack.url(u"origin"_qs), api = stack.url(u"api"_qs);
    // The test registers titles as a service (control, the origin's publish) and checks
    // steering as the api's admin; the viewers are viewers.
    stack.authorizeAll();
    authorize(origin, stack.serviceAuth());
    TitleSpec spec;
    spec.kbps = {100, 200, 400};
    spec.segmentSeconds = 2;
    spec.segments = 30;
    QStringList ids;
    for (int i = 0; i < 3; ++i) {
      const QString id = publishReadyTitle(control, origin, spec, u"Load title %1"_qs.arg(i), &error);
      QVERIFY2(!id.isEmpty(), qPrintable(error));
      ids << id;
    }
    // The edge is steered to once it heartbeats.
    QTRY_VERIFY_WITH_TIMEOUT(call(api, "POST", u"/api/v1/titles/%1/playback"_qs.arg(ids[0]))
                                 .json()[u"sources"_qs].toArray().first()[u"kind"_qs].toString() == u"edge"_qs,
                             10000);

    // A viewer's API token, made as an operator makes one (offline, on the data directory).
    QByteArray viewerToken, tokenErr;
    QCOMPARE(run(platformBin(), {u"token"_qs, u"create"_qs, u"--name"_qs, u"load"_qs, u"--role"_qs, u"viewer"_qs, u"--data-dir"_qs, stack.dataDir()},
                 &viewerToken, &tokenErr),
             0);
    viewerToken = viewerToken.trimmed();
    QVERIFY2(viewerToken.startsWith("rst_"), tokenErr.constData());
    // The player registers with control like every role: it holds the stack's cluster key.
    const QStringList common{u"--role=player"_qs, u"--headless"_qs, u"--access-log="_qs, u"--data-dir="_qs + tmp_.filePath(u"player"_qs),
                             u"--cluster-key-file="_qs + clusterKeyFile(stack.dataDir()), u"--control="_qs + control.toString(),
                             u"--player-target="_qs + api.toString()};
    const QStringList viewer = common + QStringList{u"--player-token="_qs + QString::fromLatin1(viewerToken)};
    QByteArray out, err;
    const int rc = run(platformBin(), viewer + QStringList{u"--player-sessions=200"_qs, u"--player-duration=20"_qs, u"--player-ramp=4"_qs,
                                                           u"--player-watch=8"_qs, u"--player-fail-if=error_rate>0,p95_start_ms>2000"_qs},
                       &out, &err, 90000);
    const QJsonObject s = QJsonDocument::fromJson(out).object();
    QVERIFY2(rc == 0, qPrintable(QStringLiteral("rc %1\n%2\n%3").arg(rc).arg(QString::fromUtf8(out), QString::fromUtf8(err.right(3000)))));
    QCOMPARE(s[u"passed"_qs].toBool(), true);
    QCOMPARE(s[u"journeys_failed"_qs].toInt(), 0);
    QCOMPARE(s[u"error_rate"_qs].toDouble(), 0.0);
    QVERIFY2(s[u"journeys"_qs].toInt() >= 200, qPrintable(QString::number(s[u"journeys"_qs].toInt())));
    QVERIFY(s[u"peak_watching"_qs].toInt() > 150);
    const QJsonObject start = s[u"start_ms"_qs].toObject();
    QVERIFY(start[u"count"_qs].toInt() >= 200);
    QVERIFY(start[u"p50"_qs].toDouble() > 0);
    QVERIFY(start[u"p50"_qs].toDouble() <= start[u"p95"_qs].toDouble());
    QVERIFY(start[u"p95"_qs].toDouble() <= start[u"p99"_qs].toDouble());
    QVERIFY(start[u"p99"_qs].toDouble() <= start[u"max"_qs].toDouble());
    QVERIFY2(start[u"p95"_qs].toDouble() < 2000, QJsonDocument(start).toJson().constData());
    QVERIFY(s[u"api_ms"_qs].toObject()[u"count"_qs].toInt() >= 600);
    QVERIFY(s[u"bytes"_qs].toDouble() > 0);
    QVERIFY(s[u"rebuffer_ratio"_qs].toDouble() < 0.05);
    // Popularity: with Zipf the first title listed is chosen most (not asserted per
    // title: the summary counts journeys, not titles), and a live line came every 5 s.
    QVERIFY2(err.count("rs.player load ") >= 3, err.right(2000).constData());

    // A condition that always holds (any start time is at least 0): exit 99, and the
    // summary says which.
    QCOMPARE(run(platformBin(), viewer + QStringList{u"--player-sessions=5"_qs, u"--player-duration=3"_qs, u"--player-fail-if=p95_start_ms>=0"_qs},
                 &out, &err, 30000),
             99);
    const QJsonObject failed = QJsonDocument::fromJson(out).object();
    QCOMPARE(failed[u"passed"_qs].toBool(), false);
    QCOMPARE(failed[u"thresholds"_qs].toArray().first()[u"failed"_qs].toBool(), true);
    // Bad options stop the role before anything runs.
    QCOMPARE(run(platformBin(), common + QStringList{u"--player-fail-if=p95_start>1"_qs}, &out, &err, 15000), 1);
    QVERIFY2(err.contains("unknown metric 'p95_start'"), err.constData());
    QCOMPARE(run(platformBin(), common + QStringList{u"--player-user=ann"_qs, u"--player-password-file=/dev/null"_qs}, &out, &err, 15000), 1);
    QVERIFY2(err.contains("--player-password-file /dev/null is empty"), err.constData());
    QCOMPARE(run(platformBin(), viewer + QStringList{u"--player-login=sometimes"_qs}, &out, &err, 15000), 1);
    QVERIFY2(err.contains("--player-login must be viewer or journey"), err.constData());
  }

  void viewersSignInAndOutliveTheirPlaybackTokens() {
    Platform stack(tmp_.filePath(u"idstack"_qs));
    QString error;
    QVERIFY2(stack.start({u"--role=control,origin,edge,api"_qs, u"--heartbeat-interval=0.5"_qs, u"--edge-capacity=100000"_qs,
                          u"--playback-token-ttl=10"_qs},
                         &error),
             qPrintable(error));
    const QUrl control = stack.url(u"control"_qs), origin = stack.url(u"origin"_qs), api = stack.url(u"api"_qs);
    stack.authorizeAll();
    authorize(origin, stack.serviceAuth());
    TitleSpec spec;
    spec.kbps = {100, 200, 400};
    spec.segmentSeconds = 2;
    spec.segments = 20;
    const QString id = publishReadyTitle(control, origin, spec, u"Long title"_qs, &error);
    QVERIFY2(!id.isEmpty(), qPrintable(error));
    const QString playbackPath = u"/api/v1/titles/%1/playback"_qs.arg(id);
    QTRY_VERIFY_WITH_TIMEOUT(call(api, "POST", playbackPath).json()[u"sources"_qs].toArray().first()[u"kind"_qs].toString() == u"edge"_qs,
                             10000);
    // A token handed out now has run out long before the session below ends.
    const QJsonObject early = call(api, "POST", playbackPath).json();
    const QString earlyDash = early[u"sources"_qs].toArray().first()[u"dash"_qs].toString();
    QVERIFY2(earlyDash.contains(u"/m/p1."), qPrintable(earlyDash));
    QCOMPARE(early[u"playbackToken"_qs][u"renewAfterSeconds"_qs].toInt(), 5);
    QCOMPARE(rs::test::http("GET", QUrl(earlyDash)).status, 200);

    QByteArray viewerToken, out, err;
    QCOMPARE(run(platformBin(), {u"token"_qs, u"create"_qs, u"--name"_qs, u"viewer"_qs, u"--role"_qs, u"viewer"_qs, u"--data-dir"_qs,
                                 stack.dataDir()},
                 &viewerToken, &err),
             0);
    viewerToken = viewerToken.trimmed();

    // `platform play --title` as that viewer: a 4-s buffer cap keeps it downloading to
    // the end, so every segment after the first 15 s needs a renewed token.
    const QString report = tmp_.filePath(u"long.json"_qs);
    int rc = run(platformBin(), {u"play"_qs, u"--title"_qs, id, u"--api"_qs, api.toString(), u"--token"_qs, QString::fromLatin1(viewerToken),
                                 u"--abr"_qs, u"throughput"_qs, u"--buffer-cap"_qs, u"4"_qs, u"--seconds"_qs, u"24"_qs, u"--report"_qs, report},
                 &out, &err, 90000);
    QVERIFY2(rc == 0, qPrintable(QStringLiteral("rc %1\n%2\n%3").arg(rc).arg(QString::fromUtf8(out), QString::fromUtf8(err))));
    const QJsonObject r = readJson(report);
    QCOMPARE(r[u"ended_by"_qs].toString(), u"watch limit"_qs);
    QCOMPARE(r[u"failovers"_qs].toInt(), 0);
    QVERIFY2(r[u"session_s"_qs].toDouble() > 20, qPrintable(QString::number(r[u"session_s"_qs].toDouble())));
    QVERIFY(r[u"segments"_qs].toArray().size() >= 12);
    QVERIFY2(r[u"token_renewals"_qs].toInt() >= 3, QJsonDocument(r).toJson().constData());
    QCOMPARE(r[u"token_renewal_failures"_qs].toInt(), 0);
    QVERIFY2(!err.contains("403"), err.constData());
    // Neither credential is printed or reported: the manifest shows as /m/-/.
    const QByteArray reportText = readBytes(report);
    for (const QByteArray &text : {out, err, reportText}) {
      QVERIFY(!text.contains(viewerToken));
      QVERIFY2(!text.contains("/m/p1."), text.constData());
    }
    QVERIFY2(reportText.contains("/m/-/"), reportText.constData());
    // The early token is dead by now: the session above lived on renewals.
    QCOMPARE(rs::test::http("GET", QUrl(earlyDash)).status, 403);
    // Without a credential the api says what to pass.
    QCOMPARE(run(platformBin(), {u"play"_qs, u"--title"_qs, id, u"--api"_qs, api.toString(), u"--token"_qs, u"rst_bogus"_qs}, &out, &err,
                 30000),
             1);
    QVERIFY2(err.contains("HTTP 401") && err.contains("pass --token"), err.constData());
    // A media URL without a token: the edge's 401, and what to do about it.
    const QString bare = stack.url(u"edge"_qs).toString() + u"/media/%1/manifest.mpd"_qs.arg(id);
    QCOMPARE(run(platformBin(), {u"play"_qs, bare}, &out, &err, 30000), 1);
    QVERIFY2(err.contains("HTTP 401") && err.contains("--title ID"), err.constData());

    // The load generator as a viewer with a password: a login per journey.
    const QString pw = tmp_.filePath(u"ann.pw"_qs);
    const QByteArray password = "anns secret password";
    {
      QFile f(pw);
      QVERIFY(f.open(QIODevice::WriteOnly));
      f.write(password + "\n");
    }
    QCOMPARE(run(platformBin(), {u"user"_qs, u"add"_qs, u"ann"_qs, u"--role"_qs, u"viewer"_qs, u"--password-file"_qs, pw, u"--data-dir"_qs,
                                 stack.dataDir()}),
             0);
    const QStringList common{u"--role=player"_qs, u"--headless"_qs, u"--access-log="_qs, u"--data-dir="_qs + tmp_.filePath(u"player2"_qs),
                             u"--cluster-key-file="_qs + clusterKeyFile(stack.dataDir()), u"--control="_qs + control.toString(),
                             u"--player-target="_qs + api.toString(), u"--player-user=ann"_qs, u"--player-password-file="_qs + pw};
    rc = run(platformBin(), common + QStringList{u"--player-login=journey"_qs, u"--player-sessions=20"_qs, u"--player-duration=16"_qs,
                                                 u"--player-ramp=2"_qs,
                                                 u"--player-watch=12"_qs, u"--player-fail-if=error_rate>0"_qs},
             &out, &err, 90000);
    QJsonObject s = QJsonDocument::fromJson(out).object();
    QVERIFY2(rc == 0, qPrintable(QStringLiteral("rc %1\n%2\n%3").arg(rc).arg(QString::fromUtf8(out), QString::fromUtf8(err.right(3000)))));
    QCOMPARE(s[u"login"_qs].toString(), u"journey"_qs);
    QCOMPARE(s[u"journeys_failed"_qs].toInt(), 0);
    const int logins = s[u"logins"_qs].toInt();
    QVERIFY2(logins >= 20 && logins >= s[u"journeys"_qs].toInt(), QJsonDocument(s).toJson().constData());
    QCOMPARE(s[u"logouts"_qs].toInt(), logins);
    QCOMPARE(s[u"logout_failures"_qs].toInt(), 0);
    const QJsonObject loginMs = s[u"login_ms"_qs].toObject();
    QCOMPARE(loginMs[u"count"_qs].toInt(), logins);
    QVERIFY(loginMs[u"p50"_qs].toDouble() > 0);
    QVERIFY(loginMs[u"p50"_qs].toDouble() <= loginMs[u"p95"_qs].toDouble());
    QVERIFY(loginMs[u"p95"_qs].toDouble() <= loginMs[u"max"_qs].toDouble());
    // Sessions of 12 s on average outlive a 10-s token: the viewers renewed, never failed.
    QVERIFY2(s[u"token_renewals"_qs].toInt() > 0, QJsonDocument(s).toJson().constData());
    QCOMPARE(s[u"token_renewal_failures"_qs].toInt(), 0);
    QVERIFY(!out.contains(password) && !err.contains(password) && !err.contains("rs_session="));
    // The api saw every login and logout (it may have seen a login more: one the end of
    // the run cut off after the api answered).
    auto audited = [&](const QString &action) {
      int n = 0;
      for (const QJsonValue &v : call(api, "GET", u"/api/v1/audit?limit=1000"_qs).json()[u"entries"_qs].toArray())
        if (v[u"action"_qs].toString() == action && v[u"target"_qs].toString() == u"ann"_qs && v[u"ok"_qs].toBool()) ++n;
      return n;
    };
    const int auditedLogins = audited(u"login"_qs);
    QVERIFY2(auditedLogins >= logins && auditedLogins <= logins + 20, qPrintable(QString::number(auditedLogins)));
    QCOMPARE(audited(u"logout"_qs), logins);

    // Once per viewer (the default): ten logins, ten logouts at the end, however many journeys.
    rc = run(platformBin(), common + QStringList{u"--player-sessions=10"_qs, u"--player-duration=12"_qs,
                                                 u"--player-watch=4"_qs, u"--player-fail-if=error_rate>0"_qs},
             &out, &err, 60000);
    s = QJsonDocument::fromJson(out).object();
    QVERIFY2(rc == 0, qPrintable(QStringLiteral("rc %1\n%2\n%3").arg(rc).arg(QString::fromUtf8(out), QString::fromUtf8(err.right(3000)))));
    QCOMPARE(s[u"login"_qs].toString(), u"viewer"_qs);
    QCOMPARE(s[u"logins"_qs].toInt(), 10);
    QCOMPARE(s[u"logouts"_qs].toInt(), 10);
    QVERIFY2(s[u"journeys"_qs].toInt() > 10, QJsonDocument(s).toJson().constData());
    QCOMPARE(audited(u"logout"_qs), logins + 10);

    // A wrong password: the login step fails, with the api's answer, and so do the thresholds.
    QFile bad(tmp_.filePath(u"bad.pw"_qs));
    QVERIFY(bad.open(QIODevice::WriteOnly));
    bad.write("not anns password\n");
    bad.close();
    rc = run(platformBin(), common + QStringList{u"--player-password-file="_qs + bad.fileName(), u"--player-sessions=1"_qs,
                                                 u"--player-duration=2"_qs, u"--player-fail-if=error_rate>0"_qs},
             &out, &err, 30000);
    s = QJsonDocument::fromJson(out).object();
    QCOMPARE(rc, 99);
    QVERIFY(s[u"journeys_failed"_qs].toInt() >= 1);
    QCOMPARE(s[u"logins"_qs].toInt(), 0);
    const QStringList errors = s[u"errors"_qs].toObject().keys();
    QVERIFY2(!errors.isEmpty() && errors.first().startsWith(u"login: login refused (HTTP 401"), qPrintable(errors.join(u'\n')));
    QVERIFY(!out.contains("not anns password") && !err.contains("not anns password"));
  }
};

QTEST_GUILESS_MAIN(TestPlayerProcess)
#include "tst_playerprocess.moc"
