#include "player/engine/sizemodel.h"

#include <algorithm>

namespace rs::player {

namespace {
// Weight of the newest segment: content complexity changes scene by scene, so recent
// segments say more about the next one than the title's average does.
constexpr double kAlpha = 0.4;
}  // namespace

void SizeModel::reset(const std::vector<double> &bitrates) {
  bitrates_ = bitrates;
  ratios_.assign(bitrates.size(), -1);
  overall_ = -1;
}

void SizeModel::observe(int rung, double durationS, std::int64_t bytes) {
  if (rung < 0 || std::size_t(rung) >= bitrates_.size() || durationS <= 0 || bitrates_[std::size_t(rung)] <= 0) return;
  const double r = std::clamp(double(bytes) * 8 / (bitrates_[std::size_t(rung)] * durationS), 0.05, 4.0);
  double &mine = ratios_[std::size_t(rung)];
  mine = mine < 0 ? r : kAlpha * r + (1 - kAlpha) * mine;
  overall_ = overall_ < 0 ? r : kAlpha * r + (1 - kAlpha) * overall_;
}

double SizeModel::ratio(int rung) const {
  if (rung < 0 || std::size_t(rung) >= ratios_.size()) return 1;
  const double mine = ratios_[std::size_t(rung)];
  if (mine >= 0) return mine;
  return overall_ >= 0 ? overall_ : 1;
}

double SizeModel::expectedBytes(int rung, double durationS) const {
  if (rung < 0 || std::size_t(rung) >= bitrates_.size()) return 0;
  return bitrates_[std::size_t(rung)] * durationS / 8 * ratio(rung);
}

}  // namespace rs::player
