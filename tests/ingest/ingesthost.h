#pragma once
// Test tools for the ingest role: the real control role as a `platform --role=control`
// process, api + ingest in a RoleHost on its own thread (so blocking test sockets never
// stall its acceptor or HTTP client), and tus request headers.

#include "api/apirole.h"
#include "core/config/config.h"
#include "core/roles/rolehost.h"
#include "ingest/ingestrole.h"
#include "support/credentials.h"
#include "support/rawhttp.h"
#include "support/stack.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QThread>
#include <QUrl>
#include <QtEndian>

#include <memory>

namespace rs::test::ingest {

using namespace Qt::StringLiterals;
using rs::test::Client;
using rs::test::HeaderList;
using rs::test::HttpResponse;
using rs::test::request;

inline QByteArray readFile(const QString &path) {
  QFile f(path);
  return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

inline const QPair<QByteArray, QByteArray> kTus{"Tus-Resumable", "1.0.0"};
inline const QPair<QByteArray, QByteArray> kOffsetStream{"Content-Type", "application/offset+octet-stream"};

inline HeaderList patchHeaders(qint64 offset) { return {kTus, kOffsetStream, {"Upload-Offset", QByteArray::number(offset)}}; }

inline QJsonObject json(const HttpResponse &r) { return QJsonDocument::fromJson(r.body).object(); }

inline QByteArray describe(const HttpResponse &r) {
  return "HTTP " + QByteArray::number(r.status) + ' ' + r.body.left(300);
}

// The real control role, in its own process, asked to shut down cleanly at the end;
// the test speaks to it as a service.
class ControlProcess {
 public:
  ControlProcess() {
    platform_.start({u"--role=control"_s, u"--log-level=warning"_s});
    authorize(url(), service());
  }
  ~ControlProcess() { platform_.terminate(5000); }
  QUrl url() const { return platform_.url(u"control"_s); }
  quint16 port() const { return quint16(url().port()); }
  QString keyFile() const { return clusterKeyFile(platform_.dataDir()); }
  QByteArray service() const { return platform_.serviceAuth(); }

 private:
  rs::test::Platform platform_;
};

// api + ingest in a RoleHost running on its own thread, so the test's blocking sockets
// never stall the server's acceptor or its HTTP client. It holds control's cluster key;
// the test speaks to it as its local admin (uploads are an admin's job).
class IngestHost {
 public:
  IngestHost(const QString &dataDir, const ControlProcess &control, const QStringList &extra = {})
      : IngestHost(dataDir, control.url(), control.keyFile(), extra) {}
  IngestHost(const QString &dataDir, const QUrl &control, const QString &keyFile, const QStringList &extra = {}) {
    thread_.start();
    ctx_ = new QObject;
    ctx_->moveToThread(&thread_);
    QStringList args{u"--role=api,ingest"_s, u"--data-dir"_s, dataDir, u"--api-listen=127.0.0.1:0"_s,
                     u"--control"_s, control.toString(), u"--cluster-key-file"_s, keyFile,
                     u"--access-log="_s, u"--upload-max-size=10000000"_s, u"--scrypt-n=1024"_s};
    args << extra;
    QMetaObject::invokeMethod(ctx_, [&] {
      auto config = rs::config::Config::fromArguments(args);
      if (!config) {
        status_ = config.status();
        return;
      }
      config_ = std::make_unique<rs::config::Config>(*config);
      registry_.provide(u"api"_s, rs::api::createApiRole);
      registry_.provide(u"ingest"_s, rs::ingest::createIngestRole);
      host_ = std::make_unique<rs::roles::RoleHost>(*config_, registry_);
      status_ = host_->start();
      if (status_.isOk()) port_ = quint16(host_->localUrl(u"api"_s).port());
    }, Qt::BlockingQueuedConnection);
    if (port_) setDefaultAuthorization(port_, adminAuthorization(dataDir));
  }
  ~IngestHost() { stop(); }

  void stop() {
    if (!ctx_) return;
    QMetaObject::invokeMethod(ctx_, [this] {
      if (host_) host_->shutdown(2000);
      host_.reset();
    }, Qt::BlockingQueuedConnection);
    thread_.quit();
    thread_.wait();
    delete ctx_;
    ctx_ = nullptr;
  }
  bool ok() const { return status_.isOk(); }
  QString error() const { return status_.message(); }
  quint16 port() const { return port_; }

 private:
  QThread thread_;
  QObject *ctx_ = nullptr;
  std::unique_ptr<rs::config::Config> config_;
  rs::roles::RoleRegistry registry_;
  std::unique_ptr<rs::roles::RoleHost> host_;
  rs::Status status_;
  quint16 port_ = 0;
};


// A real 2 s H.264 + AAC MP4 made by the ffmpeg CLI from a lavfi video source.
inline QByteArray makeClip(const QString &path, const QString &source) {
  QProcess ff;
  ff.start(u"ffmpeg"_s, {u"-v"_s, u"error"_s, u"-y"_s, u"-f"_s, u"lavfi"_s, u"-i"_s, source, u"-f"_s, u"lavfi"_s,
                         u"-i"_s, u"sine=frequency=440:sample_rate=48000"_s, u"-t"_s, u"2"_s, u"-c:v"_s, u"libx264"_s,
                         u"-preset"_s, u"ultrafast"_s, u"-pix_fmt"_s, u"yuv420p"_s, u"-c:a"_s, u"aac"_s, u"-shortest"_s, path});
  ff.waitForFinished(60000);
  return readFile(path);
}

// A copy of an MP4 with its own bytes (and SHA-256): the clip plus a top-level 'free'
// box, which demuxers skip. Tests sharing one catalogue need it to avoid duplicates.
inline QByteArray uniqueMp4(const QByteArray &clip) {
  static int n = 0;
  const QByteArray payload = "reelstack test upload " + QByteArray::number(++n) + ' ' +
                             QByteArray::number(QDateTime::currentMSecsSinceEpoch());
  QByteArray box(4, '\0');
  qToBigEndian<quint32>(quint32(8 + payload.size()), box.data());
  return clip + box + "free" + payload;
}

}  // namespace rs::test::ingest
