// Common Encryption of real CMAF tracks (x264/x265 video and AAC made by the ffmpeg
// CLI), for 'cenc' and 'cbcs':
//   - the init segment is what ISO/IEC 23001-7 says (encv/enca, sinf, tenc, pssh);
//   - every fragment has saiz, saio (pointing at senc's first IV) and senc last, and
//     the trun data offsets still find the samples;
//   - our own decryptor gives back the clear samples byte for byte;
//   - ffmpeg (-decryption_key) decodes our output to exactly the clear frames (framemd5)
//     and does not with a wrong key; ffprobe reads it. ffmpeg 5.1 is given the
//     segments as a stream (pipe:0), as a player receives them: opening a seekable
//     file of several encrypted fragments, it reads moofs ahead and applies a later
//     fragment's senc to earlier samples ("Incorrect number of samples in encryption
//     info"); streamed, or one segment at a time, it decrypts them exactly;
//   - bad input (wrong key length, VP9, already encrypted, a lying sample) is refused.

#include "package/aes.h"
#include "package/boxbuilder.h"
#include "package/boxwriter.h"
#include "package/cencdecryptor.h"
#include "package/cencencryptor.h"
#include "package/fmp4.h"
#include "package/hlsaes.h"
#include "package/tools.h"
#include "package/tracktools.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

using namespace rs::package;
using namespace rs::package::testing;

namespace {

const Bytes16 kKid = *bytes16FromHex(u"0123456789abcdef0123456789abcdef");
const Bytes16 kKey = *bytes16FromHex(u"00112233445566778899aabbccddeeff");
const Bytes16 kOtherKid = *bytes16FromHex(u"fedcba9876543210fedcba9876543210");
const Bytes16 kIv = *bytes16FromHex(u"a1a2a3a4a5a6a7a8b1b2b3b4b5b6b7b8");

CencTrackParams params(Scheme scheme) {
  CencTrackParams p;
  p.scheme = scheme;
  p.kid = kKid;
  p.key = ContentKey(kKey);
  p.iv = kIv;
  p.psshKids = {kKid, kOtherKid};
  return p;
}

// ffmpeg's framemd5 of the decoded stream (read from stdin): one line per frame,
// comments dropped.
QStringList frameHashes(const QString &file, const QStringList &before, QString *error) {
  const ToolRun run = runTool(QStringLiteral("ffmpeg"), QStringList{QStringLiteral("-v"), QStringLiteral("error")} + before +
                                                            QStringList{QStringLiteral("-i"), QStringLiteral("pipe:0"), QStringLiteral("-f"),
                                                                        QStringLiteral("framemd5"), QStringLiteral("-")},
                              60000, file);
  if (!run.ok) {
    *error = run.error;
    return {};
  }
  QStringList out;
  for (const QString &line : QString::fromUtf8(run.out).split(u'\n'))
    if (!line.startsWith(u'#') && !line.trimmed().isEmpty()) out.append(line.section(u',', 5).trimmed());
  return out;
}

QByteArray joined(const TrackFiles &t) {
  QByteArray all = t.init;
  for (const QByteArray &s : t.segments) all += s;
  return all;
}

struct Source {
  QString file;
  bool video = true;
};

}  // namespace

class TestCenc : public QObject {
  Q_OBJECT
  QTemporaryDir tmp_;
  QString h264_, hevc_, aac_, vp9_;

  // Splits `input` clear and encrypted in one pass (two outputs) and returns both.
  bool protect(const QString &input, const QString &name, CencTrackParams p, TrackFiles *clear, TrackFiles *encrypted,
               QString *error) {
    CencEncryptor encryptor(std::move(p));
    const QString clearDir = tmp_.filePath(name + QStringLiteral("-clear")), encDir = tmp_.filePath(name + QStringLiteral("-enc"));
    auto split = splitFragmentedMp4(input, {{clearDir, nullptr}, {encDir, &encryptor}});
    if (!split) {
      *error = split.status().message();
      return false;
    }
    *clear = readTrack(clearDir);
    *encrypted = readTrack(encDir);
    if ((*split)[1].initBytes != encrypted->init.size()) {
      *error = QStringLiteral("summary init size is not the file's");
      return false;
    }
    for (std::size_t i = 0; i < encrypted->segments.size(); ++i)
      if ((*split)[1].segments[i].bytes != encrypted->segments[i].size()) {
        *error = QStringLiteral("summary segment size is not the file's");
        return false;
      }
    return true;
  }

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(tmp_.isValid());
    h264_ = tmp_.filePath(QStringLiteral("h264.mp4"));
    hevc_ = tmp_.filePath(QStringLiteral("hevc.mp4"));
    aac_ = tmp_.filePath(QStringLiteral("aac.mp4"));
    vp9_ = tmp_.filePath(QStringLiteral("vp9.mp4"));
    // 3 s at 25 fps with a GOP of 25: three fragments; B frames and weighted prediction on.
    ToolRun run = runTool(QStringLiteral("ffmpeg"), testVideoInput(QStringLiteral("320x180"), 3) + x264Args(25) + fragmentedMp4Args(h264_));
    QVERIFY2(run.ok, qPrintable(run.error));
    run = runTool(QStringLiteral("ffmpeg"), testVideoInput(QStringLiteral("320x180"), 2) +
                                                QStringList{QStringLiteral("-c:v"), QStringLiteral("libx265"), QStringLiteral("-preset"),
                                                            QStringLiteral("ultrafast"), QStringLiteral("-x265-params"),
                                                            QStringLiteral("log-level=error:keyint=25"), QStringLiteral("-tag:v"),
                                                            QStringLiteral("hvc1")} +
                                                fragmentedMp4Args(hevc_));
    QVERIFY2(run.ok, qPrintable(run.error));
    run = runTool(QStringLiteral("ffmpeg"), testAudioInput(3) + QStringList{QStringLiteral("-c:a"), QStringLiteral("aac"),
                                                                            QStringLiteral("-frag_duration"), QStringLiteral("1000000")} +
                                                fragmentedMp4Args(aac_));
    QVERIFY2(run.ok, qPrintable(run.error));
    run = runTool(QStringLiteral("ffmpeg"), testVideoInput(QStringLiteral("160x90"), 1) +
                                                QStringList{QStringLiteral("-c:v"), QStringLiteral("libvpx-vp9"), QStringLiteral("-deadline"),
                                                            QStringLiteral("realtime"), QStringLiteral("-g"), QStringLiteral("25")} +
                                                fragmentedMp4Args(vp9_));
    QVERIFY2(run.ok, qPrintable(run.error));
  }

  void initSegmentIsProtected_data() {
    QTest::addColumn<QString>("input");
    QTest::addColumn<int>("scheme");
    QTest::newRow("h264 cenc") << QStringLiteral("h264") << int(Scheme::Cenc);
    QTest::newRow("h264 cbcs") << QStringLiteral("h264") << int(Scheme::Cbcs);
    QTest::newRow("aac cenc") << QStringLiteral("aac") << int(Scheme::Cenc);
    QTest::newRow("aac cbcs") << QStringLiteral("aac") << int(Scheme::Cbcs);
  }
  void initSegmentIsProtected() {
    QFETCH(QString, input);
    QFETCH(int, scheme);
    const bool video = input != QLatin1String("aac");
    const Scheme s = Scheme(scheme);
    TrackFiles clear, enc;
    QString error;
    QVERIFY2(protect(video ? h264_ : aac_, QStringLiteral("init-%1-%2").arg(input).arg(scheme), params(s), &clear, &enc, &error), qPrintable(error));
    auto p = readProtectedInit(enc.init);
    QVERIFY2(p.isOk(), qPrintable(p.status().message()));
    QCOMPARE(p->originalFormat, video ? mp4::fourcc("avc1") : mp4::fourcc("mp4a"));
    QCOMPARE(p->sinf.schm.schemeType, s == Scheme::Cenc ? mp4::fourcc("cenc") : mp4::fourcc("cbcs"));
    QCOMPARE(p->sinf.schm.schemeVersion, 0x00010000u);
    const cenc::Tenc &t = p->sinf.tenc;
    QVERIFY(t.isProtected);
    QCOMPARE(t.kid, kKid);
    if (s == Scheme::Cenc) {
      QCOMPARE(t.version, std::uint8_t(0));
      QCOMPARE(t.perSampleIvSize, std::uint8_t(8));
    } else {
      QCOMPARE(t.version, std::uint8_t(1));
      QCOMPARE(t.cryptByteBlock, std::uint8_t(video ? 1 : 0));
      QCOMPARE(t.skipByteBlock, std::uint8_t(video ? 9 : 0));
      QCOMPARE(t.perSampleIvSize, std::uint8_t(0));
      QCOMPARE(t.constantIv, toByteArray(kIv));
    }
    QCOMPARE(p->pssh.size(), std::size_t(1));
    QCOMPARE(p->pssh[0].version, std::uint8_t(1));
    QCOMPARE(p->pssh[0].systemId, cenc::kCommonSystemId);
    QCOMPARE(p->pssh[0].kids, (std::vector<Bytes16>{kKid, kOtherKid}));
    QVERIFY(p->pssh[0].data.isEmpty());
    // The encrypted entry keeps the codec string of the clear one.
    QCOMPARE(codecStringFromInit(enc.init), codecStringFromInit(clear.init));
    QCOMPARE(p->track.codecs, codecStringFromInit(clear.init));
    // mdat sizes are unchanged: encryption never changes the sample sizes.
    QCOMPARE(enc.segments.size(), clear.segments.size());
  }

  void ourDecryptorGivesBackTheClearSamples_data() {
    QTest::addColumn<QString>("input");
    QTest::addColumn<int>("scheme");
    for (const char *in : {"h264", "hevc", "aac"})
      for (Scheme s : {Scheme::Cenc, Scheme::Cbcs})
        QTest::newRow(qPrintable(QStringLiteral("%1 %2").arg(QLatin1String(in), schemeName(s)))) << QString::fromLatin1(in) << int(s);
  }
  void ourDecryptorGivesBackTheClearSamples() {
    QFETCH(QString, input);
    QFETCH(int, scheme);
    const QString file = input == QLatin1String("h264") ? h264_ : input == QLatin1String("hevc") ? hevc_ : aac_;
    TrackFiles clear, enc;
    QString error;
    QVERIFY2(protect(file, QStringLiteral("dec-%1-%2").arg(input).arg(scheme), params(Scheme(scheme)), &clear, &enc, &error), qPrintable(error));
    const std::vector<QByteArray> want = clearSamples(clear, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QVERIFY(want.size() > 20);

    CencDecryptor decryptor;
    QVERIFY(decryptor.init(enc.init, ContentKey(kKey)).isOk());
    std::vector<QByteArray> got;
    std::uint64_t protectedBytes = 0, changed = 0, lastIv = 0;
    bool firstIv = true;
    for (std::size_t seg = 0; seg < enc.segments.size(); ++seg) {
      cenc::Senc senc;
      auto samples = decryptor.decrypt(enc.segments[seg], &senc);
      QVERIFY2(samples.isOk(), qPrintable(samples.status().message()));
      const bool video = input != QLatin1String("aac");
      QCOMPARE(senc.useSubsamples(), video);
      // The encrypted samples as stored: protected bytes differ, clear ones do not.
      auto stored = segmentSamples(decryptor.track().track, enc.segments[seg]);
      QVERIFY(stored.isOk());
      for (std::size_t i = 0; i < senc.entries.size(); ++i) {
        const QByteArray &before = want[got.size() + i], &after = (*stored)[i];
        qsizetype at = 0;
        for (const cenc::Subsample &sub : senc.entries[i].subsamples) {
          QCOMPARE(after.mid(at, sub.clearBytes), before.mid(at, sub.clearBytes));
          at += sub.clearBytes + qsizetype(sub.protectedBytes);
          protectedBytes += sub.protectedBytes;
        }
        if (!video) protectedBytes += std::uint64_t(after.size());
        changed += after != before;
        if (Scheme(scheme) == Scheme::Cenc) {
          // 8-byte IVs counting up by one per sample, across segments.
          QCOMPARE(senc.entries[i].iv.size(), qsizetype(8));
          const std::uint64_t iv = mp4::readU64(senc.entries[i].iv, 0);
          if (firstIv) QCOMPARE(iv, mp4::readU64(toByteArray(kIv), 0));
          else QCOMPARE(iv, lastIv + 1);
          lastIv = iv;
          firstIv = false;
        } else {
          QVERIFY(senc.entries[i].iv.isEmpty());
        }
      }
      got.insert(got.end(), samples->begin(), samples->end());
    }
    QCOMPARE(got.size(), want.size());
    for (std::size_t i = 0; i < want.size(); ++i) QVERIFY2(got[i] == want[i], qPrintable(QStringLiteral("sample %1 differs").arg(i)));
    QVERIFY(protectedBytes > 0);
    QVERIFY2(changed >= want.size() * 9 / 10, qPrintable(QStringLiteral("only %1 of %2 samples changed").arg(changed).arg(want.size())));

    // With the wrong key the samples come out different.
    CencDecryptor wrong;
    QVERIFY(wrong.init(enc.init, ContentKey(kIv)).isOk());
    auto bad = wrong.decrypt(enc.segments.front());
    QVERIFY(bad.isOk());
    int same = 0;
    for (std::size_t i = 0; i < bad->size(); ++i) same += (*bad)[i] == want[i];
    QVERIFY(same < int(bad->size()) / 10 + 1);
  }

  void ffmpegDecodesExactlyTheClearFrames_data() {
    QTest::addColumn<QString>("input");
    QTest::addColumn<int>("scheme");
    QTest::newRow("h264 cenc") << QStringLiteral("h264") << int(Scheme::Cenc);
    QTest::newRow("h264 cbcs") << QStringLiteral("h264") << int(Scheme::Cbcs);
    QTest::newRow("hevc cenc") << QStringLiteral("hevc") << int(Scheme::Cenc);
    QTest::newRow("hevc cbcs") << QStringLiteral("hevc") << int(Scheme::Cbcs);
    QTest::newRow("aac cenc") << QStringLiteral("aac") << int(Scheme::Cenc);
    QTest::newRow("aac cbcs") << QStringLiteral("aac") << int(Scheme::Cbcs);
  }
  void ffmpegDecodesExactlyTheClearFrames() {
    QFETCH(QString, input);
    QFETCH(int, scheme);
    const QString file = input == QLatin1String("h264") ? h264_ : input == QLatin1String("hevc") ? hevc_ : aac_;
    TrackFiles clear, enc;
    QString error;
    const QString name = QStringLiteral("ff-%1-%2").arg(input).arg(scheme);
    QVERIFY2(protect(file, name, params(Scheme(scheme)), &clear, &enc, &error), qPrintable(error));
    const QString clearFile = tmp_.filePath(name + QStringLiteral("-clear.mp4")), encFile = tmp_.filePath(name + QStringLiteral("-enc.mp4"));
    QVERIFY(writeFileBytes(clearFile, joined(clear)));
    QVERIFY(writeFileBytes(encFile, joined(enc)));

    const QStringList want = frameHashes(clearFile, {}, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QVERIFY(want.size() > 20);
    const QStringList got = frameHashes(encFile, {QStringLiteral("-decryption_key"), toHex(kKey)}, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(got, want);

    // The wrong key: ffmpeg fails or decodes something else, never the clear frames.
    QString wrongError;
    const QStringList wrong = frameHashes(encFile, {QStringLiteral("-decryption_key"), toHex(kIv)}, &wrongError);
    QVERIFY(wrong != want);
    int same = 0;
    for (qsizetype i = 0; i < std::min(wrong.size(), want.size()); ++i) same += wrong[i] == want[i];
    QVERIFY2(same <= want.size() / 10, qPrintable(QStringLiteral("%1 of %2 frames decoded right with the wrong key").arg(same).arg(want.size())));
  }

  void ffprobeReadsTheProtectedTrack() {
    TrackFiles clear, enc;
    QString error;
    QVERIFY2(protect(h264_, QStringLiteral("probe"), params(Scheme::Cenc), &clear, &enc, &error), qPrintable(error));
    const QString encFile = tmp_.filePath(QStringLiteral("probe.mp4"));
    QVERIFY(writeFileBytes(encFile, joined(enc)));
    const ToolRun run = runTool(QStringLiteral("ffprobe"), {QStringLiteral("-v"), QStringLiteral("error"), QStringLiteral("-of"), QStringLiteral("json"),
                                                           QStringLiteral("-count_packets"), QStringLiteral("-show_streams"), QStringLiteral("pipe:0")},
                                60000, encFile);
    QVERIFY2(run.ok, qPrintable(run.error));
    const QJsonObject s = QJsonDocument::fromJson(run.out).object().value(QStringLiteral("streams")).toArray().first().toObject();
    QCOMPARE(s.value(QStringLiteral("codec_name")).toString(), QStringLiteral("h264"));
    QCOMPARE(s.value(QStringLiteral("width")).toInt(), 320);
    QCOMPARE(s.value(QStringLiteral("nb_read_packets")).toString().toInt(), 75);
    // The segments also play one by one (init + segment n), as a player fetches them.
    const QString one = tmp_.filePath(QStringLiteral("probe-seg2.mp4"));
    QVERIFY(writeFileBytes(one, enc.init + enc.segments[1]));
    const QStringList frames = frameHashes(one, {QStringLiteral("-decryption_key"), toHex(kKey)}, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(frames.size(), 25);
  }

  void hlsAes128FilesDecryptWithOpenssl() {
    HlsAes128Encryptor aes(ContentKey(kKey), kIv, QStringLiteral("240p"));
    const QString clearDir = tmp_.filePath(QStringLiteral("aes-clear")), encDir = tmp_.filePath(QStringLiteral("aes-enc"));
    auto split = splitFragmentedMp4(h264_, {{clearDir, nullptr}, {encDir, &aes}});
    QVERIFY2(split.isOk(), qPrintable(split.status().message()));
    const TrackFiles clear = readTrack(clearDir), enc = readTrack(encDir);
    QCOMPARE(enc.segments.size(), clear.segments.size());
    for (std::size_t n = 0; n <= enc.segments.size(); ++n) {
      const QByteArray &c = n == 0 ? clear.init : clear.segments[n - 1];
      const QByteArray &e = n == 0 ? enc.init : enc.segments[n - 1];
      QCOMPARE(e.size(), (c.size() / 16 + 1) * 16);  // PKCS#7 always pads
      const QString path = n == 0 ? encDir + QStringLiteral("/init.mp4") : encDir + QStringLiteral("/seg-%1.m4s").arg(n);
      // An implementation nobody here wrote: the openssl command line.
      const ToolRun run = runTool(QStringLiteral("openssl"), {QStringLiteral("enc"), QStringLiteral("-d"), QStringLiteral("-aes-128-cbc"),
                                                             QStringLiteral("-K"), toHex(kKey), QStringLiteral("-iv"), toHex(aes.ivFor(n)),
                                                             QStringLiteral("-in"), path});
      QVERIFY2(run.ok, qPrintable(run.error));
      QVERIFY2(run.out == c, qPrintable(QStringLiteral("file %1 does not decrypt to the clear one").arg(n)));
      // Different IVs for different files.
      if (n > 0) QVERIFY(aes.ivFor(n) != aes.ivFor(n - 1));
    }
    auto wrong = aes128CbcPkcs7Decrypt(ContentKey(kIv), aes.ivFor(1), enc.segments[0]);
    QVERIFY(!wrong.isOk() || *wrong != clear.segments[0]);
  }

  // Random damage inside the sample data (NAL length fields, slice headers): the
  // encryptor either refuses the segment with BadRequest, or its output decrypts back
  // to exactly the damaged input. Never a crash, never another kind of error.
  void damagedSamplesAreRefusedOrRoundTrip() {
    TrackFiles clear, enc;
    QString error;
    QVERIFY(protect(h264_, QStringLiteral("damage"), params(Scheme::Cenc), &clear, &enc, &error));
    TrackHeader header;
    clearSamples(clear, &error, &header);
    auto top = mp4::parseBoxes(clear.segments[0], 0);
    QVERIFY(top.isOk());
    const mp4::Box mdat = (*top)[1];
    QRandomGenerator rng(20240610);
    int refused = 0, accepted = 0;
    for (int round = 0; round < 200; ++round) {
      QByteArray damaged = clear.segments[0];
      for (int k = 0; k < 1 + int(rng.bounded(4)); ++k) {
        // Mostly near the start of samples, where length fields and headers are.
        const qsizetype at = qsizetype(mdat.payloadOffset() + rng.bounded(std::uint32_t(std::min<qsizetype>(mdat.payload.size(), 4096))));
        damaged[at] = char(rng.bounded(256));
      }
      for (Scheme scheme : {Scheme::Cenc, Scheme::Cbcs}) {
        CencEncryptor encryptor(params(scheme));
        QVERIFY(encryptor.init(clear.init).isOk());
        auto out = encryptor.segment(damaged, 1);
        if (!out.isOk()) {
          QCOMPARE(out.status().code(), rs::ErrorCode::BadRequest);
          ++refused;
          continue;
        }
        ++accepted;
        CencDecryptor decryptor;
        CencEncryptor again(params(scheme));
        auto init = again.init(clear.init);
        QVERIFY(init.isOk() && decryptor.init(*init, ContentKey(kKey)).isOk());
        auto back = decryptor.decrypt(*out);
        QVERIFY2(back.isOk(), qPrintable(back.status().message()));
        auto want = segmentSamples(header, damaged);
        QVERIFY(want.isOk());
        QVERIFY(*back == *want);
      }
    }
    QVERIFY2(refused > 0 && accepted > 0, qPrintable(QStringLiteral("%1 refused, %2 accepted").arg(refused).arg(accepted)));
  }

  void badInputIsRefused() {
    auto shortKey = ContentKey::fromBytes(QByteArray(15, 'k'));
    QVERIFY(!shortKey.isOk());
    QVERIFY(shortKey.status().message().contains(QStringLiteral("must be 16 bytes (AES-128), got 15")));
    QVERIFY(!shortKey.status().message().contains(QStringLiteral("kkk")));

    // VP9: refused, and the error says why and what to do instead.
    CencEncryptor vp9(params(Scheme::Cenc));
    auto split = splitFragmentedMp4(vp9_, {{tmp_.filePath(QStringLiteral("vp9-enc")), &vp9}});
    QVERIFY(!split.isOk());
    QVERIFY2(split.status().message().contains(QStringLiteral("VP9/AV1 CENC subsample bindings")), qPrintable(split.status().message()));
    QVERIFY2(split.status().message().contains(QStringLiteral("--encode-codec=h264 or hevc")), qPrintable(split.status().message()));
    QVERIFY(!QDir(tmp_.filePath(QStringLiteral("vp9-enc"))).exists());

    // Encrypting an encrypted track.
    TrackFiles clear, enc;
    QString error;
    QVERIFY(protect(h264_, QStringLiteral("twice"), params(Scheme::Cenc), &clear, &enc, &error));
    CencEncryptor again(params(Scheme::Cenc));
    auto twice = again.init(enc.init);
    QVERIFY(!twice.isOk());
    QVERIFY2(twice.status().message().contains(QStringLiteral("already encrypted")), qPrintable(twice.status().message()));

    // No key; a segment before its init segment.
    CencTrackParams none = params(Scheme::Cenc);
    none.key = ContentKey();
    CencEncryptor keyless(none);
    QVERIFY(!keyless.init(clear.init).isOk());
    CencEncryptor early(params(Scheme::Cenc));
    QVERIFY(!early.segment(clear.segments[0], 1).isOk());

    // A sample whose NAL length claims more than it holds: the clear segment with the
    // first sample's first length field raised; the error names segment and sample.
    CencEncryptor lying(params(Scheme::Cenc));
    QVERIFY(lying.init(clear.init).isOk());
    TrackHeader header;
    clearSamples(clear, &error, &header);
    auto moof = mp4::parseBoxes(clear.segments[0], 0);
    QVERIFY(moof.isOk());
    auto fragment = parseMoof(moof->front(), header, std::uint64_t(clear.segments[0].size()));
    QVERIFY(fragment.isOk());
    QByteArray damaged = clear.segments[0];
    mp4::patchU32(&damaged, qsizetype(fragment->samples[0].offset), 0x00ffffff);
    auto refused = lying.segment(damaged, 1);
    QVERIFY(!refused.isOk());
    QCOMPARE(refused.status().code(), rs::ErrorCode::BadRequest);
    QVERIFY2(refused.status().message().contains(QStringLiteral("segment 1, sample 1: NAL unit at offset 0 claims 16777215 bytes")),
             qPrintable(refused.status().message()));
    // No key material in any of these messages.
    for (const QString &m : {refused.status().message(), twice.status().message(), split.status().message()})
      QVERIFY(!m.contains(toHex(kKey)));
  }
};

QTEST_GUILESS_MAIN(TestCenc)
#include "tst_cenc.moc"
