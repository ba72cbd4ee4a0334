#pragma once
// One client connection: reads and parses requests, routes them, and writes the
// responses in order (pipelined requests are answered one after another).

#include "core/http/request.h"
#include "core/http/requestparser.h"
#include "core/http/router.h"
#include "core/http/server.h"

#include <QByteArray>
#include <QHostAddress>
#include <QObject>
#include <memory>

class QSocketNotifier;
namespace rs::tls { class ServerStream; }

namespace rs::http {

class Worker;

class Connection : public QObject {
  Q_OBJECT
 public:
  // A raw descriptor, plain TCP or (with a stream) TLS whose handshake runs in the
  // first reads.
  Connection(Worker *worker, quint64 id, int fd, QHostAddress peer, std::unique_ptr<tls::ServerStream> tls = {});
  ~Connection() override;

  quint64 id() const { return id_; }
  // Called by the worker's 1 s tick; closes the connection if a deadline has passed.
  void checkTimeout(qint64 nowMs);
  // Graceful shutdown: idle connections close now, busy ones after their response.
  void drain();
  void forceClose();

  // From Responder, always on this connection's thread.
  void respond(const std::shared_ptr<Responder::Exchange> &ex, Response r);
  void streamBegin(const std::shared_ptr<Responder::Exchange> &ex, int status, Headers h, qint64 len);
  void streamWrite(const std::shared_ptr<Responder::Exchange> &ex, QByteArray chunk);
  void streamEnd(const std::shared_ptr<Responder::Exchange> &ex);
  void streamAbort(const std::shared_ptr<Responder::Exchange> &ex);
  // A BodySource we wait on has bytes (or failed).
  void sourceReady();

 private:
  enum class State { Reading, Handling, Writing, Closed };

  void onReadable();
  void onWritable();
  void processInput();
  void onHead();
  Status authorize();  // the route's Access against the caller, through the listener's Authenticator
  void dispatch();
  void fail(int status, const QString &message);
  void writeHead(int status, Headers &headers, qint64 contentLength, bool chunked);
  void finishExchange();
  void flush();
  void responseDone();
  void close();
  qint64 rawRead(char *buf, qint64 max);
  qint64 rawWrite(const char *buf, qint64 len);
  void wantWrite(bool on);
  void pauseReading(bool paused);
  void setDeadline(int ms);
  bool checkTlsFirstByte();
  bool flushFileTls(qint64 &turnBytes);

  Worker *worker_;
  const quint64 id_;
  int fd_ = -1;
  std::unique_ptr<tls::ServerStream> tls_;
  bool tlsChecked_ = false;       // the first byte was a TLS handshake
  bool tlsReadWantsWrite_ = false;
  QByteArray tlsFileBuf_;  // file bytes read for SSL_write when the kernel has no TLS
  qsizetype tlsFileBufPos_ = 0;
  QSocketNotifier *readNotifier_ = nullptr;
  QSocketNotifier *writeNotifier_ = nullptr;
  QHostAddress peer_;
  QByteArray peerText_;

  RequestParser parser_;
  State state_ = State::Reading;
  QByteArray in_;
  qsizetype inPos_ = 0;
  bool inProcess_ = false;
  bool peerClosed_ = false;
  bool draining_ = false;

  // Current exchange.
  std::shared_ptr<Responder::Exchange> exchange_;
  Request request_;
  Router::Match match_;
  bool headStarted_ = false;
  bool headSeen_ = false;
  bool closeAfterResponse_ = false;
  bool responseComplete_ = false;
  bool streamingChunked_ = false;
  bool headOnly_ = false;
  int status_ = 0;
  qint64 bodyLimit_ = 0;
  qint64 bytesOut_ = 0;

  // Output.
  QByteArray out_;
  qsizetype outPos_ = 0;
  std::optional<FileBody> file_;
  std::optional<SourceBody> source_;
  bool sourceWaiting_ = false;
  qint64 deadlineMs_ = 0;
};

}  // namespace rs::http
