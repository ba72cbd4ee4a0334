#pragma once
// Luma PSNR and SSIM between two 8-bit planes, computed exactly like FFmpeg's psnr
// and ssim filters (so our numbers and `ffmpeg -lavfi psnr/ssim` agree), plus the
// per-segment aggregation the catalogue stores. Pure functions: no FFmpeg here.

#include "media/transcode.h"

#include <cstdint>
#include <vector>

namespace rs::media::quality {

struct Plane {
  const std::uint8_t *data = nullptr;
  int stride = 0;
};

// Identical planes have no finite PSNR; we report this cap (what a 1e-10 floor on
// MSE/255² gives), so means and minimums stay numbers.
constexpr double kMaxPsnr = 100.0;

double mse(Plane a, Plane b, int width, int height);
double psnrFromMse(double mse);
inline double psnr(Plane a, Plane b, int width, int height) { return psnrFromMse(mse(a, b, width, height)); }
// Wang et al. SSIM on 8x8 windows at a stride of 4 (x264/FFmpeg's layout: sums of
// 4x4 blocks, each window four blocks), C1 = (0.01·255)², C2 = (0.03·255)². Planes
// smaller than 8x8 compare equal → 1.
double ssim(Plane a, Plane b, int width, int height);

// Frames arrive with the segment they belong to; mean is over all frames, each
// segment's score the mean of its frames, worstSegment the lowest of those.
class Accumulator {
 public:
  void add(int segment, double value);
  QualityScore score() const;
  int frames() const { return frames_; }

 private:
  std::vector<double> sum_;
  std::vector<int> count_;
  double total_ = 0;
  int frames_ = 0;
};

}  // namespace rs::media::quality
