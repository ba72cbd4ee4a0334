#pragma once
// Running the ffmpeg/ffprobe CLIs from tests: they make real media to package and
// judge what the packager wrote, independently of our own box reader.

#include <QByteArray>
#include <QProcess>
#include <QStandardPaths>
#include <QString>
#include <QStringList>

namespace rs::package::testing {

struct ToolRun {
  bool ok = false;
  QByteArray out;
  QByteArray err;  // stderr (ffmpeg's logs, trace_headers)
  QString error;   // why it failed: exit code and stderr
};

// `stdinFile`, when given, is the program's standard input (ffmpeg reads "-i pipe:0"
// as a stream, the way a player receives segments).
inline ToolRun runTool(const QString &program, const QStringList &args, int timeoutMs = 60000, const QString &stdinFile = {}) {
  ToolRun run;
  const QString path = QStandardPaths::findExecutable(program);
  if (path.isEmpty()) {
    run.error = program + QStringLiteral(" is not installed");
    return run;
  }
  QProcess p;
  if (!stdinFile.isEmpty()) p.setStandardInputFile(stdinFile);
  p.start(path, args);
  if (!p.waitForFinished(timeoutMs)) {
    p.kill();
    p.waitForFinished();
    run.error = program + QStringLiteral(" timed out: ") + args.join(u' ');
    return run;
  }
  run.out = p.readAllStandardOutput();
  run.err = p.readAllStandardError();
  run.ok = p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
  if (!run.ok)
    run.error = program + QStringLiteral(" exited with ") + QString::number(p.exitCode()) + QStringLiteral(": ") +
                QString::fromUtf8(run.err).right(2000);
  return run;
}

// The fragmented MP4 the packager expects (FFmpeg's CMAF-style fragmentation).
inline QStringList fragmentedMp4Args(const QString &out) {
  return {QStringLiteral("-f"), QStringLiteral("mp4"), QStringLiteral("-movflags"),
          QStringLiteral("frag_keyframe+empty_moov+default_base_moof+cmaf"), QStringLiteral("-y"), out};
}

inline QStringList testVideoInput(const QString &size, int seconds) {
  return {QStringLiteral("-v"), QStringLiteral("error"), QStringLiteral("-f"), QStringLiteral("lavfi"),
          QStringLiteral("-i"), QStringLiteral("testsrc2=size=%1:rate=25").arg(size),
          QStringLiteral("-t"), QString::number(seconds)};
}

inline QStringList testAudioInput(int seconds) {
  return {QStringLiteral("-v"), QStringLiteral("error"), QStringLiteral("-f"), QStringLiteral("lavfi"),
          QStringLiteral("-i"), QStringLiteral("sine=frequency=440:sample_rate=48000"),
          QStringLiteral("-t"), QString::number(seconds), QStringLiteral("-ac"), QStringLiteral("2")};
}

inline QStringList x264Args(int gop) {
  return {QStringLiteral("-c:v"), QStringLiteral("libx264"), QStringLiteral("-preset"), QStringLiteral("veryfast"),
          QStringLiteral("-g"), QString::number(gop), QStringLiteral("-keyint_min"), QString::number(gop),
          QStringLiteral("-sc_threshold"), QStringLiteral("0")};
}

}  // namespace rs::package::testing
