#include "media/quality.h"

#include <algorithm>
#include <cmath>

namespace rs::media::quality {

double mse(Plane a, Plane b, int width, int height) {
  if (width <= 0 || height <= 0) return 0;
  std::uint64_t sum = 0;
  for (int y = 0; y < height; ++y) {
    const std::uint8_t *pa = a.data + std::ptrdiff_t(y) * a.stride;
    const std::uint8_t *pb = b.data + std::ptrdiff_t(y) * b.stride;
    std::uint32_t row = 0;  // ≤ 8192 · 255² fits
    for (int x = 0; x < width; ++x) {
      const int d = int(pa[x]) - int(pb[x]);
      row += std::uint32_t(d * d);
    }
    sum += row;
  }
  return double(sum) / (double(width) * height);
}

double psnrFromMse(double m) {
  const double peak = 255.0 * 255.0;
  return std::min(kMaxPsnr, 10.0 * std::log10(peak / std::max(m, peak * 1e-10)));
}

namespace {

struct BlockSums {
  int s1, s2, ss, s12;
};

// Sums over the 4x4 blocks of one band of 4 rows: first down each column (a loop
// over contiguous pixels the compiler vectorises), then across each block's 4
// columns.
void bandSums(const std::uint8_t *a, int sa, const std::uint8_t *b, int sb, int blocks, std::vector<int> &col1,
              std::vector<int> &col2, std::vector<int> &colSS, std::vector<int> &col12, BlockSums *out) {
  const int w = blocks * 4;
  int *c1 = col1.data(), *c2 = col2.data(), *css = colSS.data(), *c12 = col12.data();
  for (int x = 0; x < w; ++x) c1[x] = c2[x] = css[x] = c12[x] = 0;
  for (int y = 0; y < 4; ++y) {
    const std::uint8_t *pa = a + std::ptrdiff_t(y) * sa, *pb = b + std::ptrdiff_t(y) * sb;
    for (int x = 0; x < w; ++x) {
      const int va = pa[x], vb = pb[x];
      c1[x] += va;
      c2[x] += vb;
      css[x] += va * va + vb * vb;
      c12[x] += va * vb;
    }
  }
  for (int k = 0; k < blocks; ++k) {
    const int x = 4 * k;
    out[k] = {c1[x] + c1[x + 1] + c1[x + 2] + c1[x + 3], c2[x] + c2[x + 1] + c2[x + 2] + c2[x + 3],
              css[x] + css[x + 1] + css[x + 2] + css[x + 3], c12[x] + c12[x + 1] + c12[x + 2] + c12[x + 3]};
  }
}

}  // namespace

double ssim(Plane a, Plane b, int width, int height) {
  const int bw = width / 4, bh = height / 4;
  if (bw < 2 || bh < 2) return 1.0;
  // Two rows of block sums, rolling down the picture.
  std::vector<BlockSums> upper(static_cast<size_t>(bw)), lower(static_cast<size_t>(bw));
  std::vector<int> c1(static_cast<size_t>(bw) * 4), c2(c1.size()), css(c1.size()), c12(c1.size());
  std::vector<float> ssimRow(static_cast<size_t>(bw));
  auto fill = [&](std::vector<BlockSums> &row, int by) {
    bandSums(a.data + std::ptrdiff_t(by) * 4 * a.stride, a.stride, b.data + std::ptrdiff_t(by) * 4 * b.stride,
             b.stride, bw, c1, c2, css, c12, row.data());
  };
  // FFmpeg's ssim_end1: each 8x8 window from the sums of its four 4x4 blocks, the
  // constants scaled by the window's 64 pixels, in float as FFmpeg does (so the loop
  // vectorises and the results agree to the last digits).
  constexpr float k1 = float(.01 * .01 * 255 * 255 * 64 + .5);
  constexpr float k2 = float(.03 * .03 * 255 * 255 * 64 * 63 + .5);
  fill(upper, 0);
  double total = 0;
  const int windows = bw - 1;
  for (int by = 1; by < bh; ++by) {
    fill(lower, by);
    const BlockSums *u = upper.data(), *l = lower.data();
    float *out = ssimRow.data();
    for (int x = 0; x < windows; ++x) {
      const int s1 = u[x].s1 + u[x + 1].s1 + l[x].s1 + l[x + 1].s1;
      const int s2 = u[x].s2 + u[x + 1].s2 + l[x].s2 + l[x + 1].s2;
      const int ss = u[x].ss + u[x + 1].ss + l[x].ss + l[x + 1].ss;
      const int s12 = u[x].s12 + u[x + 1].s12 + l[x].s12 + l[x + 1].s12;
      const int vars = ss * 64 - s1 * s1 - s2 * s2;
      const int covar = s12 * 64 - s1 * s2;
      out[x] = (float(2 * s1 * s2) + k1) * (float(2 * covar) + k2) /
               ((float(s1 * s1 + s2 * s2) + k1) * (float(vars) + k2));
    }
    float rowSum = 0;
    for (int x = 0; x < windows; ++x) rowSum += out[x];
    total += rowSum;
    std::swap(upper, lower);
  }
  return total / (double(bh - 1) * windows);
}

void Accumulator::add(int segment, double value) {
  if (segment < 0) segment = 0;
  if (size_t(segment) >= sum_.size()) {
    sum_.resize(size_t(segment) + 1, 0.0);
    count_.resize(size_t(segment) + 1, 0);
  }
  sum_[size_t(segment)] += value;
  ++count_[size_t(segment)];
  total_ += value;
  ++frames_;
}

QualityScore Accumulator::score() const {
  QualityScore s;
  if (frames_ == 0) return s;
  s.mean = total_ / frames_;
  bool first = true;
  for (size_t i = 0; i < sum_.size(); ++i) {
    if (count_[i] == 0) continue;  // a gap in the source leaves a segment with no frames
    const double v = sum_[i] / count_[i];
    s.perSegment.push_back(v);
    s.worstSegment = first ? v : std::min(s.worstSegment, v);
    first = false;
  }
  return s;
}

}  // namespace rs::media::quality
