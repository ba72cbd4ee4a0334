#pragma once
// A bag of measurements and its summary: count, mean, percentiles (nearest rank), max.

#include <QJsonObject>
#include <algorithm>
#include <cmath>
#include <vector>

namespace rs::player {

class Distribution {
 public:
  void add(double v) {
    values_.push_back(v);
    sorted_ = false;
  }
  std::size_t count() const { return values_.size(); }
  double percentile(double p) const {
    if (values_.empty()) return 0;
    sort();
    const std::size_t rank = std::size_t(std::ceil(p / 100 * double(values_.size())));
    return values_[std::min(values_.size() - 1, rank == 0 ? 0 : rank - 1)];
  }
  double mean() const {
    double s = 0;
    for (double v : values_) s += v;
    return values_.empty() ? 0 : s / double(values_.size());
  }
  double max() const { return values_.empty() ? 0 : *std::max_element(values_.begin(), values_.end()); }
  QJsonObject json(int decimals = 1) const {
    const double scale = std::pow(10.0, decimals);
    auto r = [scale](double v) { return std::round(v * scale) / scale; };
    return {{QStringLiteral("count"), double(count())}, {QStringLiteral("mean"), r(mean())},
            {QStringLiteral("p50"), r(percentile(50))}, {QStringLiteral("p90"), r(percentile(90))},
            {QStringLiteral("p95"), r(percentile(95))}, {QStringLiteral("p99"), r(percentile(99))},
            {QStringLiteral("max"), r(max())}};
  }

 private:
  void sort() const {
    if (sorted_) return;
    std::sort(values_.begin(), values_.end());
    sorted_ = true;
  }
  mutable std::vector<double> values_;
  mutable bool sorted_ = true;
};

}  // namespace rs::player
