#include "player/sim/simtransport.h"

namespace rs::player {

Transport::FetchId SimTransport::fetch(const FetchRequest &request, std::function<void(FetchResult)> done) {
  const FetchId id = next_++;
  std::int64_t size = -1;
  QByteArray body;
  if (request.presentation) {
    size = title_.sizes.lookup(request.media);
  } else {
    const auto it = title_.documents.constFind(request.url.toString());
    if (it != title_.documents.constEnd()) {
      body = *it;
      size = body.size();
    }
  }
  const int status = size >= 0 ? 200 : 404;
  const double requestedAt = clock_.now();
  const bool wantBody = request.wantBody;
  const std::int64_t bytes = std::max<std::int64_t>(0, size);
  const SimLink::FlowId flow = link_.open(double(bytes), [this, id, status, bytes, body, wantBody, requestedAt,
                                                          done = std::move(done)](double firstByteAt, double finishedAt) {
    pending_.erase(id);
    FetchResult r;
    r.status = status;
    r.bytes = bytes;
    if (wantBody) r.body = body;
    r.requestedAt = requestedAt;
    r.firstByteAt = firstByteAt;
    r.finishedAt = finishedAt;
    done(std::move(r));
  });
  pending_.emplace(id, Pending{flow, bytes});
  return id;
}

FetchProgress SimTransport::progress(FetchId id) {
  FetchProgress p;
  const auto it = pending_.find(id);
  if (it == pending_.end()) return p;
  p.total = it->second.size;
  p.bytes = std::int64_t(link_.delivered(it->second.flow));
  p.firstByteAt = link_.firstByteAt(it->second.flow);
  return p;
}

void SimTransport::abort(FetchId id) {
  const auto it = pending_.find(id);
  if (it == pending_.end()) return;
  link_.close(it->second.flow);
  pending_.erase(it);
}

}  // namespace rs::player
