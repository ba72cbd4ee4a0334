// The credentials' building blocks (modules/core/auth): the OpenSSL primitives against
// published test vectors, the cluster key ring's file format and rotation, service and
// playback tokens against every kind of forgery (a flipped bit anywhere, another
// title, a retired key, expiry), and the key file's permissions.

#include "core/auth/clusterkeys.h"
#include "core/auth/crypto.h"
#include "core/auth/playbacktoken.h"
#include "core/auth/secretfile.h"
#include "core/auth/servicetoken.h"

#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace rs;
using namespace rs::auth;
using namespace Qt::StringLiterals;

namespace {
constexpr qint64 kNow = 1'800'000'000;  // a fixed clock: tokens are judged at this second

QByteArray flipBit(QByteArray s, qsizetype byte, int bit) {
  s[byte] = char(s[byte] ^ (1 << bit));
  return s;
}
}  // namespace

class TestAuth : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  // RFC 4231 test case 2 and RFC 5869 test case 1: our wrappers compute the standard.
  void hmacAndHkdfMatchTheRfcs() {
    const HmacKey key("Jefe");
    QCOMPARE(key.sign("what do ya want for nothing?").toHex(),
             QByteArray("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"));
    QVERIFY(key.verify("what do ya want for nothing?", QByteArray::fromHex("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")));
    QVERIFY(!key.verify("what do ya want for nothing!", QByteArray::fromHex("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")));
    // HKDF with salt omitted is RFC 5869 case 3.
    const QByteArray ikm(22, char(0x0b));
    QCOMPARE(hkdfSha256(ikm, QByteArray(), 42).toHex(),
             QByteArray("8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8"));
    QCOMPARE(sha256("abc").toHex(), QByteArray("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
    QCOMPARE(randomBytes(32).size(), 32);
    QVERIFY(randomBytes(16) != randomBytes(16));
  }

  void base64UrlIsStrict() {
    QCOMPARE(base64Url(QByteArray("\xfb\xff", 2)), QByteArray("-_8"));
    QCOMPARE(*fromBase64Url("-_8"), QByteArray("\xfb\xff", 2));
    // "-_9" decodes to the same bytes as "-_8" (unused low bits): not canonical.
    for (const char *bad : {"-_8=", "-_9", "a+b", "ab/c", "a b", "abcde", "ab.c", "\xc3\xa9"})
      QVERIFY2(!fromBase64Url(bad), bad);
    QCOMPARE(*fromBase64Url(""), QByteArray());
    QVERIFY(constantTimeEqual("abc", "abc"));
    QVERIFY(!constantTimeEqual("abc", "abd"));
    QVERIFY(!constantTimeEqual("abc", "abcd"));
  }

  void keyRingRoundTripsAndRefusesBadFiles() {
    KeyRing ring = KeyRing::generate();
    const QByteArray staged = ring.add();
    QVERIFY(ring.promote(staged, 60, kNow).isOk());
    auto back = KeyRing::parse(ring.serialize(), u"ring"_s);
    QVERIFY2(back.isOk(), qPrintable(back.status().message()));
    QCOMPARE(back->keys().size(), size_t(2));
    QCOMPARE(back->keys()[0].key.id, staged);
    QCOMPARE(back->keys()[0].key.secret, ring.keys()[0].key.secret);
    QCOMPARE(back->keys()[1].key.untilSec, kNow + 60);

    const QByteArray secret = base64Url(QByteArray(32, 'k'));
    const struct {
      QByteArray text;
      const char *why;
    } bad[] = {{"", "holds no key"},
               {"# only a comment\n", "holds no key"},
               {"0123456 " + secret, "8 lowercase hex"},
               {"0123456G " + secret, "8 lowercase hex"},
               {"01234567 " + base64Url(QByteArray(31, 'k')), "32 bytes"},
               {"01234567 not+base64", "32 bytes"},
               {"01234567 " + secret + " until=soon", "until=<unix seconds>"},
               {"01234567 " + secret + "\n01234567 " + secret, "appears twice"},
               {"01234567", "expected"}};
    for (const auto &c : bad) {
      auto r = KeyRing::parse(c.text, u"f.key"_s);
      QVERIFY2(!r.isOk(), c.text.constData());
      QVERIFY2(r.status().message().contains(QLatin1String(c.why)), qPrintable(r.status().message()));
      // An error names the file and the line, never the secret.
      QVERIFY2(!r.status().message().contains(QString::fromLatin1(secret)), qPrintable(r.status().message()));
    }
  }

  // add() stages (verifies, does not sign), promote() hands signing over with a grace
  // for the others, drop() retires at once, and the last key cannot be dropped.
  void rotationHasAGracePeriod() {
    KeyRing ring = KeyRing::generate();
    const QByteArray first = ring.keys()[0].key.id;
    const QByteArray second = ring.add();
    QCOMPARE(ring.signing(kNow)->key.id, first);
    QVERIFY(ring.find(second, kNow));
    QVERIFY(ring.promote(second, 600, kNow).isOk());
    QCOMPARE(ring.signing(kNow)->key.id, second);
    QVERIFY(ring.find(first, kNow + 599));
    QVERIFY(!ring.find(first, kNow + 600));  // grace over: retired
    QCOMPARE(ring.signing(kNow + 10'000)->key.id, second);
    QCOMPARE(ring.drop("deadbeef").code(), ErrorCode::NotFound);
    QVERIFY(ring.drop(first).isOk());
    QCOMPARE(ring.drop(second).code(), ErrorCode::Conflict);
    const QByteArray third = ring.rotate(30, kNow);
    QCOMPARE(ring.signing(kNow)->key.id, third);
    QVERIFY(ring.find(second, kNow + 29) && !ring.find(second, kNow + 30));
  }

  void serviceTokensVerifyAndRefuseForgeries() {
    const KeyRing ring = KeyRing::generate();
    const QByteArray token = mintServiceToken(ring, u"edge"_s, u"proc1"_s, 300, kNow);
    QVERIFY(token.startsWith("rss1."));
    auto id = verifyServiceToken(ring, token, kNow + 10);
    QVERIFY2(id.isOk(), qPrintable(id.status().message()));
    QCOMPARE(id->roles, u"edge"_s);
    QCOMPARE(id->instance, u"proc1"_s);
    QCOMPARE(id->expiresSec, kNow + 300);

    // Every single-bit change anywhere is refused, with Unauthorized.
    for (qsizetype i = 0; i < token.size(); ++i) {
      for (int bit = 0; bit < 7; ++bit) {
        const QByteArray forged = flipBit(token, i, bit);
        auto r = verifyServiceToken(ring, forged, kNow);
        QVERIFY2(!r.isOk(), forged.constData());
        QCOMPARE(r.status().code(), ErrorCode::Unauthorized);
      }
    }
    // Expired (beyond the clock skew allowance), another stack's key, retired key.
    QVERIFY(verifyServiceToken(ring, token, kNow + 300 + kClockSkewSeconds).isOk());
    QVERIFY(verifyServiceToken(ring, token, kNow + 301 + kClockSkewSeconds).status().message().contains(u"expired"_s));
    QVERIFY(verifyServiceToken(KeyRing::generate(), token, kNow).status().message().contains(u"unknown or retired key"_s));
    KeyRing rotated = ring;
    rotated.rotate(0, kNow);
    QVERIFY(!verifyServiceToken(rotated, token, kNow).isOk());
    // Shapes that are not tokens, and absurd lifetimes.
    for (const QByteArray &junk : {QByteArray(), QByteArray("rss1."), QByteArray("rss1.a.b"), QByteArray("rss1.a.b.c.d"),
                                   QByteArray("Bearer x"), QByteArray(5000, 'a'), QByteArray("rss1." + QByteArray(3000, 'a'))})
      QVERIFY(!verifyServiceToken(ring, junk, kNow).isOk());
    QVERIFY(!verifyServiceToken(ring, mintServiceToken(ring, u"x"_s, u"y"_s, 10 * 86400, kNow), kNow).isOk());
    QVERIFY(mintServiceToken(rotated, u"x"_s, u"y"_s, 10, kNow + 1'000'000'000).size() > 0);
  }

  void playbackTokensBindTitleAndExpiry() {
    const KeyRing ring = KeyRing::generate();
    const QByteArray token = mintPlaybackToken(ring, u"t_a"_s, u"sess-1_x"_s, kNow + 120, kNow);
    QVERIFY(token.startsWith("p1."));
    // Path-safe: it sits in /m/<token>/… unescaped.
    for (const char c : token) QVERIFY2(QByteArrayView("-_.").contains(c) || QChar::isLetterOrNumber(char32_t(c)), token.constData());
    auto g = verifyPlaybackToken(ring, token, u"t_a"_s, kNow);
    QVERIFY2(g.isOk(), qPrintable(g.status().message()));
    QCOMPARE(g->session, u"sess-1_x"_s);
    QCOMPARE(g->expiresSec, kNow + 120);

    QCOMPARE(verifyPlaybackToken(ring, token, u"t_b"_s, kNow).status().code(), ErrorCode::Forbidden);
    QVERIFY(verifyPlaybackToken(ring, token, u"t_a"_s, kNow + 119 + kPlaybackSkewSeconds).isOk());
    auto late = verifyPlaybackToken(ring, token, u"t_a"_s, kNow + 120 + kPlaybackSkewSeconds);
    QVERIFY(late.status().message().contains(u"expired"_s));
    for (qsizetype i = 0; i < token.size(); ++i) {
      for (int bit = 0; bit < 7; ++bit)
        QVERIFY2(!verifyPlaybackToken(ring, flipBit(token, i, bit), u"t_a"_s, kNow).isOk(), qPrintable(QString::number(i)));
    }
    // A token extended by hand (a later expiry, same signature) fails its signature.
    QByteArray extended = token;
    const QList<QByteArray> parts = token.split('.');
    extended.replace(QByteArray("." + parts[2] + "."), QByteArray("." + QByteArray::number(kNow + 99999, 36) + "."));
    QVERIFY(!verifyPlaybackToken(ring, extended, u"t_a"_s, kNow).isOk());
    QVERIFY(!verifyPlaybackToken(KeyRing::generate(), token, u"t_a"_s, kNow).isOk());
    // Sessions must be path-safe words; junk is refused, not guessed at.
    QVERIFY(mintPlaybackToken(ring, u"t_a"_s, u"has space"_s, kNow + 10, kNow).isEmpty());
    QVERIFY(mintPlaybackToken(ring, u"t_a"_s, u"a/b"_s, kNow + 10, kNow).isEmpty());
    for (const QByteArray &junk : {QByteArray("p1."), QByteArray("p1.a.b.c"), QByteArray("p1.a.b.c.d.e"), QByteArray(300, 'p'),
                                   QByteArray("p1.00000000.zz.s." + base64Url(QByteArray(32, 'x')))})
      QVERIFY(!verifyPlaybackToken(ring, junk, u"t_a"_s, kNow).isOk());
  }

  // The key file: written 0600, read back, reloaded when it changes, a broken new
  // version keeps the old ring.
  void keyFileIsPrivateAndReloads() {
    QTemporaryDir dir;
    const QString path = dir.filePath(u"secrets/cluster.key"_s);
    bool created = false;
    QVERIFY(ensureKeyFile(path, &created).isOk());
    QVERIFY(created);
    QVERIFY(ensureKeyFile(path, &created).isOk());
    QVERIFY(!created);
    QCOMPARE(QFile(path).permissions() & ~(QFileDevice::ReadUser | QFileDevice::WriteUser),
             QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    QCOMPARE(QFile(dir.filePath(u"secrets"_s)).permissions() & (QFileDevice::ReadOther | QFileDevice::ReadGroup),
             QFileDevice::Permissions());

    ClusterKeys keys(path);
    QVERIFY(keys.load().isOk());
    const QByteArray before = keys.current()->keys()[0].key.id;
    const quint64 gen = keys.generation();
    QSignalSpy reloaded(&keys, &ClusterKeys::reloaded);
    keys.watch(50);
    auto ring = readKeyFile(path);
    const QByteArray fresh = ring->rotate(60, nowSeconds());
    QVERIFY(writeKeyFile(path, *ring).isOk());
    QVERIFY(reloaded.wait(3000));
    QCOMPARE(keys.current()->signing(nowSeconds())->key.id, fresh);
    QVERIFY(keys.current()->find(before, nowSeconds()));
    QVERIFY(keys.generation() > gen);
    // A damaged file is refused: the ring in memory stays the last good one.
    QVERIFY(writeSecretFile(path, "garbage\n").isOk());
    QTest::qWait(300);
    QCOMPARE(keys.current()->signing(nowSeconds())->key.id, fresh);
    QCOMPARE(ClusterKeys(dir.filePath(u"missing.key"_s)).load().code(), ErrorCode::NotFound);
  }

  // The credential a process sends: minted once, reused, re-minted after a rotation.
  void serviceCredentialFollowsTheRing() {
    QTemporaryDir dir;
    const QString path = dir.filePath(u"cluster.key"_s);
    QVERIFY(ensureKeyFile(path).isOk());
    ClusterKeys keys(path);
    QVERIFY(keys.load().isOk());
    ServiceCredential cred(keys, u"edge+origin"_s, u"abcd1234"_s);
    const QByteArray a = cred.authorization();
    QVERIFY(a.startsWith("Bearer rss1."));
    QCOMPARE(cred.authorization(), a);
    auto id = verifyServiceToken(*keys.current(), a.mid(7), nowSeconds());
    QVERIFY(id.isOk());
    QCOMPARE(id->roles, u"edge+origin"_s);
    auto ring = readKeyFile(path);
    ring->rotate(60, nowSeconds());
    QVERIFY(writeKeyFile(path, *ring).isOk());
    QVERIFY(keys.load().isOk());
    const QByteArray b = cred.authorization();
    QVERIFY(b != a);
    QCOMPARE(verifyServiceToken(*keys.current(), b.mid(7), nowSeconds())->keyId, keys.current()->signing(nowSeconds())->key.id);
    ClusterKeys none(dir.filePath(u"nope"_s));
    QVERIFY(ServiceCredential(none, u"x"_s, u"y"_s).authorization().isEmpty());
  }
};

QTEST_GUILESS_MAIN(TestAuth)
#include "tst_auth.moc"
