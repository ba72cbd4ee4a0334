#pragma once
// A body that is already complete in memory, as a BodySource: the connection writes
// straight from the cached buffer, so a 2 MiB segment is never copied per request.

#include "core/http/response.h"

#include <QByteArray>

namespace rs::edge {

class BytesSource final : public http::BodySource {
 public:
  explicit BytesSource(QByteArray bytes) : bytes_(std::move(bytes)) {}
  View view(qint64 offset, qint64 max) const override {
    if (offset >= bytes_.size()) return {nullptr, 0, true};
    return {bytes_.constData() + offset, qMin(max, bytes_.size() - offset), false};
  }
  void notify(qint64, std::function<void()> wake) override { wake(); }

 private:
  const QByteArray bytes_;
};

}  // namespace rs::edge
