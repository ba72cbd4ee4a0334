#pragma once
// Popularity: rank k of n is chosen with probability ∝ 1 / k^s (Zipf), the shape of
// viewing in a catalogue (a few titles draw most of the views).

#include <QRandomGenerator>
#include <algorithm>
#include <cmath>
#include <vector>

namespace rs::player {

class Zipf {
 public:
  Zipf(int n, double exponent) : cumulative_(std::size_t(std::max(1, n))) {
    double sum = 0;
    for (std::size_t k = 0; k < cumulative_.size(); ++k) cumulative_[k] = sum += 1 / std::pow(double(k + 1), exponent);
    for (double &c : cumulative_) c /= sum;
  }
  // A rank from 0 (the most popular).
  int sample(QRandomGenerator &random) const {
    const double u = random.generateDouble();
    return int(std::lower_bound(cumulative_.begin(), cumulative_.end(), u) - cumulative_.begin());
  }
  int size() const { return int(cumulative_.size()); }

 private:
  std::vector<double> cumulative_;
};

}  // namespace rs::player
