// The core server's TLS (OpenSSL on the listener's sockets) against real clients:
// Qt's TLS stack through our HttpClient (verification failures name their reason),
// QSslSocket, a raw TCP socket speaking plain HTTP to the TLS port, and the
// independent tools curl and openssl s_client (protocol floor, ALPN, resumption).
// Certificates come from the same OpenSSL code `platform tls init` uses.

#include "core/http/fileserver.h"
#include "core/http/server.h"
#include "core/net/httpclient.h"
#include "core/tls/localca.h"
#include "core/tls/servercontext.h"
#include "core/tls/settings.h"
#include "support/rawhttp.h"

#include <QEventLoop>
#include <QFile>
#include <QProcess>
#include <QSaveFile>
#include <QSslCertificate>
#include <QSslSocket>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QTimer>

#include <atomic>
#include <sys/stat.h>

using namespace rs;

namespace {

bool writeFile(const QString &path, const QByteArray &data) {
  QSaveFile f(path);
  return f.open(QIODevice::WriteOnly) && f.write(data) == data.size() && f.commit();
}

net::ClientReply fetch(net::HttpClient &client, const QUrl &url) {
  net::ClientReply out;
  QEventLoop loop;
  net::ClientOptions o;
  o.timeoutMs = 5000;
  client.get(url, o, [&](net::ClientReply r) {
    out = std::move(r);
    loop.quit();
  });
  loop.exec();
  return out;
}

// One blocking HTTPS request on a fresh QSslSocket that verifies against the trust
// installed in this process; the CN of the certificate it saw goes to *cn.
bool httpsGet(quint16 port, const QByteArray &path, QByteArray *body, QString *cn, QString *why) {
  QSslSocket s;
  s.connectToHostEncrypted(QStringLiteral("127.0.0.1"), port);
  if (!s.waitForEncrypted(5000)) {
    *why = s.errorString();
    return false;
  }
  if (cn) *cn = s.peerCertificate().subjectInfo(QSslCertificate::CommonName).value(0);
  for (int i = 0; i < 3; ++i) {  // keep-alive: three requests on the connection
    s.write("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    QByteArray got;
    while (!(got.contains("\r\n\r\n") && got.endsWith("ok")) && s.waitForReadyRead(5000)) got += s.readAll();
    if (!got.startsWith("HTTP/1.1 200")) {
      *why = QStringLiteral("request %1: %2 (%3)").arg(i).arg(QString::fromLatin1(got.left(80)), s.errorString());
      return false;
    }
    if (body) *body = got.mid(got.indexOf("\r\n\r\n") + 4);
  }
  return true;
}

QString run(const QString &program, const QStringList &args, const QByteArray &input, int *exitCode) {
  QProcess p;
  p.setProcessChannelMode(QProcess::MergedChannels);
  p.start(program, args);
  if (!p.waitForStarted(5000)) return QStringLiteral("cannot start %1").arg(program);
  p.write(input);
  p.closeWriteChannel();
  p.waitForFinished(15000);
  *exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
  return QString::fromUtf8(p.readAll());
}

}  // namespace

class TestTls : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;
  tls::Pem ca_, otherCa_;
  QString caFile_, cert_, key_;  // a valid pair for 127.0.0.1 and localhost
  std::shared_ptr<http::Router> router_ = std::make_shared<http::Router>();

  QString path(const char *name) const { return dir_.filePath(QLatin1String(name)); }

  // Writes a server pair signed by `ca` into files named after `stem`.
  bool issue(const tls::Pem &ca, const QStringList &names, const QDateTime &from, const QDateTime &to, const char *stem,
             QString *cert, QString *key) {
    auto pem = tls::issueServerCertificate(ca, names, from, to);
    if (!pem) return false;
    *cert = dir_.filePath(QLatin1String(stem) + QStringLiteral(".pem"));
    *key = dir_.filePath(QLatin1String(stem) + QStringLiteral(".key"));
    return writeFile(*cert, pem->certificate) && writeFile(*key, pem->privateKey);
  }

  http::ServerOptions options(const QString &cert, const QString &key) const {
    http::ServerOptions o;
    o.workers = 2;
    o.tlsCertificate = cert;
    o.tlsPrivateKey = key;
    return o;
  }

 private Q_SLOTS:
  void initTestCase() {
    const QDateTime now = QDateTime::currentDateTimeUtc();
    auto ca = tls::makeCertificateAuthority(QStringLiteral("test CA"), now.addSecs(-3600), now.addDays(30));
    QVERIFY2(ca, qPrintable(ca.status().message()));
    ca_ = *ca;
    auto other = tls::makeCertificateAuthority(QStringLiteral("a CA nobody trusts"), now.addSecs(-3600), now.addDays(30));
    QVERIFY(other);
    otherCa_ = *other;
    caFile_ = path("ca.pem");
    QVERIFY(writeFile(caFile_, ca_.certificate));
    QVERIFY(issue(ca_, {QStringLiteral("localhost"), QStringLiteral("127.0.0.1")}, now.addSecs(-3600), now.addDays(10), "server",
                  &cert_, &key_));
    // What every client in this process trusts from now on: the system store plus our CA.
    QVERIFY(tls::installClientTrust(caFile_).isOk());

    QFile big(path("media/big.bin"));
    QVERIFY(QDir().mkpath(path("media")));
    QVERIFY(big.open(QIODevice::WriteOnly));
    QByteArray data(300 * 1024, Qt::Uninitialized);
    for (qsizetype i = 0; i < data.size(); ++i) data[i] = char((i * 7919) & 0xff);
    big.write(data);
    big.close();
    router_->get(QStringLiteral("/hello"), http::Access::Public, [](http::Request &) { return http::Response::text(200, "hello over tls ok"); });
    auto root = std::make_shared<http::FileRoot>(path("media"));
    router_->get(QStringLiteral("/media/{*p}"), http::Access::Public, [root](http::Request &r) { return root->serve(r, r.param(QStringLiteral("p"))); });
  }

  void localCaFilesAreMadeWithPrivateKeysOwnerOnly() {
    QTemporaryDir data;
    auto made = tls::initLocalCa(data.path(), tls::defaultServerNames({QStringLiteral("media.example"), QStringLiteral("10.1.2.3")}));
    QVERIFY2(made, qPrintable(made.status().message()));
    QVERIFY(made->createdCa);
    for (const QString &k : {made->caKey, made->privateKey}) {
      struct stat st {};
      QCOMPARE(::stat(QFile::encodeName(k).constData(), &st), 0);
      QCOMPARE(int(st.st_mode & 0777), 0600);
    }
    QFile certFile(made->certificate);
    QVERIFY(certFile.open(QIODevice::ReadOnly));
    const auto chain = QSslCertificate::fromData(certFile.readAll());
    QCOMPARE(chain.size(), 2);  // leaf, then the CA
    const auto sans = chain.first().subjectAlternativeNames();
    QVERIFY(sans.values(QSsl::DnsEntry).contains(QStringLiteral("localhost")));
    QVERIFY(sans.values(QSsl::DnsEntry).contains(QStringLiteral("media.example")));
    QVERIFY(sans.values(QSsl::IpAddressEntry).contains(QStringLiteral("127.0.0.1")));
    QVERIFY(sans.values(QSsl::IpAddressEntry).contains(QStringLiteral("10.1.2.3")));
    // The leaf verifies against the CA it came with, for these names.
    QFile caPem(made->caCertificate);
    QVERIFY(caPem.open(QIODevice::ReadOnly));
    const QByteArray caBytes = caPem.readAll();
    const auto errors = QSslCertificate::verify(chain, QStringLiteral("media.example"));
    for (const QSslError &e : errors)  // only "not trusted" may be left: this CA is not in the system store
      QVERIFY2(e.error() == QSslError::SelfSignedCertificateInChain || e.error() == QSslError::UnableToGetLocalIssuerCertificate,
               qPrintable(e.errorString()));
    // A second run keeps the CA (trust survives) and reissues the server certificate.
    auto again = tls::initLocalCa(data.path(), tls::defaultServerNames({}));
    QVERIFY(again);
    QVERIFY(!again->createdCa);
    QFile caAfter(made->caCertificate);
    QVERIFY(caAfter.open(QIODevice::ReadOnly));
    QCOMPARE(caAfter.readAll(), caBytes);
  }

  void servesRoutesAndFilesOverTls() {
    test::ServerHost server(options(cert_, key_), router_);
    QVERIFY2(server.ok(), qPrintable(server.error()));
    QSslSocket s;
    s.connectToHostEncrypted(QStringLiteral("127.0.0.1"), server.port());
    QVERIFY2(s.waitForEncrypted(5000), qPrintable(s.errorString()));
    QVERIFY(s.sessionProtocol() == QSsl::TlsV1_3 || s.sessionProtocol() == QSsl::TlsV1_2);
    s.write("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
    QByteArray got;
    while (!got.endsWith("hello over tls ok") && s.waitForReadyRead(3000)) got += s.readAll();
    QVERIFY2(got.startsWith("HTTP/1.1 200 OK\r\n"), got.constData());

    // Same connection, a file of many TLS records (no kernel TLS here: read and
    // encrypted in bounded steps), then a small file that goes out with its head.
    s.write("GET /media/big.bin HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    QByteArray resp;
    while (s.state() == QAbstractSocket::ConnectedState && s.waitForReadyRead(3000)) resp += s.readAll();
    resp += s.readAll();
    const auto split = resp.indexOf("\r\n\r\n");
    QVERIFY(split > 0);
    QVERIFY(resp.startsWith("HTTP/1.1 200 OK"));
    const QByteArray body = resp.mid(split + 4);
    QCOMPARE(body.size(), 300 * 1024);
    for (qsizetype i = 0; i < body.size(); ++i)
      if (body[i] != char((i * 7919) & 0xff)) QFAIL(qPrintable(QStringLiteral("byte %1 differs").arg(i)));

    // A range of the file, through our HttpClient (Qt's TLS client, verifying).
    net::HttpClient client;
    const auto r = fetch(client, QUrl(QStringLiteral("https://127.0.0.1:%1/hello").arg(server.port())));
    QVERIFY2(r.ok(), qPrintable(r.describe()));
    QCOMPARE(r.body, QByteArray("hello over tls ok"));
  }

  void plainHttpOnTheTlsPortGetsAClearAnswerAndClose() {
    test::ServerHost server(options(cert_, key_), router_);
    QVERIFY(server.ok());
    QTcpSocket plain;
    plain.connectToHost(QStringLiteral("127.0.0.1"), server.port());
    QVERIFY(plain.waitForConnected(3000));
    plain.write("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
    QElapsedTimer t;
    t.start();
    QByteArray got;
    while (plain.state() == QAbstractSocket::ConnectedState && t.elapsed() < 5000) {
      plain.waitForReadyRead(200);
      got += plain.readAll();
    }
    got += plain.readAll();
    QVERIFY2(plain.state() != QAbstractSocket::ConnectedState, "the server left a plain-HTTP client hanging");
    QVERIFY2(t.elapsed() < 3000, "the close took too long");
    QVERIFY2(got.startsWith("HTTP/1.1 400 Bad Request\r\n"), got.constData());
    QVERIFY(got.contains("\"code\":\"bad_request\""));
    QVERIFY(got.contains("https://"));
    QVERIFY(!got.contains("hello over tls"));
    // A client that connects and says nothing is closed by the handshake deadline,
    // like a slowloris head (the listener's header timeout).
  }

  void ourClientRefusesBadCertificatesWithTheReason_data() {
    QTest::addColumn<QString>("stem");
    QTest::addColumn<QString>("reason");  // part of Qt's text for the failure
    const QDateTime now = QDateTime::currentDateTimeUtc();
    QString c, k;
    QVERIFY(issue(ca_, {QStringLiteral("127.0.0.1")}, now.addDays(-30), now.addDays(-1), "expired", &c, &k));
    QTest::newRow("expired") << "expired" << "expired";
    QVERIFY(issue(ca_, {QStringLiteral("media.example")}, now.addSecs(-3600), now.addDays(10), "wronghost", &c, &k));
    QTest::newRow("wrong host") << "wronghost" << "host name";
    QVERIFY(issue(otherCa_, {QStringLiteral("127.0.0.1")}, now.addSecs(-3600), now.addDays(10), "untrusted", &c, &k));
    QTest::newRow("untrusted CA") << "untrusted" << "issuer";
  }

  void ourClientRefusesBadCertificatesWithTheReason() {
    QFETCH(QString, stem);
    QFETCH(QString, reason);
    test::ServerHost server(options(dir_.filePath(stem + QStringLiteral(".pem")), dir_.filePath(stem + QStringLiteral(".key"))),
                            router_);
    QVERIFY2(server.ok(), qPrintable(server.error()));
    net::HttpClient client;
    const auto r = fetch(client, QUrl(QStringLiteral("https://127.0.0.1:%1/hello").arg(server.port())));
    QVERIFY2(!r.ok(), "a bad certificate was accepted");
    QCOMPARE(r.status, 0);  // no HTTP exchange at all: nothing fell back to plain HTTP
    QVERIFY(r.body.isEmpty());
    QVERIFY2(r.error.contains(reason, Qt::CaseInsensitive), qPrintable(r.error));
  }

  void badFilesAreStartupErrorsNamingTheFile() {
    {
      http::HttpServer server(options(path("nope.pem"), key_), router_);
      const Status s = server.start();
      QVERIFY(!s.isOk());
      QVERIFY2(s.message().contains(QStringLiteral("nope.pem")), qPrintable(s.message()));
    }
    {
      QString c, k;
      QVERIFY(issue(ca_, {QStringLiteral("127.0.0.1")}, QDateTime::currentDateTimeUtc(), QDateTime::currentDateTimeUtc().addDays(1),
                    "other", &c, &k));
      http::HttpServer server(options(cert_, k), router_);  // a key of another certificate
      const Status s = server.start();
      QVERIFY(!s.isOk());
      QVERIFY2(s.message().contains(QStringLiteral("does not belong")), qPrintable(s.message()));
    }
  }

  // Certificates renewed while clients keep connecting: by file change (certbot
  // replacing the files) and by reloadTls() (SIGHUP). No request fails, connections
  // opened after each renewal see the new certificate.
  void reloadUnderLoadDropsNothing() {
    const QDateTime now = QDateTime::currentDateTimeUtc();
    QString c, k, c2, k2, c3, k3;
    QVERIFY(issue(ca_, {QStringLiteral("gen-1"), QStringLiteral("127.0.0.1")}, now.addSecs(-60), now.addDays(1), "live", &c, &k));
    QVERIFY(issue(ca_, {QStringLiteral("gen-2"), QStringLiteral("127.0.0.1")}, now.addSecs(-60), now.addDays(1), "next2", &c2, &k2));
    QVERIFY(issue(ca_, {QStringLiteral("gen-3"), QStringLiteral("127.0.0.1")}, now.addSecs(-60), now.addDays(1), "next3", &c3, &k3));
    http::ServerOptions o = options(c, k);
    o.tlsWatchMs = 100;
    o.workers = 2;
    test::ServerHost server(o, router_);
    QVERIFY(server.ok());

    std::atomic<bool> stop{false};
    std::atomic<int> ok{0}, failed{0};
    QMutex mu;
    QStringList errors;
    QSet<QString> seen;
    std::vector<std::unique_ptr<QThread>> threads;
    for (int i = 0; i < 4; ++i) {
      threads.emplace_back(QThread::create([&] {
        while (!stop) {
          QString cn, why;
          if (httpsGet(server.port(), "/hello", nullptr, &cn, &why)) {
            ok += 3;
            QMutexLocker l(&mu);
            seen.insert(cn);
          } else {
            ++failed;
            QMutexLocker l(&mu);
            errors << why;
          }
        }
      }));
      threads.back()->start();
    }
    auto readFile = [](const QString &p) {
      QFile f(p);
      return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    };
    QTest::qWait(700);
    // Renewal 1: the files change in place (key first, as certbot's atomic renames do).
    QVERIFY(writeFile(k, readFile(k2)));
    QVERIFY(writeFile(c, readFile(c2)));
    auto saw = [&](const char *cn) {
      QMutexLocker l(&mu);
      return seen.contains(QLatin1String(cn));
    };
    QTRY_VERIFY_WITH_TIMEOUT(saw("gen-2"), 5000);
    // Renewal 2: and once more, while the load goes on.
    QVERIFY(writeFile(k, readFile(k3)));
    QVERIFY(writeFile(c, readFile(c3)));
    QTRY_VERIFY_WITH_TIMEOUT(saw("gen-3"), 5000);
    QTest::qWait(500);
    stop = true;
    for (auto &t : threads) t->wait();
    QVERIFY2(failed == 0, qPrintable(QStringLiteral("%1 failed, first: %2").arg(failed.load()).arg(errors.value(0))));
    QVERIFY2(ok > 100, qPrintable(QStringLiteral("only %1 requests").arg(ok.load())));
    QVERIFY(seen.contains(QStringLiteral("gen-1")));
    QString cn, why;
    QVERIFY2(httpsGet(server.port(), "/hello", nullptr, &cn, &why), qPrintable(why));
    QCOMPARE(cn, QStringLiteral("gen-3"));
  }

  // Without the file watch only reloadTls() (what SIGHUP calls) swaps the pair.
  void reloadTlsSwapsThePairForNewConnections() {
    const QDateTime now = QDateTime::currentDateTimeUtc();
    QString c, k, c2, k2;
    QVERIFY(issue(ca_, {QStringLiteral("hup-1"), QStringLiteral("127.0.0.1")}, now.addSecs(-60), now.addDays(1), "hup", &c, &k));
    QVERIFY(issue(ca_, {QStringLiteral("hup-2"), QStringLiteral("127.0.0.1")}, now.addSecs(-60), now.addDays(1), "hup2", &c2, &k2));
    http::ServerOptions o = options(c, k);
    o.tlsWatchMs = 0;
    test::ServerHost server(o, router_);
    QVERIFY(server.ok());
    // A keep-alive connection opened before the reload.
    QSslSocket before;
    before.connectToHostEncrypted(QStringLiteral("127.0.0.1"), server.port());
    QVERIFY(before.waitForEncrypted(5000));
    QVERIFY(QFile::remove(c) && QFile::copy(c2, c));
    QVERIFY(QFile::remove(k) && QFile::copy(k2, k));
    QString cn, why;
    QTest::qWait(300);
    QVERIFY2(httpsGet(server.port(), "/hello", nullptr, &cn, &why), qPrintable(why));
    QCOMPARE(cn, QStringLiteral("hup-1"));  // no watch: nothing changed yet
    QVERIFY(server.onServer([](http::HttpServer &s) { return s.reloadTls(); }).isOk());
    QVERIFY2(httpsGet(server.port(), "/hello", nullptr, &cn, &why), qPrintable(why));
    QCOMPARE(cn, QStringLiteral("hup-2"));
    // The old connection still works, on the old pair.
    before.write("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
    QByteArray got;
    while (!got.endsWith("ok") && before.waitForReadyRead(3000)) got += before.readAll();
    QVERIFY2(got.startsWith("HTTP/1.1 200"), got.constData());
    QCOMPARE(before.peerCertificate().subjectInfo(QSslCertificate::CommonName).value(0), QStringLiteral("hup-1"));
  }

  void explicitReloadKeepsTheOldPairWhenTheNewOneIsBroken() {
    QString c, k;
    QVERIFY(issue(ca_, {QStringLiteral("keep-me"), QStringLiteral("127.0.0.1")}, QDateTime::currentDateTimeUtc().addSecs(-60),
                  QDateTime::currentDateTimeUtc().addDays(1), "keep", &c, &k));
    auto ctx = tls::ServerContext::create({c, k});
    QVERIFY(ctx);
    QCOMPARE((*ctx)->generation(), 1);
    QVERIFY(writeFile(c, "not a certificate"));
    const Status s = (*ctx)->reload();
    QVERIFY(!s.isOk());
    QVERIFY2(s.message().contains(c), qPrintable(s.message()));
    QCOMPARE((*ctx)->generation(), 1);
    QVERIFY((*ctx)->current() != nullptr);
    QVERIFY((*ctx)->subject().contains(QStringLiteral("keep-me")));
  }

  // Independent clients: curl and openssl s_client.
  void curlAndOpensslInterop() {
    const QString curl = QStandardPaths::findExecutable(QStringLiteral("curl"));
    const QString openssl = QStandardPaths::findExecutable(QStringLiteral("openssl"));
    if (curl.isEmpty() || openssl.isEmpty()) QSKIP("curl or openssl missing (installer/setup-deps.sh installs both)");
    test::ServerHost server(options(cert_, key_), router_);
    QVERIFY(server.ok());
    const QString port = QString::number(server.port());
    int rc = 0;
    QString out = run(curl, {QStringLiteral("-sS"), QStringLiteral("--cacert"), caFile_, QStringLiteral("https://localhost:%1/hello").arg(port)}, {}, &rc);
    QCOMPARE(rc, 0);
    QCOMPARE(out, QStringLiteral("hello over tls ok"));
    // curl without our CA refuses, saying why.
    out = run(curl, {QStringLiteral("-sS"), QStringLiteral("--capath"), QStringLiteral("/nonexistent"), QStringLiteral("--cacert"),
                     path("nothing.pem"), QStringLiteral("https://localhost:%1/hello").arg(port)}, {}, &rc);
    QVERIFY(rc != 0);
    // A large file through curl, byte-exact.
    out = run(curl, {QStringLiteral("-sS"), QStringLiteral("--cacert"), caFile_, QStringLiteral("-o"), path("got.bin"),
                     QStringLiteral("-w"), QStringLiteral("%{http_code} %{size_download}"),
                     QStringLiteral("https://127.0.0.1:%1/media/big.bin").arg(port)}, {}, &rc);
    QCOMPARE(rc, 0);
    QCOMPARE(out, QStringLiteral("200 %1").arg(300 * 1024));
    QFile got(path("got.bin")), want(path("media/big.bin"));
    QVERIFY(got.open(QIODevice::ReadOnly) && want.open(QIODevice::ReadOnly));
    QVERIFY(got.readAll() == want.readAll());

    const QByteArray request = "GET /hello HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    const QStringList base = {QStringLiteral("s_client"), QStringLiteral("-connect"), QStringLiteral("127.0.0.1:") + port,
                              QStringLiteral("-CAfile"), caFile_, QStringLiteral("-verify_return_error"), QStringLiteral("-ign_eof")};
    // TLS 1.1 is refused; 1.2 and 1.3 are served.
    out = run(openssl, base + QStringList{QStringLiteral("-tls1_1")}, request, &rc);
    QVERIFY2(rc != 0 && !out.contains(QStringLiteral("hello over tls")), qPrintable(out));
    out = run(openssl, base + QStringList{QStringLiteral("-tls1_2")}, request, &rc);
    QVERIFY2(out.contains(QStringLiteral("hello over tls ok")) && out.contains(QStringLiteral("TLSv1.2")), qPrintable(out));
    QVERIFY2(out.contains(QStringLiteral("Verify return code: 0 (ok)")), qPrintable(out));
    // ALPN: http/1.1 chosen from what the client offers.
    out = run(openssl, base + QStringList{QStringLiteral("-alpn"), QStringLiteral("h2,http/1.1")}, request, &rc);
    QVERIFY2(out.contains(QStringLiteral("ALPN protocol: http/1.1")), qPrintable(out));
    // Session resumption (TLS 1.3 tickets and TLS 1.2 session ids).
    for (const QString &version : {QStringLiteral("-tls1_3"), QStringLiteral("-tls1_2")}) {
      const QString sess = path("session.pem");
      QFile::remove(sess);
      out = run(openssl, base + QStringList{version, QStringLiteral("-sess_out"), sess}, request, &rc);
      QVERIFY2(out.contains(QStringLiteral("hello over tls ok")), qPrintable(out));
      out = run(openssl, base + QStringList{version, QStringLiteral("-sess_in"), sess}, request, &rc);
      QVERIFY2(out.contains(QStringLiteral("Reused, TLSv1.")), qPrintable(version + QLatin1Char(' ') + out));
    }
  }
};

QTEST_GUILESS_MAIN(TestTls)
#include "tst_tls.moc"
