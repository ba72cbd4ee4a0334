// The load generator's arithmetic: percentiles by nearest rank, k6-like fail-if
// conditions (parsing, unknown metrics, operators, an unmeasured metric failing), and
// Zipf popularity (rank 0 drawn most, in the expected proportion); and the viewer's
// login requests: what the login, the api calls and the logout carry, and reading the
// session cookie out of the api's answers (or why there is none).

#include "player/load/distribution.h"
#include "player/load/login.h"
#include "player/load/thresholds.h"
#include "player/load/zipf.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>
#include <algorithm>

using namespace rs::player;

class TestLoadSummary : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void percentilesByNearestRank() {
    Distribution d;
    QCOMPARE(d.percentile(95), 0.0);
    for (int i = 100; i >= 1; --i) d.add(i);  // 1..100, added out of order
    QCOMPARE(d.percentile(50), 50.0);
    QCOMPARE(d.percentile(95), 95.0);
    QCOMPARE(d.percentile(99), 99.0);
    QCOMPARE(d.percentile(100), 100.0);
    QCOMPARE(d.percentile(0), 1.0);
    QCOMPARE(d.mean(), 50.5);
    QCOMPARE(d.max(), 100.0);
    const QJsonObject j = d.json();
    QCOMPARE(j[u"count"_qs].toInt(), 100);
    QCOMPARE(j[u"p90"_qs].toDouble(), 90.0);
    Distribution one;
    one.add(7);
    QCOMPARE(one.percentile(99), 7.0);
  }

  void failIfConditions() {
    const QStringList known{u"p95_start_ms"_qs, u"error_rate"_qs, u"journeys"_qs};
    auto t = parseThresholds(u"p95_start_ms>2000, error_rate>=0.01,journeys<10"_qs, known);
    QVERIFY2(t.isOk(), qPrintable(t.status().message()));
    QCOMPARE(t->size(), std::size_t(3));
    QCOMPARE(t->at(1).op, u">="_qs);
    QCOMPARE(t->at(1).value, 0.01);
    auto values = [](double start, double errors, std::optional<double> journeys) {
      return [=](const QString &m) -> std::optional<double> {
        if (m == u"p95_start_ms") return start;
        if (m == u"error_rate") return errors;
        return journeys;
      };
    };
    QJsonArray report;
    QVERIFY(evaluateThresholds(*t, values(1500, 0.009, 50), &report));
    QCOMPARE(report.size(), 3);
    QCOMPARE(report[0][u"failed"_qs].toBool(), false);
    report = {};
    QVERIFY(!evaluateThresholds(*t, values(2001, 0, 50), &report));
    QCOMPARE(report[0][u"failed"_qs].toBool(), true);
    QCOMPARE(report[0][u"value"_qs].toDouble(), 2001.0);
    QVERIFY(!evaluateThresholds(*t, values(0, 0.01, 50), &report));    // >= is inclusive
    QVERIFY(!evaluateThresholds(*t, values(0, 0, std::nullopt), &report));  // never measured: fails
    QVERIFY(parseThresholds(QString(), known).isOk());
    for (const QString &bad : {u"p95_start_ms=5"_qs, u"p95>5"_qs, u"error_rate>"_qs, u">5"_qs, u"error_rate>1x"_qs}) {
      auto r = parseThresholds(bad, known);
      QVERIFY2(!r.isOk(), qPrintable(bad));
    }
    QVERIFY(parseThresholds(u"p95>5"_qs, known).status().message().contains(u"unknown metric 'p95'"));
  }

  void zipfFavoursTheFirstRanks() {
    const Zipf zipf(10, 1.0);
    QRandomGenerator random(42);
    std::vector<int> counts(10);
    for (int i = 0; i < 100000; ++i) ++counts[std::size_t(zipf.sample(random))];
    // P(rank k) = (1/k) / H(10), H(10) = 2.929: rank 0 ≈ 34 %, rank 1 ≈ 17 %, rank 9 ≈ 3.4 %.
    QVERIFY2(std::abs(counts[0] / 1e5 - 0.3414) < 0.01, qPrintable(QString::number(counts[0])));
    QVERIFY2(std::abs(counts[1] / 1e5 - 0.1707) < 0.01, qPrintable(QString::number(counts[1])));
    QVERIFY2(std::abs(counts[9] / 1e5 - 0.0341) < 0.005, qPrintable(QString::number(counts[9])));
    const Zipf flat(4, 0.0);
    std::vector<int> even(4);
    for (int i = 0; i < 40000; ++i) ++even[std::size_t(flat.sample(random))];
    for (int c : even) QVERIFY(std::abs(c - 10000) < 600);
  }

  void loginRequestsAndTheSessionCookie() {
    const QUrl api(u"http://127.0.0.1:8080"_qs);
    const FetchRequest login = loginRequest(api, {u"ann"_qs, u"pässword \"1\""_qs});
    QCOMPARE(login.method, QByteArray("POST"));
    QCOMPARE(login.url.toString(), u"http://127.0.0.1:8080/api/v1/session"_qs);
    const QJsonObject body = QJsonDocument::fromJson(login.body).object();
    QCOMPARE(body[u"username"_qs].toString(), u"ann"_qs);
    QCOMPARE(body[u"password"_qs].toString(), u"pässword \"1\""_qs);  // JSON-escaped, not spliced
    QCOMPARE(login.contentType, QByteArray("application/json"));
    QVERIFY(login.authorization.isEmpty());
    const auto csrf = std::pair<QByteArray, QByteArray>("X-ReelStack-CSRF", "1");
    QVERIFY(std::find(login.headers.begin(), login.headers.end(), csrf) != login.headers.end());

    FetchResult answer;
    answer.status = 200;
    answer.setCookies = {"other=1; Path=/", "rs_session=AbC-123_x; Path=/; Max-Age=604800; HttpOnly; SameSite=Strict"};
    auto cookie = sessionCookieOf(answer);
    QVERIFY2(cookie.isOk(), qPrintable(cookie.status().message()));
    QCOMPARE(*cookie, QByteArray("rs_session=AbC-123_x"));
    answer.setCookies = {"rs_session=; Max-Age=0"};
    QVERIFY(!sessionCookieOf(answer).isOk());
    answer.setCookies.clear();
    QVERIFY(sessionCookieOf(answer).status().message().contains(u"without an rs_session cookie"));
    FetchResult refused;
    refused.status = 401;
    refused.body = R"({"error":{"code":"unauthorized","message":"wrong user name or password"}})";
    QCOMPARE(sessionCookieOf(refused).status().code(), rs::ErrorCode::Unauthorized);
    QVERIFY(sessionCookieOf(refused).status().message().contains(u"HTTP 401: wrong user name or password"));
    refused.status = 429;
    refused.body = R"({"error":{"code":"too_many_requests","message":"too many failed logins: try again in 2 s"}})";
    QVERIFY(sessionCookieOf(refused).status().message().contains(u"throttled (HTTP 429: too many failed logins"));
    FetchResult broken;
    broken.error = u"connection refused"_qs;
    QCOMPARE(sessionCookieOf(broken).status().code(), rs::ErrorCode::Unavailable);

    // Signed in: GETs carry the cookie, changes the CSRF header too; a token is a header of its own.
    const ViewerCredential session{{}, "rs_session=AbC-123_x"};
    FetchRequest browse;
    session.apply(browse);
    QCOMPARE(browse.headers.size(), std::size_t(1));
    QCOMPARE(browse.headers.front(), (std::pair<QByteArray, QByteArray>("Cookie", "rs_session=AbC-123_x")));
    FetchRequest play;
    play.method = "POST";
    session.apply(play);
    QVERIFY(std::find(play.headers.begin(), play.headers.end(), csrf) != play.headers.end());
    QVERIFY(play.authorization.isEmpty());
    FetchRequest withToken;
    withToken.method = "POST";
    ViewerCredential{"Bearer rst_x", {}}.apply(withToken);
    QCOMPARE(withToken.authorization, QByteArray("Bearer rst_x"));
    QVERIFY(withToken.headers.empty());  // bearer tokens are not ambient: no CSRF header needed
    const FetchRequest out = logoutRequest(api, "rs_session=AbC-123_x");
    QCOMPARE(out.method, QByteArray("DELETE"));
    QCOMPARE(out.url.path(), u"/api/v1/session"_qs);
    QVERIFY(std::find(out.headers.begin(), out.headers.end(), csrf) != out.headers.end());
  }
};

QTEST_GUILESS_MAIN(TestLoadSummary)
#include "tst_loadsummary.moc"
