#include "core/http/path.h"

#include <QTest>

using rs::ErrorCode;
using rs::http::parseTarget;

class TestPath : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void valid_data() {
    QTest::addColumn<QByteArray>("raw");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("query");

    QTest::newRow("root") << QByteArray("/") << QStringLiteral("/") << QByteArray();
    QTest::newRow("plain") << QByteArray("/media/movie.mp4") << QStringLiteral("/media/movie.mp4")
                           << QByteArray();
    QTest::newRow("query") << QByteArray("/api/items?limit=10&q=a%20b")
                           << QStringLiteral("/api/items") << QByteArray("limit=10&q=a%20b");
    QTest::newRow("empty query") << QByteArray("/a?") << QStringLiteral("/a") << QByteArray();
    QTest::newRow("second ? stays in query")
        << QByteArray("/a?b?c") << QStringLiteral("/a") << QByteArray("b?c");
    QTest::newRow("dots in query untouched")
        << QByteArray("/a?p=../../etc") << QStringLiteral("/a") << QByteArray("p=../../etc");
    QTest::newRow("space escape") << QByteArray("/a%20b") << QStringLiteral("/a b") << QByteArray();
    QTest::newRow("dot segment") << QByteArray("/a/./b") << QStringLiteral("/a/b") << QByteArray();
    QTest::newRow("dotdot inside") << QByteArray("/a/b/../c") << QStringLiteral("/a/c")
                                   << QByteArray();
    QTest::newRow("dotdot to root") << QByteArray("/a/..") << QStringLiteral("/") << QByteArray();
    QTest::newRow("trailing dotdot keeps dir")
        << QByteArray("/a/b/..") << QStringLiteral("/a/") << QByteArray();
    QTest::newRow("trailing dot keeps dir")
        << QByteArray("/a/.") << QStringLiteral("/a/") << QByteArray();
    QTest::newRow("encoded dotdot") << QByteArray("/a/%2e%2e/b") << QStringLiteral("/b")
                                    << QByteArray();
    QTest::newRow("encoded dotdot upper")
        << QByteArray("/a/b/%2E%2E%2Fc") << QStringLiteral("/a/c") << QByteArray();
    QTest::newRow("encoded slash mid-path")
        << QByteArray("/a%2fb") << QStringLiteral("/a/b") << QByteArray();
    QTest::newRow("double slashes") << QByteArray("//a///b//") << QStringLiteral("/a/b/")
                                    << QByteArray();
    QTest::newRow("trailing slash") << QByteArray("/dir/") << QStringLiteral("/dir/")
                                    << QByteArray();
    QTest::newRow("no trailing slash") << QByteArray("/dir") << QStringLiteral("/dir")
                                       << QByteArray();
    QTest::newRow("three dots is a name")
        << QByteArray("/a/.../b") << QStringLiteral("/a/.../b") << QByteArray();
    QTest::newRow("dotfile") << QByteArray("/a/.hidden") << QStringLiteral("/a/.hidden")
                             << QByteArray();
    QTest::newRow("utf8") << QByteArray("/caf%C3%A9") << QStringLiteral("/caf\u00e9")
                          << QByteArray();
    QTest::newRow("utf8 4-byte") << QByteArray("/%F0%9F%8E%AC") << QString::fromUtf8("/\xF0\x9F\x8E\xAC")
                                 << QByteArray();
    QTest::newRow("decoded once") << QByteArray("/a%252e%252e/b") << QStringLiteral("/a%2e%2e/b")
                                  << QByteArray();
    QTest::newRow("percent-encoded percent")
        << QByteArray("/100%25") << QStringLiteral("/100%") << QByteArray();
  }

  void valid() {
    QFETCH(QByteArray, raw);
    QFETCH(QString, path);
    QFETCH(QByteArray, query);
    const auto t = parseTarget(raw);
    QVERIFY2(t.isOk(), qPrintable(t.status().message()));
    QCOMPARE(t.value().path, path);
    QCOMPARE(t.value().query, query);
  }

  void invalid_data() {
    QTest::addColumn<QByteArray>("raw");

    QTest::newRow("empty") << QByteArray();
    QTest::newRow("asterisk") << QByteArray("*");
    QTest::newRow("absolute-form") << QByteArray("http://x/");
    QTest::newRow("authority-form") << QByteArray("example.com:443");
    QTest::newRow("relative") << QByteArray("a/b");
    QTest::newRow("fragment") << QByteArray("/a#frag");
    QTest::newRow("fragment in query") << QByteArray("/a?x#frag");
    QTest::newRow("climb") << QByteArray("/../etc/passwd");
    QTest::newRow("climb bare") << QByteArray("/..");
    QTest::newRow("climb after pop") << QByteArray("/a/../../x");
    QTest::newRow("climb encoded") << QByteArray("/%2e%2e/etc");
    QTest::newRow("climb mixed encoded") << QByteArray("/.%2e/etc");
    QTest::newRow("climb encoded upper slash") << QByteArray("/%2E%2E%2Fetc");
    QTest::newRow("climb dotdot slash encoded") << QByteArray("/media/..%2f..%2fetc/passwd");
    QTest::newRow("nul") << QByteArray("/a%00b");
    QTest::newRow("control") << QByteArray("/a%0d%0aSet-Cookie:x");
    QTest::newRow("del") << QByteArray("/a%7f");
    QTest::newRow("invalid escape") << QByteArray("/a%zz");
    QTest::newRow("half escape") << QByteArray("/a%4g");
    QTest::newRow("truncated escape") << QByteArray("/a%4");
    QTest::newRow("lone percent") << QByteArray("/a%");
    QTest::newRow("backslash") << QByteArray("/a\\b");
    QTest::newRow("encoded backslash") << QByteArray("/a%5c..%5c..%5cwin.ini");
    QTest::newRow("utf8 truncated") << QByteArray("/%C3");
    QTest::newRow("utf8 bad continuation") << QByteArray("/%C3%28");
    QTest::newRow("utf8 overlong slash") << QByteArray("/%C0%AF");
    QTest::newRow("utf8 overlong dot") << QByteArray("/%E0%80%AE%E0%80%AE/x");
    QTest::newRow("utf8 surrogate") << QByteArray("/%ED%A0%80");
    QTest::newRow("utf8 beyond max") << QByteArray("/%F4%90%80%80");
    QTest::newRow("raw control in path") << QByteArray("/a\tb");
    QTest::newRow("control in query") << QByteArray("/a?x=\x01");
  }

  void invalid() {
    QFETCH(QByteArray, raw);
    const auto t = parseTarget(raw);
    QVERIFY2(!t.isOk(), qPrintable(t.isOk() ? t.value().path : QString()));
    QCOMPARE(t.status().code(), ErrorCode::BadRequest);
    QCOMPARE(t.status().httpStatus(), 400);
    QVERIFY(!t.status().message().isEmpty());
  }

  void escapeMessage() {
    const auto t = parseTarget("/a/../../x");
    QVERIFY(!t.isOk());
    QVERIFY(t.status().message().contains(QStringLiteral("escapes the root")));
  }
};

QTEST_GUILESS_MAIN(TestPath)
#include "tst_path.moc"
