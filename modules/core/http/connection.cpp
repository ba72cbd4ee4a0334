#include "core/http/connection.h"

#include "core/http/path.h"
#include "core/http/trace.h"
#include "core/http/worker.h"
#include "core/log/log.h"

#include "core/tls/stream.h"

#include <QPointer>
#include <QSocketNotifier>

#include <cerrno>
#include <cstring>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <unistd.h>

namespace rs::http {

namespace {
constexpr qsizetype kReadChunk = 64 * 1024;
// Stop reading while this much unparsed input is buffered behind a pending response:
// pipelining is allowed, an unbounded pipeline is not.
constexpr qsizetype kMaxBufferedInput = 1024 * 1024;
// File bytes read per SSL_write when the kernel cannot encrypt (four full TLS records).
constexpr qint64 kTlsFileChunk = 64 * 1024;
// One connection sends at most this much per turn of its worker's event loop before
// the other connections get theirs (nginx's sendfile_max_chunk): without it a fast
// reader of a large body holds the worker and the others' tail latency grows.
constexpr qint64 kSendfileChunk = 1024 * 1024;
// Below this a copy is cheaper than a second syscall and a second TCP segment.
constexpr qint64 kInlineFileBytes = 16 * 1024;

qint64 nowMs() { return monotonicNs() / 1'000'000; }
}  // namespace

Connection::Connection(Worker *worker, quint64 id, int fd, QHostAddress peer, std::unique_ptr<tls::ServerStream> tls)
    : QObject(worker), worker_(worker), id_(id), fd_(fd), tls_(std::move(tls)), peer_(std::move(peer)),
      peerText_(peer_.toString().toLatin1()), parser_(worker->options().parser) {
  readNotifier_ = new QSocketNotifier(fd_, QSocketNotifier::Read, this);
  writeNotifier_ = new QSocketNotifier(fd_, QSocketNotifier::Write, this);
  writeNotifier_->setEnabled(false);
  connect(readNotifier_, &QSocketNotifier::activated, this, &Connection::onReadable);
  connect(writeNotifier_, &QSocketNotifier::activated, this, &Connection::onWritable);
  // The TLS handshake counts against the header timeout.
  setDeadline(tls_ ? worker_->options().headerTimeoutMs : worker_->options().idleTimeoutMs);
}

Connection::~Connection() {
  if (state_ != State::Closed) close();
}

void Connection::setDeadline(int ms) { deadlineMs_ = ms > 0 ? nowMs() + ms : 0; }

void Connection::checkTimeout(qint64 now) {
  if (state_ == State::Closed || deadlineMs_ == 0 || now < deadlineMs_) return;
  if (state_ == State::Reading && headStarted_ && !headSeen_) {
    // A head that never completes: slowloris or a broken client. Say why, then go.
    fail(408, QStringLiteral("request head not received in time"));
    return;
  }
  close();
}

void Connection::drain() {
  draining_ = true;
  // A head still arriving is not yet a request we owe an answer; a body being read is.
  if (state_ == State::Reading && !headSeen_) close();
}

void Connection::forceClose() { close(); }

qint64 Connection::rawRead(char *buf, qint64 max) {
  if (tls_) {
    const qint64 n = tls_->read(buf, max);
    // A handshake reply (or a session ticket) waits for the socket to drain.
    tlsReadWantsWrite_ = n == 0 && tls_->wantsWrite();
    if (tlsReadWantsWrite_) wantWrite(true);
    if (n == -1) qCDebug(lcHttp).noquote() << peerText_ << tls_->error();
    return n;
  }
  for (;;) {
    ssize_t n = ::recv(fd_, buf, size_t(max), 0);
    if (n >= 0) return n == 0 ? -2 : n;  // -2: orderly shutdown by the peer
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
    return -1;
  }
}

qint64 Connection::rawWrite(const char *buf, qint64 len) {
  if (tls_) return tls_->write(buf, len);
  for (;;) {
    // MSG_MORE when a file body follows: the head and the first file bytes share a
    // segment instead of the head leaving alone (nginx's tcp_nopush).
    const int more = file_ && file_->length > 0 ? MSG_MORE : 0;
    ssize_t n = ::send(fd_, buf, size_t(len), MSG_NOSIGNAL | more);
    if (n >= 0) return n;
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
    return -1;
  }
}

void Connection::wantWrite(bool on) {
  if (writeNotifier_) writeNotifier_->setEnabled(on);
}

void Connection::pauseReading(bool paused) {
  if (readNotifier_) readNotifier_->setEnabled(!paused);
  // Bytes OpenSSL already decrypted raise no readiness event of their own.
  if (!paused && tls_ && tls_->hasPending())
    QMetaObject::invokeMethod(this, &Connection::onReadable, Qt::QueuedConnection);
}

bool Connection::checkTlsFirstByte() {
  if (tlsChecked_) return true;
  switch (tls::peekFirstByte(fd_)) {
    case tls::FirstByte::NotYet:
      return false;
    case tls::FirstByte::Closed:
      close();
      return false;
    case tls::FirstByte::Tls:
      tlsChecked_ = true;
      return true;
    case tls::FirstByte::Plain:
      break;
  }
  // nginx answers 400 here too: a clear reason beats a handshake error the client
  // cannot show, or a hang. Best effort, in the clear, then close.
  static const QByteArray kPlain = []() -> QByteArray {
    const Response r = Response::error(ErrorCode::BadRequest, QStringLiteral("this port speaks HTTPS: use an https:// URL"));
    return "HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: " + QByteArray::number(r.body.size()) +
           "\r\nConnection: close\r\n\r\n" + r.body;
  }();
  [[maybe_unused]] auto n = ::send(fd_, kPlain.constData(), size_t(kPlain.size()), MSG_NOSIGNAL | MSG_DONTWAIT);
  ::shutdown(fd_, SHUT_WR);
  tls_.reset();  // no close_notify on a connection that never spoke TLS
  close();
  return false;
}

void Connection::onReadable() {
  if (state_ == State::Closed) return;
  if (tls_ && !checkTlsFirstByte()) return;
  for (;;) {
    if (in_.size() - inPos_ >= kMaxBufferedInput) {
      // A body being read is consumed by processInput() below and reading goes on with
      // the next readiness event; only input queued behind a pending response must wait
      // for that response to end.
      if (state_ != State::Reading) pauseReading(true);
      break;
    }
    if (inPos_ > 0 && inPos_ == in_.size()) {
      in_.resize(0);
      inPos_ = 0;
    }
    const qsizetype old = in_.size();
    in_.resize(old + kReadChunk);
    const qint64 n = rawRead(in_.data() + old, kReadChunk);
    in_.resize(old + (n > 0 ? n : 0));
    if (n > 0) {
      if (state_ == State::Reading && headSeen_) setDeadline(worker_->options().bodyTimeoutMs);
      // OpenSSL returns one record per read: keep reading until it would block.
      if (n < kReadChunk && !tls_) break;
      continue;
    }
    if (n == 0) break;
    peerClosed_ = true;
    pauseReading(true);
    break;
  }
  processInput();
  if (peerClosed_ && state_ == State::Reading) close();
}

void Connection::processInput() {
  if (inProcess_) return;
  inProcess_ = true;
  // Loop until the parser asks for more: an event (like the end of a body-less
  // message) can be due with no bytes left in the buffer.
  while (state_ == State::Reading) {
    if (!headStarted_ && inPos_ == in_.size()) break;
    if (!headStarted_) {
      // First byte of a new request: the whole head must now arrive in time,
      // however slowly it trickles in.
      headStarted_ = true;
      setDeadline(worker_->options().headerTimeoutMs);
    }
    qsizetype consumed = 0;
    const auto ev = parser_.feed(in_.constData() + inPos_, in_.size() - inPos_, &consumed);
    inPos_ += consumed;
    if (ev == RequestParser::Event::NeedMore) break;
    if (ev == RequestParser::Event::Error) {
      fail(parser_.errorStatus(), QString::fromLatin1(parser_.errorMessage()));
      break;
    }
    if (ev == RequestParser::Event::HeadComplete) {
      // onHead() may already have answered (404, 413...); the loop then goes on
      // with any pipelined request if the connection stays open.
      onHead();
      continue;
    }
    if (ev == RequestParser::Event::BodyData) {
      const auto data = parser_.bodyData();
      if (request_.body.size() + data.size() > bodyLimit_) {
        fail(413, QStringLiteral("request body exceeds %1 bytes").arg(bodyLimit_));
        break;
      }
      request_.body.append(data.data(), data.size());
      continue;
    }
    // MessageComplete
    dispatch();
  }
  if (inPos_ == in_.size()) {
    in_.resize(0);
    inPos_ = 0;
  } else if (inPos_ > kReadChunk) {
    in_.remove(0, inPos_);
    inPos_ = 0;
  }
  inProcess_ = false;
}

void Connection::onHead() {
  headSeen_ = true;
  request_ = Request{};
  request_.head = parser_.takeHead();
  request_.peer = peer_;
  request_.receivedAtNs = monotonicNs();
  exchange_ = std::make_shared<Responder::Exchange>();
  exchange_->worker = worker_;
  exchange_->connectionId = id_;
  applyTraceHeaders(request_);
  setDeadline(worker_->options().bodyTimeoutMs);
  // Decided once, where the head is known; every way of answering honours it, and
  // writeHead() adds draining.
  closeAfterResponse_ = !request_.head.keepAlive;

  const bool hasBody = request_.head.chunked || request_.head.contentLength > 0;
  auto target = parseTarget(request_.head.target);
  if (!target) {
    fail(400, target.status().message());
    return;
  }
  request_.path = std::move(target->path);
  request_.query = std::move(target->query);

  match_ = worker_->router().match(request_.head.method, request_.path);
  if (match_.kind != Router::Match::Found) {
    // Without a body the connection can stay open; with one we would have to read
    // and discard it, so we close instead.
    if (hasBody) closeAfterResponse_ = true;
    Response r = match_.kind == Router::Match::NotFound
                     ? Response::error(ErrorCode::NotFound, QStringLiteral("no route for %1").arg(request_.path))
                     : Response::error(ErrorCode::MethodNotAllowed,
                                       QStringLiteral("%1 not allowed here").arg(QString::fromLatin1(request_.head.method)));
    if (match_.kind == Router::Match::MethodNotAllowed) r.headers.set("Allow", match_.allowed);
    state_ = State::Handling;
    respond(exchange_, std::move(r));
    return;
  }
  request_.params = std::move(match_.params);
  // Who is calling is settled before a byte of the body is read: an anonymous upload
  // costs us a head, not a body.
  if (Status s = authorize(); !s.isOk()) {
    if (hasBody) closeAfterResponse_ = true;
    Response r = Response::error(s);
    if (s.code() == ErrorCode::Unauthorized) r.headers.set("WWW-Authenticate", "Bearer realm=\"reelstack\"");
    // Players fetch media cross-origin: without this a refused token is a CORS failure to them, not a 401/403.
    if (match_.options.access == Access::Media) r.headers.set("Access-Control-Allow-Origin", "*");
    state_ = State::Handling;
    respond(exchange_, std::move(r));
    return;
  }
  bodyLimit_ = match_.options.maxBodyBytes > 0 ? match_.options.maxBodyBytes : worker_->options().maxBodyBytes;
  if (!request_.head.chunked && request_.head.contentLength > bodyLimit_) {
    fail(413, QStringLiteral("request body of %1 bytes exceeds %2").arg(request_.head.contentLength).arg(bodyLimit_));
    return;
  }
  if (request_.head.expectContinue && hasBody) {
    static const QByteArray kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
    out_.append(kContinue);
    flush();
  }
}

Status Connection::authorize() {
  const Access access = match_.options.access;
  if (access == Access::Public) return Status::ok();
  if (access == Access::Undeclared)  // startWorkers() refuses such routers; never open one by mistake
    return Status(ErrorCode::Internal, QStringLiteral("route has no access rule"));
  const Authenticator *auth = worker_->options().authenticator.get();
  if (!auth) return Status(ErrorCode::Unauthorized, QStringLiteral("this listener accepts no credentials"));
  return auth->authorize(request_, access);
}

void Connection::dispatch() {
  state_ = State::Handling;
  setDeadline(0);  // the handler owns its own timeouts
  if (match_.handler) {
    Response r;
    try {
      r = (*match_.handler)(request_);
    } catch (const std::exception &e) {
      qCWarning(lcHttp) << "handler threw:" << e.what();
      r = Response::error(ErrorCode::Internal, QStringLiteral("internal error"));
    }
    respond(exchange_, std::move(r));
  } else if (match_.asyncHandler) {
    auto ex = exchange_;
    try {
      (*match_.asyncHandler)(request_, Responder(ex));
    } catch (const std::exception &e) {
      qCWarning(lcHttp) << "handler threw:" << e.what();
      Responder(ex).send(Response::error(ErrorCode::Internal, QStringLiteral("internal error")));
    }
  }
}

void Connection::fail(int status, const QString &message) {
  // A request we could not understand may have left the stream at an unknown point:
  // nothing after it on this connection is trusted or processed.
  closeAfterResponse_ = true;
  pauseReading(true);
  in_.clear();
  inPos_ = 0;
  state_ = State::Handling;
  if (!exchange_) {
    exchange_ = std::make_shared<Responder::Exchange>();
    exchange_->worker = worker_;
    exchange_->connectionId = id_;
  }
  exchange_->answered = true;
  if (!headSeen_) {
    request_ = Request{};
    request_.head.method = "-";
    request_.peer = peer_;
    request_.receivedAtNs = monotonicNs();
  }
  respond(exchange_, Response::error(errorCodeForHttpStatus(status), message));
}

namespace {
// Builds a response head in one buffer: the head is written for every response, and
// growing a QByteArray piece by piece showed up as the top cost in profiles.
class HeadWriter {
 public:
  explicit HeadWriter(QByteArray &out) : out_(out) {}
  void add(QByteArrayView s) {
    if (len_ + s.size() > qsizetype(sizeof buf_)) spill();
    if (s.size() > qsizetype(sizeof buf_)) {
      out_.append(s.data(), s.size());
      return;
    }
    memcpy(buf_ + len_, s.data(), size_t(s.size()));
    len_ += s.size();
  }
  void addNumber(qint64 v, int base = 10) {
    char tmp[24];
    int n = 0;
    if (v == 0) tmp[n++] = '0';
    while (v > 0) {
      const int d = int(v % base);
      tmp[n++] = char(d < 10 ? '0' + d : 'a' + d - 10);
      v /= base;
    }
    char rev[24];
    for (int i = 0; i < n; ++i) rev[i] = tmp[n - 1 - i];
    add(QByteArrayView(rev, n));
  }
  void field(QByteArrayView name, QByteArrayView value) {
    add(name);
    add(": ");
    add(value);
    add("\r\n");
  }
  void spill() {
    out_.append(buf_, len_);
    len_ = 0;
  }
  ~HeadWriter() { spill(); }

 private:
  QByteArray &out_;
  char buf_[2048];
  qsizetype len_ = 0;
};
}  // namespace

void Connection::writeHead(int status, Headers &h, qint64 contentLength, bool chunked) {
  status_ = status;
  HeadWriter w(out_);
  w.add("HTTP/1.1 ");
  w.addNumber(status);
  w.add(" ");
  w.add(reasonPhrase(status));
  w.add("\r\nServer: ReelStack\r\nDate: ");
  w.add(httpDateNow());
  w.add("\r\n");
  for (const auto &[name, value] : h.fields()) w.field(name, value);
  const bool bodyless = status == 204 || status == 304 || status < 200;
  if (!bodyless) {
    if (chunked) {
      w.add("Transfer-Encoding: chunked\r\n");
    } else if (contentLength >= 0) {
      w.add("Content-Length: ");
      w.addNumber(contentLength);
      w.add("\r\n");
    }
  }
  if (!request_.requestId.isEmpty()) {
    w.field("X-Request-Id", request_.requestId);
    const TraceContext &t = request_.trace;
    w.add("traceparent: 00-");
    w.add(t.traceId);
    w.add("-");
    w.add(t.spanId);
    w.add("-");
    w.add(t.flags);
    w.add("\r\n");
  }
  if (draining_) closeAfterResponse_ = true;  // tell the client before we hang up
  if (closeAfterResponse_) w.add("Connection: close\r\n");
  else if (request_.head.versionMinor == 0) w.add("Connection: keep-alive\r\n");
  w.add("\r\n");
}

void Connection::respond(const std::shared_ptr<Responder::Exchange> &ex, Response r) {
  if (ex != exchange_ || state_ != State::Handling) return;
  if (r.closeConnection) closeAfterResponse_ = true;
  headOnly_ = request_.isHead();
  const qint64 len = r.contentLength();
  writeHead(r.status, r.headers, len, false);
  const bool bodyless = r.status == 204 || r.status == 304 || r.status < 200;
  if (!headOnly_ && !bodyless) {
    if (r.file && r.file->length <= kInlineFileBytes) {
      // Small files go out with the head in one send: one syscall, one packet.
      const qsizetype at = out_.size();
      out_.resize(at + r.file->length);
      const ssize_t n = ::pread(r.file->file->fd(), out_.data() + at, size_t(r.file->length), r.file->offset);
      if (n != r.file->length) {
        close();  // the file changed under us: never send a short body as complete
        return;
      }
    } else if (r.file) {
      file_ = std::move(r.file);
    } else if (r.source) {
      source_ = std::move(r.source);
    } else {
      out_.append(r.body);
    }
    bytesOut_ = len;
  } else {
    bytesOut_ = 0;
  }
  responseComplete_ = true;
  state_ = State::Writing;
  setDeadline(worker_->options().sendTimeoutMs);
  flush();
}

void Connection::streamBegin(const std::shared_ptr<Responder::Exchange> &ex, int status, Headers h, qint64 len) {
  if (ex != exchange_ || state_ != State::Handling) return;
  headOnly_ = request_.isHead();
  streamingChunked_ = len < 0 && !headOnly_;
  if (len < 0 && request_.head.versionMinor == 0) {
    streamingChunked_ = false;
    closeAfterResponse_ = true;  // HTTP/1.0: the close delimits the body
  }
  writeHead(status, h, len, streamingChunked_);
  responseComplete_ = false;
  bytesOut_ = 0;
  state_ = State::Writing;
  setDeadline(worker_->options().sendTimeoutMs);
  flush();
}

void Connection::streamWrite(const std::shared_ptr<Responder::Exchange> &ex, QByteArray chunk) {
  if (ex != exchange_ || state_ != State::Writing || responseComplete_ || chunk.isEmpty()) return;
  bytesOut_ += chunk.size();
  if (headOnly_) return;
  if (streamingChunked_) {
    HeadWriter(out_).addNumber(chunk.size(), 16);
    out_.append("\r\n");
    out_.append(chunk);
    out_.append("\r\n");
  } else {
    out_.append(chunk);
  }
  flush();
}

void Connection::streamEnd(const std::shared_ptr<Responder::Exchange> &ex) {
  if (ex != exchange_ || state_ != State::Writing || responseComplete_) return;
  if (streamingChunked_) out_.append("0\r\n\r\n");
  responseComplete_ = true;
  flush();
}

void Connection::streamAbort(const std::shared_ptr<Responder::Exchange> &ex) {
  if (ex != exchange_) return;
  close();
}

void Connection::onWritable() {
  wantWrite(false);
  if (tlsReadWantsWrite_) {
    tlsReadWantsWrite_ = false;
    onReadable();
    if (state_ == State::Closed) return;
  }
  flush();
}

// One step of a file body over TLS: SSL_sendfile when the kernel holds the keys, else
// bounded reads into one reused buffer that SSL_write encrypts from. False: stop
// flushing for now (waiting for the socket, or closed).
bool Connection::flushFileTls(qint64 &turnBytes) {
  qint64 n = 0;
  if (tls_->ktlsSend()) {
    n = tls_->sendfile(file_->file->fd(), off_t(file_->offset), size_t(qMin(file_->length, kSendfileChunk)));
  } else {
    if (tlsFileBufPos_ >= tlsFileBuf_.size()) {
      tlsFileBuf_.resize(qMin(file_->length, kTlsFileChunk));
      const ssize_t got = ::pread(file_->file->fd(), tlsFileBuf_.data(), size_t(tlsFileBuf_.size()), file_->offset);
      if (got <= 0) {
        close();  // the file shrank under us: never pretend the body is complete
        return false;
      }
      tlsFileBuf_.resize(got);
      tlsFileBufPos_ = 0;
    }
    n = tls_->write(tlsFileBuf_.constData() + tlsFileBufPos_, tlsFileBuf_.size() - tlsFileBufPos_);
    if (n > 0) tlsFileBufPos_ += n;
  }
  if (n < 0) {
    close();
    return false;
  }
  if (n == 0) {
    wantWrite(true);
    return false;
  }
  file_->offset += n;
  file_->length -= n;
  setDeadline(worker_->options().sendTimeoutMs);
  if (file_->length > 0 && (turnBytes += n) >= kSendfileChunk) {
    wantWrite(true);  // fairness, as for plain sendfile
    return false;
  }
  return true;
}

void Connection::flush() {
  if (state_ == State::Closed) return;
  qint64 turnBytes = 0;
  while (outPos_ < out_.size()) {
    const qint64 n = rawWrite(out_.constData() + outPos_, out_.size() - outPos_);
    if (n < 0) {
      close();
      return;
    }
    if (n == 0) {
      wantWrite(true);
      return;
    }
    outPos_ += n;
    setDeadline(worker_->options().sendTimeoutMs);
  }
  out_.resize(0);
  outPos_ = 0;

  while (file_ && file_->length > 0) {
    if (tls_) {
      if (!flushFileTls(turnBytes)) return;
      continue;
    }
    off_t off = file_->offset;
    const ssize_t n = ::sendfile(fd_, file_->file->fd(), &off, size_t(qMin(file_->length, kSendfileChunk)));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      wantWrite(true);
      return;
    }
    if (n <= 0) {
      close();
      return;
    }
    file_->offset += n;
    file_->length -= n;
    setDeadline(worker_->options().sendTimeoutMs);
    if (file_->length > 0 && (turnBytes += n) >= kSendfileChunk) {
      wantWrite(true);  // the socket is writable: we are back next turn
      return;
    }
  }
  file_.reset();
  tlsFileBuf_.clear();
  tlsFileBufPos_ = 0;

  while (source_ && source_->length > 0) {
    const BodySource::View v = source_->source->view(source_->offset, qMin(source_->length, kSendfileChunk));
    if (v.size <= 0) {
      if (v.failed) {
        close();  // the upstream broke off: the client must see a truncated body
        return;
      }
      if (!sourceWaiting_) {
        // Not polled: the writer wakes us through our worker's queue when bytes arrive.
        sourceWaiting_ = true;
        QPointer<Worker> worker(worker_);
        const quint64 id = id_;
        source_->source->notify(source_->offset, [worker, id] {
          if (worker) worker->postQueued(id, [](Connection *c) { c->sourceReady(); });
        });
      }
      return;
    }
    const qint64 n = rawWrite(v.data, v.size);
    if (n < 0) {
      close();
      return;
    }
    if (n == 0) {
      wantWrite(true);
      return;
    }
    source_->offset += n;
    source_->length -= n;
    setDeadline(worker_->options().sendTimeoutMs);
    if (source_->length > 0 && (turnBytes += n) >= kSendfileChunk) {
      wantWrite(true);
      return;
    }
  }
  source_.reset();
  if (responseComplete_) responseDone();
}

void Connection::sourceReady() {
  sourceWaiting_ = false;
  if (state_ == State::Writing) flush();
}

void Connection::responseDone() {
  worker_->recordRequest(request_, status_, bytesOut_, monotonicNs());
  if (exchange_) exchange_->clientGone = true;  // late responder calls are ignored
  exchange_.reset();
  responseComplete_ = false;
  streamingChunked_ = false;
  headSeen_ = false;
  headStarted_ = false;
  if (closeAfterResponse_ || draining_ || peerClosed_) {
    close();
    return;
  }
  parser_.reset();
  state_ = State::Reading;
  setDeadline(worker_->options().idleTimeoutMs);
  pauseReading(false);
  // Pipelined requests already buffered are handled now, in order.
  if (inPos_ < in_.size() && !inProcess_) processInput();
}

void Connection::close() {
  if (state_ == State::Closed) return;
  state_ = State::Closed;
  if (exchange_) exchange_->clientGone = true;
  if (readNotifier_) readNotifier_->setEnabled(false);
  if (writeNotifier_) writeNotifier_->setEnabled(false);
  if (tls_) tls_->shutdown();
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
  file_.reset();
  source_.reset();
  worker_->connectionClosed(this);
}

}  // namespace rs::http
