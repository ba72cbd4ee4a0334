// The core server speaks TLS when given a certificate and key, for routes and files.

#include "core/http/fileserver.h"
#include "core/http/server.h"
#include "support/rawhttp.h"

#include <QProcess>
#include <QSslSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

using namespace rs;

namespace {

QByteArray readAllUntilClosed(QSslSocket &s) {
  QByteArray out;
  while (s.state() == QAbstractSocket::ConnectedState && s.waitForReadyRead(3000)) out += s.readAll();
  out += s.readAll();
  return out;
}

}  // namespace

class TestTls : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;
  QString cert_, key_;

 private Q_SLOTS:
  void initTestCase() {
    if (!QSslSocket::supportsSsl()) QSKIP("this Qt has no TLS backend");
    cert_ = dir_.filePath(QStringLiteral("cert.pem"));
    key_ = dir_.filePath(QStringLiteral("key.pem"));
    QProcess openssl;
    openssl.start(QStringLiteral("openssl"),
                  {QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"), QStringLiteral("rsa:2048"),
                   QStringLiteral("-nodes"), QStringLiteral("-keyout"), key_, QStringLiteral("-out"), cert_,
                   QStringLiteral("-days"), QStringLiteral("1"), QStringLiteral("-subj"), QStringLiteral("/CN=127.0.0.1")});
    QVERIFY2(openssl.waitForFinished(30000), "openssl did not finish");
    QCOMPARE(openssl.exitCode(), 0);
    QFile big(dir_.filePath(QStringLiteral("media/big.bin")));
    QVERIFY(QDir().mkpath(dir_.filePath(QStringLiteral("media"))));
    QVERIFY(big.open(QIODevice::WriteOnly));
    QByteArray data(300 * 1024, Qt::Uninitialized);
    for (qsizetype i = 0; i < data.size(); ++i) data[i] = char((i * 7919) & 0xff);
    big.write(data);
  }

  void servesRoutesAndFilesOverTls() {
    auto router = std::make_shared<http::Router>();
    router->get(QStringLiteral("/hello"), http::Access::Public, [](http::Request &) { return http::Response::text(200, "hello over tls"); });
    auto root = std::make_shared<http::FileRoot>(dir_.filePath(QStringLiteral("media")));
    router->get(QStringLiteral("/media/{*p}"), http::Access::Public, [root](http::Request &r) { return root->serve(r, r.param(QStringLiteral("p"))); });
    http::ServerOptions o;
    o.workers = 2;
    o.tlsCertificate = cert_;
    o.tlsPrivateKey = key_;
    test::ServerHost server(o, router);
    QVERIFY2(server.ok(), qPrintable(server.error()));

    QSslSocket s;
    s.setPeerVerifyMode(QSslSocket::VerifyNone);
    s.connectToHostEncrypted(QStringLiteral("127.0.0.1"), server.port());
    QVERIFY2(s.waitForEncrypted(5000), qPrintable(s.errorString()));
    s.write("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
    QByteArray got;
    while (!got.contains("hello over tls") && s.waitForReadyRead(3000)) got += s.readAll();
    QVERIFY2(got.startsWith("HTTP/1.1 200 OK\r\n"), got.constData());
    QVERIFY(got.endsWith("hello over tls"));

    // Same connection, a file larger than one TLS write window, then close.
    s.write("GET /media/big.bin HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    const QByteArray resp = readAllUntilClosed(s);
    const auto split = resp.indexOf("\r\n\r\n");
    QVERIFY(split > 0);
    QVERIFY(resp.startsWith("HTTP/1.1 200 OK"));
    const QByteArray body = resp.mid(split + 4);
    QCOMPARE(body.size(), 300 * 1024);
    for (qsizetype i = 0; i < body.size(); i += 4099) QCOMPARE(body[i], char((i * 7919) & 0xff));

    // A plain-text client gets no HTTP answer from a TLS listener.
    QTcpSocket plain;
    plain.connectToHost(QStringLiteral("127.0.0.1"), server.port());
    QVERIFY(plain.waitForConnected(3000));
    plain.write("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
    plain.waitForReadyRead(2000);
    QVERIFY(!plain.readAll().contains("hello over tls"));

    server.stop();
  }

  void missingCertificateIsAClearError() {
    auto router = std::make_shared<http::Router>();
    http::ServerOptions o;
    o.tlsCertificate = dir_.filePath(QStringLiteral("nope.pem"));
    o.tlsPrivateKey = key_;
    http::HttpServer server(o, router);
    const Status s = server.start();
    QVERIFY(!s.isOk());
    QVERIFY2(s.message().contains(QStringLiteral("nope.pem")), qPrintable(s.message()));
  }
};

QTEST_GUILESS_MAIN(TestTls)
#include "tst_tls.moc"
