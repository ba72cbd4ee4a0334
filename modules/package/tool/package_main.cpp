// rs-package: the packager from the command line, for benchmarks and for looking at
// what it writes. Not installed. Keys given here are test keys: a real title's keys
// come from the encoder's KeySource and never appear on a command line.
//
//   rs-package split IN.mp4 OUTDIR                     CMAF init + segments, clear
//   rs-package split IN.mp4 OUTDIR --scheme=cenc|cbcs --key=HEX --kid=HEX [--iv=HEX]
//   rs-package aes128 IN.mp4 OUTDIR --key=HEX [--iv=HEX] whole-segment AES-128 (HLS)
//   rs-package bench-cipher [--scheme=cenc|cbcs] [--mib=N] [--sample=BYTES] [--buffer=BYTES]
//        encrypts N MiB of samples in place (one 32-byte clear run each; 1:9 for cbcs)
//        and prints MB/s. The samples cycle through a buffer of --buffer bytes
//        (default: one sample, which stays in cache as `openssl speed -evp aes-128-ctr`'s
//        block does, so the two compare the cipher and our per-sample work, not RAM)

#include "package/cencencryptor.h"
#include "package/fmp4.h"
#include "package/hlsaes.h"
#include "package/samplecipher.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QMap>
#include <QStringList>
#include <QTextStream>

#include <ctime>

using namespace rs;
using namespace rs::package;

namespace {

int usage() {
  QTextStream(stderr) << "usage: rs-package split IN.mp4 OUTDIR [--scheme=cenc|cbcs --key=HEX --kid=HEX [--iv=HEX]]\n"
                         "       rs-package aes128 IN.mp4 OUTDIR --key=HEX [--iv=HEX]\n"
                         "       rs-package bench-cipher [--scheme=cenc|cbcs] [--mib=N] [--sample=BYTES] [--buffer=BYTES]\n";
  return 2;
}

int fail(const QString &what) {
  QTextStream(stderr) << "rs-package: " << what << "\n";
  return 1;
}

Bytes16 hexOr(const QMap<QString, QString> &o, const QString &key, const Bytes16 &fallback, bool *ok) {
  if (!o.contains(key)) return fallback;
  auto v = bytes16FromHex(o.value(key));
  if (!v) *ok = false;
  return v.value_or(fallback);
}

int benchCipher(const QMap<QString, QString> &o) {
  const Scheme scheme = parseScheme(o.value(QStringLiteral("scheme"), QStringLiteral("cenc"))).value_or(Scheme::Cenc);
  const int mib = o.value(QStringLiteral("mib"), QStringLiteral("256")).toInt();
  const int sampleSize = o.value(QStringLiteral("sample"), QStringLiteral("16384")).toInt();
  const qsizetype bufferSize = o.value(QStringLiteral("buffer"), QString::number(sampleSize)).toLongLong();
  if (mib <= 0 || sampleSize < 64 || bufferSize < sampleSize) return usage();
  SampleCipher cipher;
  const Bytes16 key{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
  Status s = cipher.init(scheme, ContentKey(key), SampleCipher::Mode::Encrypt, scheme == Scheme::Cbcs ? 1 : 0, scheme == Scheme::Cbcs ? 9 : 0);
  if (!s) return fail(s.message());
  QByteArray buffer(bufferSize / sampleSize * sampleSize, 'x');
  const std::uint64_t samples = (std::uint64_t(mib) << 20) / std::uint64_t(sampleSize);
  // A slice: 32 clear bytes (length, NAL and slice header), the rest protected.
  const std::vector<cenc::Subsample> subs = {{32, std::uint32_t(sampleSize - 32) / 16 * 16}};
  std::vector<cenc::Subsample> exact = subs;
  exact[0].clearBytes = std::uint16_t(sampleSize - exact[0].protectedBytes);
  QByteArray iv(8, '\0');
  // Both wall and CPU time: `openssl speed` divides by user CPU time unless given
  // -elapsed, so on a shared machine the two only compare like with like.
  const auto cpuNow = [] {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
  };
  const double cpu0 = cpuNow();
  QElapsedTimer t;
  t.start();
  auto *p = reinterpret_cast<std::uint8_t *>(buffer.data());
  std::uint64_t n = 0;
  const QByteArray constantIv = toByteArray(key);
  for (qsizetype at = 0; n < samples; ++n, at = (at + sampleSize) % buffer.size()) {
    iv[7] = char(n);
    s = cipher.apply(p + at, std::size_t(sampleSize), scheme == Scheme::Cbcs ? constantIv : iv, exact);
    if (!s) return fail(s.message());
  }
  const double seconds = double(t.nsecsElapsed()) / 1e9, cpu = cpuNow() - cpu0;
  const double bytes = double(n) * sampleSize;
  QTextStream(stdout) << QStringLiteral("{\"scheme\":\"%1\",\"bytes\":%2,\"seconds\":%3,\"cpuSeconds\":%4,\"MBps\":%5,\"MBpsCpu\":%6,"
                                        "\"sampleBytes\":%7,\"bufferBytes\":%8}\n")
                             .arg(schemeName(scheme)).arg(bytes, 0, 'f', 0).arg(seconds, 0, 'f', 4).arg(cpu, 0, 'f', 4)
                             .arg(bytes / seconds / 1e6, 0, 'f', 1).arg(bytes / cpu / 1e6, 0, 'f', 1).arg(sampleSize).arg(buffer.size());
  return 0;
}

}  // namespace

int main(int argc, char **argv) {
  QCoreApplication app(argc, argv);
  QStringList words;
  QMap<QString, QString> o;
  for (const QString &a : app.arguments().mid(1)) {
    if (a.startsWith(QLatin1String("--"))) {
      const qsizetype eq = a.indexOf(u'=');
      o.insert(a.mid(2, eq < 0 ? -1 : eq - 2), eq < 0 ? QStringLiteral("1") : a.mid(eq + 1));
    } else {
      words << a;
    }
  }
  if (words.value(0) == QLatin1String("bench-cipher")) return benchCipher(o);
  if (words.size() != 3 || (words[0] != QLatin1String("split") && words[0] != QLatin1String("aes128"))) return usage();
  bool ok = true;
  const Bytes16 key = hexOr(o, QStringLiteral("key"), Bytes16{}, &ok), kid = hexOr(o, QStringLiteral("kid"), Bytes16{}, &ok),
                iv = hexOr(o, QStringLiteral("iv"), Bytes16{0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x80}, &ok);
  if (!ok) return fail(QStringLiteral("--key, --kid and --iv take 32 hex digits"));
  std::unique_ptr<SegmentHandler> handler;
  if (words[0] == QLatin1String("aes128")) {
    if (!o.contains(QStringLiteral("key"))) return usage();
    handler = std::make_unique<HlsAes128Encryptor>(ContentKey(key), iv, QStringLiteral("cli"));
  } else if (o.contains(QStringLiteral("scheme"))) {
    const auto scheme = parseScheme(o.value(QStringLiteral("scheme")));
    if (!scheme || !o.contains(QStringLiteral("key")) || !o.contains(QStringLiteral("kid"))) return usage();
    CencTrackParams p;
    p.scheme = *scheme;
    p.kid = kid;
    p.key = ContentKey(key);
    p.iv = iv;
    handler = std::make_unique<CencEncryptor>(p);
  }
  QElapsedTimer t;
  t.start();
  auto split = splitFragmentedMp4(words[1], {{words[2], handler.get()}});
  if (!split) return fail(split.status().message());
  QTextStream(stdout) << QStringLiteral("{\"segments\":%1,\"seconds\":%2}\n").arg(split->front().segments.size()).arg(double(t.nsecsElapsed()) / 1e9, 0, 'f', 4);
  return 0;
}
