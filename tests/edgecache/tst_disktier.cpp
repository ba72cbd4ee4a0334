// The disk tier on real files: round trip through the file body, restarts, objects
// cut short by a crash, corruption, the byte bound measured on disk, write errors
// (EFBIG from RLIMIT_FSIZE) and oversized objects.

#include "edgecache/disktier.h"

#include <QCryptographicHash>
#include <QDirIterator>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>
#include <QtEndian>
#include <atomic>
#include <csignal>
#include <random>
#include <sys/resource.h>
#include <thread>
#include <unistd.h>
#include <vector>
#include <zlib.h>

using namespace rs::edgecache;
using rs::http::FileBody;

namespace {

ObjectMeta meta(const QString &key, qint64 storedMs = 1000) {
  ObjectMeta m;
  m.key = key;
  m.status = 200;
  m.headers = {{"Content-Type", "video/iso.segment"}, {"Cache-Control", "max-age=31536000"}, {"ETag", "\"e-1\""}};
  m.storedMs = storedMs;
  m.expiresMs = storedMs + 60000;
  return m;
}

QByteArray body(qsizetype size, int seed) {
  QByteArray b(size, Qt::Uninitialized);
  std::mt19937 rng(seed);
  for (char &c : b) c = char(rng());
  return b;
}

QByteArray readFileBody(const FileBody &fb) {
  QByteArray out(fb.length, Qt::Uninitialized);
  qint64 done = 0;
  while (done < fb.length) {
    const ssize_t n = ::pread(fb.file->fd(), out.data() + done, size_t(fb.length - done), off_t(fb.offset + done));
    if (n <= 0) return {};
    done += n;
  }
  return out;
}

// What is really on disk under the tier's directory: every regular file, tmp/ included.
qint64 bytesOnDisk(const QString &dir, int *files = nullptr) {
  qint64 sum = 0;
  int count = 0;
  QDirIterator it(dir, QDir::Files | QDir::Hidden | QDir::System, QDirIterator::Subdirectories);
  while (it.hasNext()) {
    it.next();
    sum += it.fileInfo().size();
    ++count;
  }
  if (files) *files = count;
  return sum;
}

int filesIn(const QString &dir) {
  return int(QDir(dir).entryList(QDir::Files | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot).size());
}

const QString kSeg1 = QStringLiteral("/media/t_1/video/240p/seg-1.m4s");
const QString kSeg2 = QStringLiteral("/media/t_1/video/240p/seg-2.m4s");
const QString kSeg3 = QStringLiteral("/media/t_1/video/240p/seg-3.m4s");

}  // namespace

class TestDiskTier : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void roundTrip() {
    QTemporaryDir dir;
    DiskTier tier(dir.path() + u"/cache", 1 << 20, makePolicy(QStringLiteral("s3fifo")));
    int dropped = -1;
    QVERIFY(tier.open(&dropped).isOk());
    QCOMPARE(dropped, 0);
    QVERIFY(QFileInfo(dir.path() + u"/cache/tmp").isDir());

    const QByteArray b = body(50000, 1);
    ObjectMeta m = meta(kSeg1);
    m.headers.append({"X-Odd", QByteArray("caf\xe9", 4)});  // not UTF-8: must survive as is
    QVERIFY(tier.insert(m, b).isOk());
    QVERIFY(tier.contains(kSeg1));
    QCOMPARE(tier.objects(), 1);
    QCOMPARE(tier.keys(), QStringList{kSeg1});

    // The file is where the contract says, with the layout it describes.
    const QString path = tier.pathFor(kSeg1);
    const QByteArray hash = QCryptographicHash::hash(kSeg1.toUtf8(), QCryptographicHash::Sha256).toHex();
    QCOMPARE(path, dir.path() + u"/cache/objects/" + QString::fromLatin1(hash.left(2)) + u'/' + QString::fromLatin1(hash));
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray file = f.readAll();
    QCOMPARE(tier.bytes(), file.size());
    QVERIFY(file.startsWith("RSEC1\n"));
    const quint32 headLength = qFromBigEndian<quint32>(file.constData() + 6);
    const QJsonObject head = QJsonDocument::fromJson(file.mid(10, headLength)).object();
    QCOMPARE(head.value(u"key").toString(), kSeg1);
    QCOMPARE(head.value(u"status").toInt(), 200);
    QCOMPARE(head.value(u"size").toInteger(), b.size());
    QCOMPARE(head.value(u"storedMs").toInteger(), 1000);
    QCOMPARE(head.value(u"expiresMs").toInteger(), 61000);
    const uLong crc = ::crc32(0, reinterpret_cast<const Bytef *>(b.constData()), uInt(b.size()));
    QCOMPARE(quint32(head.value(u"crc32").toInteger()), quint32(crc));
    QCOMPARE(head.value(u"headers").toArray().at(0).toArray().at(0).toString(), QStringLiteral("Content-Type"));
    QCOMPARE(file.size(), 10 + qint64(headLength) + b.size());
    QCOMPARE(file.mid(10 + headLength), b);

    const auto hit = tier.lookup(kSeg1);
    QVERIFY(hit);
    QCOMPARE(hit->meta.key, kSeg1);
    QCOMPARE(hit->meta.size, b.size());
    QCOMPARE(hit->meta.headers, m.headers);
    QCOMPARE(hit->meta.expiresMs, 61000);
    QCOMPARE(hit->body.offset, 10 + qint64(headLength));
    QCOMPARE(hit->body.length, b.size());
    QCOMPARE(readFileBody(hit->body), b);

    // The open file outlives a purge (a response still being sent keeps its bytes).
    QVERIFY(tier.remove(kSeg1));
    QVERIFY(!QFile::exists(path));
    QCOMPARE(readFileBody(hit->body), b);
    QVERIFY(!tier.lookup(kSeg1));
    QCOMPARE(tier.bytes(), 0);
    QCOMPARE(filesIn(dir.path() + u"/cache/tmp"), 0);
  }

  void replaceAndPrefix() {
    QTemporaryDir dir;
    DiskTier tier(dir.path(), 1 << 20, makePolicy(QStringLiteral("lru")));
    QVERIFY(tier.open().isOk());
    QVERIFY(tier.insert(meta(kSeg1), body(1000, 1)).isOk());
    QVERIFY(tier.insert(meta(kSeg1), body(3000, 2)).isOk());
    QCOMPARE(tier.objects(), 1);
    QCOMPARE(tier.bytes(), bytesOnDisk(dir.path()));
    QCOMPARE(readFileBody(tier.lookup(kSeg1)->body), body(3000, 2));
    QVERIFY(tier.insert(meta(QStringLiteral("/media/t_10/a")), body(10, 3)).isOk());
    QVERIFY(tier.insert(meta(kSeg2), body(10, 4)).isOk());
    QCOMPARE(tier.removePrefix(QStringLiteral("/media/t_1/")), 2);
    QCOMPARE(tier.keys(), QStringList{QStringLiteral("/media/t_10/a")});
    QCOMPARE(tier.bytes(), bytesOnDisk(dir.path()));
    QCOMPARE(tier.evictions(), 0u);
  }

  void restartKeepsObjects() {
    QTemporaryDir dir;
    qint64 bytes = 0;
    {
      // Room for three of the 20 kB objects (plus headers), not four.
      DiskTier tier(dir.path(), 70000, makePolicy(QStringLiteral("lru")));
      QVERIFY(tier.open().isOk());
      // Stored out of key order: the restart must rebuild recency from storedMs.
      QVERIFY(tier.insert(meta(kSeg2, 2000), body(20000, 2)).isOk());
      QVERIFY(tier.insert(meta(kSeg1, 1000), body(20000, 1)).isOk());
      QVERIFY(tier.insert(meta(kSeg3, 3000), body(20000, 3)).isOk());
      bytes = tier.bytes();
    }
    DiskTier again(dir.path(), 70000, makePolicy(QStringLiteral("lru")));
    int dropped = -1;
    QVERIFY(again.open(&dropped).isOk());
    QCOMPARE(dropped, 0);
    QCOMPARE(again.objects(), 3);
    QCOMPARE(again.bytes(), bytes);
    const auto hit = again.lookup(kSeg2);  // verifies the CRC, and touches seg-2
    QVERIFY(hit);
    QCOMPARE(hit->meta.storedMs, 2000);
    QCOMPARE(readFileBody(hit->body), body(20000, 2));
    // Two more objects need two evictions: seg-1 (oldest stored), then seg-3
    // (seg-2 was just read).
    QVERIFY(again.insert(meta(QStringLiteral("/media/x/1"), 4000), body(20000, 5)).isOk());
    QVERIFY(again.insert(meta(QStringLiteral("/media/x/2"), 5000), body(20000, 6)).isOk());
    QVERIFY(!again.contains(kSeg1));
    QVERIFY(!again.contains(kSeg3));
    QVERIFY(again.contains(kSeg2));
    QCOMPARE(again.evictions(), 2u);
    QCOMPARE(again.bytes(), bytesOnDisk(dir.path()));

    // A smaller limit after a restart evicts down to it at open.
    DiskTier smaller(dir.path(), 50000, makePolicy(QStringLiteral("lru")));
    QVERIFY(smaller.open().isOk());
    QCOMPARE(smaller.objects(), 2);
    QVERIFY(smaller.bytes() <= 50000);
    QCOMPARE(smaller.bytes(), bytesOnDisk(dir.path()));
    QCOMPARE(smaller.evictions(), 1u);
  }

  void crashLeftovers() {
    // kill -9 mid-write leaves a partial file in tmp/; a torn object file (e.g. a
    // disk that lost the tail) is shorter than its header says; stray files and
    // files under a wrong name are not objects either.
    QTemporaryDir dir;
    {
      DiskTier tier(dir.path(), 1 << 20, makePolicy(QStringLiteral("sieve")));
      QVERIFY(tier.open().isOk());
      QVERIFY(tier.insert(meta(kSeg1), body(5000, 1)).isOk());
      QVERIFY(tier.insert(meta(kSeg2), body(5000, 2)).isOk());
      QVERIFY(tier.insert(meta(kSeg3), body(5000, 3)).isOk());
      QFile torn(tier.pathFor(kSeg2));
      QVERIFY(torn.resize(torn.size() - 100));
      QFile partial(dir.path() + u"/tmp/1234abcd.part");
      QVERIFY(partial.open(QIODevice::WriteOnly));
      partial.write(QByteArray("RSEC1\n") + QByteArray(500, 'z'));
      partial.close();
      QVERIFY(QFile::copy(tier.pathFor(kSeg3), tier.pathFor(kSeg3) + u".copy"));  // wrong name
      QFile garbage(tier.pathFor(kSeg1).left(tier.pathFor(kSeg1).lastIndexOf(u'/')) + u"/garbage");
      QVERIFY(garbage.open(QIODevice::WriteOnly));
      garbage.write("not an object");
    }
    DiskTier tier(dir.path(), 1 << 20, makePolicy(QStringLiteral("sieve")));
    int dropped = -1;
    QVERIFY(tier.open(&dropped).isOk());
    QCOMPARE(dropped, 3);
    QCOMPARE(filesIn(dir.path() + u"/tmp"), 0);
    QVERIFY(!QFile::exists(tier.pathFor(kSeg2)));
    QVERIFY(!tier.contains(kSeg2));
    QVERIFY(!tier.lookup(kSeg2));
    QCOMPARE(tier.objects(), 2);
    QCOMPARE(readFileBody(tier.lookup(kSeg1)->body), body(5000, 1));
    QCOMPARE(readFileBody(tier.lookup(kSeg3)->body), body(5000, 3));
    int files = 0;
    QCOMPARE(tier.bytes(), bytesOnDisk(dir.path(), &files));
    QCOMPARE(files, 2);
  }

  void corruptBodyIsDropped() {
    QTemporaryDir dir;
    {
      DiskTier tier(dir.path(), 1 << 20, makePolicy(QStringLiteral("s3fifo")));
      QVERIFY(tier.open().isOk());
      QVERIFY(tier.insert(meta(kSeg1), body(8000, 1)).isOk());
      QVERIFY(tier.insert(meta(kSeg2), body(8000, 2)).isOk());
    }
    DiskTier tier(dir.path(), 1 << 20, makePolicy(QStringLiteral("s3fifo")));
    QVERIFY(tier.open().isOk());
    const QString path = tier.pathFor(kSeg1);
    {
      QFile f(path);
      QVERIFY(f.open(QIODevice::ReadWrite));
      const qint64 at = f.size() - 4000;  // inside the body
      QVERIFY(f.seek(at));
      char c = 0;
      QVERIFY(f.getChar(&c));
      QVERIFY(f.seek(at));
      QVERIFY(f.putChar(char(c ^ 0x01)));
    }
    QVERIFY(tier.contains(kSeg1));  // the length is right: open() cannot tell
    QVERIFY(!tier.lookup(kSeg1));
    QVERIFY(!QFile::exists(path));
    QVERIFY(!tier.contains(kSeg1));
    QCOMPARE(tier.objects(), 1);
    QCOMPARE(readFileBody(tier.lookup(kSeg2)->body), body(8000, 2));
    QCOMPARE(tier.bytes(), bytesOnDisk(dir.path()));
  }

  void headerKeyMustMatch() {
    // A file that is a valid object but of another key (copied over, or a hash
    // collision) is not served for this key.
    QTemporaryDir dir;
    DiskTier tier(dir.path(), 1 << 20, makePolicy(QStringLiteral("lru")));
    QVERIFY(tier.open().isOk());
    QVERIFY(tier.insert(meta(kSeg1), body(100, 1)).isOk());
    QVERIFY(tier.insert(meta(kSeg2), body(100, 2)).isOk());
    QFile::remove(tier.pathFor(kSeg2));
    QVERIFY(QFile::copy(tier.pathFor(kSeg1), tier.pathFor(kSeg2)));
    QVERIFY(!tier.lookup(kSeg2));
    QVERIFY(!QFile::exists(tier.pathFor(kSeg2)));
    QVERIFY(tier.lookup(kSeg1));
    // And a file deleted behind the tier's back is a miss, not a crash.
    QFile::remove(tier.pathFor(kSeg1));
    QVERIFY(!tier.lookup(kSeg1));
    QCOMPARE(tier.objects(), 0);
    QCOMPARE(tier.bytes(), 0);
  }

  void byteLimitOnDisk() {
    QTemporaryDir dir;
    const qint64 max = 300000;
    DiskTier tier(dir.path(), max, makePolicy(QStringLiteral("s3fifo")));
    QVERIFY(tier.open().isOk());
    std::mt19937 rng(3);
    for (int i = 0; i < 200; ++i) {
      const int segment = std::uniform_int_distribution<int>(0, 80)(rng);
      const QString key = QStringLiteral("/media/t_%1/seg-%2.m4s").arg(i % 7).arg(segment);
      if (tier.lookup(key)) continue;
      QVERIFY(tier.insert(meta(key), body(std::uniform_int_distribution<int>(100, 60000)(rng), i)).isOk());
      int files = 0;
      const qint64 onDisk = bytesOnDisk(dir.path(), &files);
      QVERIFY2(onDisk <= max, qPrintable(QStringLiteral("%1 bytes on disk after insert %2").arg(onDisk).arg(i)));
      QCOMPARE(onDisk, tier.bytes());
      QCOMPARE(files, tier.objects());
    }
    QVERIFY(tier.evictions() > 0);
    QCOMPARE(tier.writeErrors(), 0u);
  }

  void tooLargeIsRefused() {
    QTemporaryDir dir;
    DiskTier tier(dir.path(), 10000, makePolicy(QStringLiteral("lru")));
    QVERIFY(tier.open().isOk());
    QVERIFY(tier.insert(meta(kSeg1), body(5000, 1)).isOk());
    const rs::Status s = tier.insert(meta(kSeg2), body(10000, 2));  // + header > maxBytes
    QVERIFY(!s.isOk());
    QCOMPARE(s.code(), rs::ErrorCode::PayloadTooLarge);
    QVERIFY(tier.contains(kSeg1));  // nothing was evicted for it
    QCOMPARE(tier.evictions(), 0u);
    QCOMPARE(tier.writeErrors(), 0u);
    QCOMPARE(tier.bytes(), bytesOnDisk(dir.path()));
  }

  void writeErrorLeavesTierUnchanged() {
    QTemporaryDir dir;
    DiskTier tier(dir.path(), 1 << 20, makePolicy(QStringLiteral("lru")));
    QVERIFY(tier.open().isOk());
    QVERIFY(tier.insert(meta(kSeg1), body(2000, 1)).isOk());
    const qint64 bytesBefore = tier.bytes();
    const QStringList keysBefore = tier.keys();

    // Past RLIMIT_FSIZE a write fails with EFBIG — once SIGXFSZ, which would
    // otherwise kill the process, is ignored.
    const auto oldHandler = std::signal(SIGXFSZ, SIG_IGN);
    struct rlimit old {};
    QCOMPARE(::getrlimit(RLIMIT_FSIZE, &old), 0);
    struct rlimit low = old;
    low.rlim_cur = 16384;
    QCOMPARE(::setrlimit(RLIMIT_FSIZE, &low), 0);
    const rs::Status s = tier.insert(meta(kSeg2), body(100000, 2));
    QCOMPARE(::setrlimit(RLIMIT_FSIZE, &old), 0);
    std::signal(SIGXFSZ, oldHandler);

    QVERIFY(!s.isOk());
    QCOMPARE(s.code(), rs::ErrorCode::IoError);
    QVERIFY2(s.message().contains(QString::fromLocal8Bit(strerror(EFBIG))), qPrintable(s.message()));
    QCOMPARE(tier.writeErrors(), 1u);
    QCOMPARE(tier.bytes(), bytesBefore);
    QCOMPARE(tier.keys(), keysBefore);
    QVERIFY(!tier.contains(kSeg2));
    QCOMPARE(filesIn(dir.path() + u"/tmp"), 0);
    QCOMPARE(tier.bytes(), bytesOnDisk(dir.path()));
    // The reservation was given back: the full budget is usable again.
    QVERIFY(tier.insert(meta(kSeg2), body((1 << 20) - 1000, 2)).isOk());
    QVERIFY(!tier.contains(kSeg1));
    QCOMPARE(tier.writeErrors(), 1u);
  }

  void concurrentInsertsAndLookups() {
    QTemporaryDir dir;
    const qint64 max = 400000;
    DiskTier tier(dir.path(), max, makePolicy(QStringLiteral("sieve")));
    QVERIFY(tier.open().isOk());
    std::atomic<int> bad{0}, hits{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
      threads.emplace_back([&, t] {
        std::mt19937 rng(t);
        for (int i = 0; i < 150; ++i) {
          const int id = std::uniform_int_distribution<int>(0, 40)(rng);
          const QString key = QStringLiteral("/media/c/%1").arg(id);
          if (auto hit = tier.lookup(key)) {
            ++hits;
            if (readFileBody(hit->body) != body(1000 + id * 1000, id)) ++bad;
          } else if (!tier.insert(meta(key), body(1000 + id * 1000, id)).isOk()) {
            // Only "space held by writes in progress" may fail here.
            if (tier.writeErrors() != 0) ++bad;
          }
          if (tier.bytes() > max) ++bad;
        }
      });
    for (auto &t : threads) t.join();
    QCOMPARE(bad.load(), 0);
    QVERIFY(hits.load() > 0);
    QCOMPARE(filesIn(dir.path() + u"/tmp"), 0);
    int files = 0;
    QCOMPARE(tier.bytes(), bytesOnDisk(dir.path(), &files));
    QCOMPARE(files, tier.objects());
    QVERIFY(tier.bytes() <= max);
  }
};

QTEST_GUILESS_MAIN(TestDiskTier)
#include "tst_disktier.moc"
