// The edge's pure parts on their own: Cache-Control freshness, HLS playlist references,
// the read-while-writer Fetch (views, wake-ups, failure, unknown lengths), the token
// bucket, answers (ranges, 304, headers) and the option checks.

#include "core/config/config.h"
#include "edge/answer.h"
#include "edge/edgeconfig.h"
#include "edge/fetch.h"
#include "edge/freshness.h"
#include "edge/playlist.h"
#include "edge/tokenbucket.h"

#include <QTest>
#include <atomic>
#include <thread>

using namespace rs;
using namespace rs::edge;

class TestEdgeParts : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void cacheControl_data() {
    QTest::addColumn<QByteArray>("header");
    QTest::addColumn<bool>("storable");
    QTest::addColumn<qint64>("maxAge");
    QTest::newRow("segment") << QByteArray("public, max-age=31536000, immutable") << true << qint64(31536000);
    QTest::newRow("manifest") << QByteArray("public, max-age=2") << true << qint64(2);
    QTest::newRow("s-maxage wins") << QByteArray("max-age=10, s-maxage=60") << true << qint64(60);
    QTest::newRow("no-store") << QByteArray("no-store") << false << qint64(0);
    QTest::newRow("private") << QByteArray("private, max-age=60") << false << qint64(60);
    QTest::newRow("no-cache") << QByteArray("no-cache, max-age=60") << true << qint64(0);
    QTest::newRow("absent") << QByteArray() << true << qint64(0);
    QTest::newRow("case and spaces") << QByteArray(" Public ,MAX-AGE = 5 ") << true << qint64(5);
    QTest::newRow("quoted") << QByteArray("max-age=\"7\"") << true << qint64(7);
    QTest::newRow("garbage") << QByteArray("max-age=abc") << true << qint64(0);
  }
  void cacheControl() {
    QFETCH(QByteArray, header);
    QFETCH(bool, storable);
    QFETCH(qint64, maxAge);
    const Freshness f = parseCacheControl(header);
    QCOMPARE(f.storable, storable);
    if (storable) QCOMPARE(f.maxAgeSeconds, maxAge);
    QCOMPARE(parseAge("12"), qint64(12));
    QCOMPARE(parseAge("-3"), qint64(0));
  }

  void playlistReferences() {
    const QByteArray master =
        "#EXTM3U\n"
        "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"a\",NAME=\"aac\",URI=\"audio/aac/index.m3u8\"\n"
        "#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=1,URI=\"video/240p/iframes.m3u8\"\n"
        "#EXT-X-KEY:METHOD=SAMPLE-AES,URI=\"skd://key\"\n"
        "# a comment URI=\"x.m3u8\"\n"
        "#EXT-X-STREAM-INF:BANDWIDTH=1\r\n"
        "video/240p/index.m3u8\r\n"
        "#EXT-X-STREAM-INF:BANDWIDTH=2\n"
        "../t_1/video/360p/index.m3u8\n"
        "#EXT-X-STREAM-INF:BANDWIDTH=3\n"
        "http://other.example/media/t_1/video/720p/index.m3u8\n"
        "#EXT-X-STREAM-INF:BANDWIDTH=4\n"
        "../../../etc/passwd.m3u8\n";
    const PlaylistRefs m = playlistRefs(master, QStringLiteral("/media/t_1/master.m3u8"));
    QCOMPARE(m.playlists, (QStringList{QStringLiteral("/media/t_1/audio/aac/index.m3u8"), QStringLiteral("/media/t_1/video/240p/iframes.m3u8"),
                                       QStringLiteral("/media/t_1/video/240p/index.m3u8"), QStringLiteral("/media/t_1/video/360p/index.m3u8")}));
    QVERIFY(m.objects.isEmpty());
    const QByteArray media =
        "#EXTM3U\n#EXT-X-MAP:URI=\"init.mp4\"\n#EXTINF:4,\nseg-1.m4s\n#EXTINF:4,\nseg-2.m4s\n#EXTINF:4,\nseg-1.m4s\n#EXT-X-ENDLIST\n";
    const PlaylistRefs s = playlistRefs(media, QStringLiteral("/media/t_1/video/240p/index.m3u8"));
    QCOMPARE(s.objects, (QStringList{QStringLiteral("/media/t_1/video/240p/init.mp4"), QStringLiteral("/media/t_1/video/240p/seg-1.m4s"),
                                     QStringLiteral("/media/t_1/video/240p/seg-2.m4s")}));
    QVERIFY(s.playlists.isEmpty());
  }

  // A reader sees bytes as they are committed, is woken for more, and the finished
  // buffer is the body without a copy.
  void fetchReadWhileWriting() {
    auto f = std::make_shared<Fetch>(QStringLiteral("/media/t/seg.m4s"), false);
    std::atomic<int> ready{0}, done{0};
    f->onReady([&] { ++ready; });
    f->onDone([&] { ++done; });
    QCOMPARE(f->view(0, 100).size, 0);
    QVERIFY(!f->view(0, 100).failed);
    edgecache::ObjectMeta meta;
    meta.status = 200;
    f->begin(meta, 10, "HIT tier=disk edge=p", QUrl(QStringLiteral("http://up")));
    QCOMPARE(ready.load(), 1);
    std::atomic<int> woken{0};
    f->notify(0, [&] { ++woken; });
    f->notify(4, [&] { ++woken; });
    QCOMPARE(woken.load(), 0);
    f->append("abcd", 4);
    QCOMPARE(woken.load(), 1);  // only the reader at offset 0
    const auto v = f->view(0, 100);
    QCOMPARE(QByteArray(v.data, int(v.size)), QByteArray("abcd"));
    const char *stable = v.data;
    f->append("efghij", 6);
    QCOMPARE(woken.load(), 2);
    QCOMPARE(f->view(0, 100).data, stable);  // preallocated: pointers stay valid
    f->complete();
    QCOMPARE(done.load(), 1);
    QCOMPARE(f->state(), Fetch::State::Complete);
    QCOMPARE(f->body(), QByteArray("abcdefghij"));
    QCOMPARE(f->body().constData(), stable);
    QVERIFY(f->view(10, 5).failed);  // nothing past the end, ever
    std::atomic<int> late{0};
    f->onReady([&] { ++late; });
    QCOMPARE(late.load(), 1);
  }

  void fetchShortBodyFails() {
    Fetch f(QStringLiteral("/media/t/x"), false);
    f.begin({}, 10, {}, {});
    f.append("abc", 3);
    std::atomic<int> woken{0};
    f.notify(3, [&] { ++woken; });
    f.complete();  // 3 of 10 bytes: not complete
    QCOMPARE(f.state(), Fetch::State::Failed);
    QCOMPARE(woken.load(), 1);
    QCOMPARE(f.view(0, 10).size, 3);  // what arrived may still be sent...
    QVERIFY(f.view(3, 10).failed);    // ...then the reader must close
    QVERIFY(f.body().isEmpty());
  }

  void fetchUnknownLengthWaitsForTheEnd() {
    Fetch f(QStringLiteral("/media/t/x"), false);
    std::atomic<int> ready{0};
    f.onReady([&] { ++ready; });
    f.begin({}, -1, {}, {});
    QCOMPARE(ready.load(), 0);  // no Content-Length to answer with yet
    f.append("hello ", 6);
    f.append("world", 5);
    QCOMPARE(f.view(0, 100).size, 0);
    f.complete();
    QCOMPARE(ready.load(), 1);
    QCOMPARE(f.contentLength(), 11);
    QCOMPARE(f.meta().size, 11);
    QCOMPARE(f.body(), QByteArray("hello world"));
  }

  // Writer and many readers on different threads: every reader gets every byte.
  // A body that arrives in one piece completes the fetch in the same step. A reader
  // racing that step must see the bytes, never "complete" with nothing (which ends
  // its response after the head: seen as rare empty MISS answers under load).
  void fetchCompletedInOneWriteIsNeverSeenEmpty() {
    int empty = 0;
    for (int round = 0; round < 3000; ++round) {
      auto f = std::make_shared<Fetch>(QStringLiteral("/media/t/one"), false);
      f->begin({}, 64, {}, {});
      std::atomic<bool> go{false};
      std::thread reader([&] {
        while (!go.load(std::memory_order_acquire)) {}
        for (;;) {
          const auto v = f->view(0, 64);
          if (v.size > 0) return;
          if (v.failed) {
            ++empty;
            return;
          }
        }
      });
      const QByteArray body(64, 'x');
      go.store(true, std::memory_order_release);
      f->append(body.constData(), body.size());
      reader.join();
    }
    QCOMPARE(empty, 0);
  }

  void fetchConcurrentReaders() {
    constexpr qint64 kSize = 1 << 20;
    auto f = std::make_shared<Fetch>(QStringLiteral("/media/t/big"), false);
    f->begin({}, kSize, {}, {});
    std::vector<std::thread> readers;
    std::atomic<int> good{0};
    for (int r = 0; r < 8; ++r) {
      readers.emplace_back([f, &good] {
        qint64 off = 0;
        quint32 sum = 0;
        while (off < kSize) {
          const auto v = f->view(off, 7000);
          if (v.failed) return;
          if (v.size == 0) {
            std::atomic<bool> woke{false};
            f->notify(off, [&woke] { woke = true; });
            while (!woke) std::this_thread::yield();
            continue;
          }
          for (qint64 i = 0; i < v.size; ++i) sum += quint8(v.data[i]) * quint32(off + i + 1);
          off += v.size;
        }
        quint32 expect = 0;
        for (qint64 i = 0; i < kSize; ++i) expect += quint8(i * 7) * quint32(i + 1);
        if (sum == expect) ++good;
      });
    }
    QByteArray chunk(4096, Qt::Uninitialized);
    for (qint64 off = 0; off < kSize; off += chunk.size()) {
      for (int i = 0; i < chunk.size(); ++i) chunk[i] = char((off + i) * 7);
      f->append(chunk.constData(), chunk.size());
    }
    f->complete();
    for (auto &t : readers) t.join();
    QCOMPARE(good.load(), 8);
  }

  void tokenBucket() {
    TokenBucket b(1000.0);
    QCOMPARE(b.waitMs(), 0);
    b.spend(1500);  // one second of burst, then 500 bytes of debt
    const int w = b.waitMs();
    QVERIFY2(w > 400 && w <= 501, qPrintable(QString::number(w)));
    QTest::qWait(w);
    QCOMPARE(b.waitMs(), 0);
  }

  void answers() {
    edgecache::ObjectMeta meta;
    meta.headers = {{"Content-Type", "video/mp4"}, {"ETag", "\"abc\""}};
    meta.storedMs = 10'000;
    const QByteArray body = QByteArray(40000, 'x') + "tail";
    BodyRef ref;
    ref.bytes = body;
    Ask ask;
    http::Response r = objectAnswer(ask, meta, body.size(), ref, "HIT tier=memory edge=e", 15'500, true);
    QCOMPARE(r.status, 200);
    QCOMPARE(r.headers.value("Age"), QByteArray("5"));
    QCOMPARE(r.headers.value("X-Cache"), QByteArray("HIT tier=memory edge=e"));
    QVERIFY2(r.source && r.body.isEmpty(), "a large memory body is sent from the cached buffer");
    QCOMPARE(r.contentLength(), body.size());
    ask.range = "bytes=40000-";
    r = objectAnswer(ask, meta, body.size(), ref, "HIT", 15'500, true);
    QCOMPARE(r.status, 206);
    QCOMPARE(r.body, QByteArray("tail"));  // small: inline bytes
    QCOMPARE(r.headers.value("Content-Range"), QByteArray("bytes 40000-40003/40004"));
    ask.range = "bytes=x";
    r = objectAnswer(ask, meta, body.size(), ref, "HIT", 15'500, true);
    QCOMPARE(r.status, 416);
    QCOMPARE(r.headers.value("Content-Range"), QByteArray("bytes */40004"));
    ask = {};
    ask.ifNoneMatch = "W/\"abc\"";
    QCOMPARE(objectAnswer(ask, meta, body.size(), ref, "HIT", 15'500, true).status, 304);
    QCOMPARE(objectAnswer(ask, meta, body.size(), ref, "MISS", 15'500, false).status, 200);
  }

  void options_data() {
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("error");  // empty: valid
    QTest::newRow("defaults") << QStringList{} << QString();
    QTest::newRow("big disk") << QStringList{QStringLiteral("--edge-disk-max=5000000000000")} << QString();
    QTest::newRow("bytes") << QStringList{QStringLiteral("--edge-memory-max=lots")} << QStringLiteral("edge-memory-max");
    QTest::newRow("negative") << QStringList{QStringLiteral("--edge-disk-max=-1")} << QStringLiteral("edge-disk-max");
    QTest::newRow("policy") << QStringList{QStringLiteral("--edge-policy=fifo")} << QStringLiteral("edge-policy");
    QTest::newRow("admission") << QStringList{QStringLiteral("--edge-admission=third-hit")} << QStringLiteral("edge-admission");
    QTest::newRow("upstream") << QStringList{QStringLiteral("--upstream=ftp://x")} << QStringLiteral("upstream");
    QTest::newRow("upstream list") << QStringList{QStringLiteral("--upstream=http://a:1/, http://b:2")} << QString();
    QTest::newRow("coordinates") << QStringList{QStringLiteral("--edge-coordinates=95,10")} << QStringLiteral("edge-coordinates");
    QTest::newRow("timeout") << QStringList{QStringLiteral("--edge-connect-timeout=0")} << QStringLiteral("edge-connect-timeout");
    QTest::newRow("rate") << QStringList{QStringLiteral("--edge-prefetch-rate=fast")} << QStringLiteral("edge-prefetch-rate");
  }
  void options() {
    QFETCH(QStringList, args);
    QFETCH(QString, error);
    auto config = config::Config::fromArguments(args);
    QVERIFY2(config, qPrintable(config.status().message()));
    const auto parsed = parseEdgeConfig(*config);
    if (error.isEmpty()) {
      QVERIFY2(parsed, qPrintable(parsed.status().message()));
      if (args.value(0).startsWith(QLatin1String("--upstream=")))
        QCOMPARE(parsed.value().upstreams, (QList<QUrl>{QUrl(QStringLiteral("http://a:1")), QUrl(QStringLiteral("http://b:2"))}));
      if (args.value(0).startsWith(QLatin1String("--edge-disk-max"))) QCOMPARE(parsed.value().diskMaxBytes, 5000000000000LL);
    } else {
      QVERIFY(!parsed);
      QVERIFY2(parsed.status().message().contains(error), qPrintable(parsed.status().message()));
    }
  }
};

QTEST_GUILESS_MAIN(TestEdgeParts)
#include "tst_edgeparts.moc"
