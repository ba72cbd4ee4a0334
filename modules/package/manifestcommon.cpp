#include "package/manifestcommon.h"

#include "package/textformat.h"

#include <algorithm>

namespace rs::package {

namespace {

template <typename F>
Seconds largest(const Presentation &p, F seconds) {
  Seconds best;
  for (const auto *list : {&p.video, &p.audio})
    for (const Representation &r : *list) {
      const Seconds s = seconds(r);
      if (text::ratioLess(best.num, best.den, s.num, s.den)) best = s;
    }
  return best;
}

}  // namespace

std::vector<Representation> byBandwidth(const std::vector<Representation> &reps) {
  std::vector<Representation> out = reps;
  std::stable_sort(out.begin(), out.end(), [](const Representation &a, const Representation &b) {
    return a.bandwidth != b.bandwidth ? a.bandwidth < b.bandwidth : a.id < b.id;
  });
  return out;
}

std::vector<std::vector<Representation>> audioByLanguage(const std::vector<Representation> &reps) {
  std::vector<std::vector<Representation>> groups;
  for (const Representation &r : reps) {
    auto it = std::find_if(groups.begin(), groups.end(),
                           [&](const auto &g) { return g.front().language == r.language; });
    if (it == groups.end())
      groups.push_back({r});
    else
      it->push_back(r);
  }
  for (auto &g : groups) g = byBandwidth(g);
  return groups;
}

Seconds longestSegment(const Representation &r) {
  if (r.segmentDurations.empty() || r.timescale == 0) return {};
  return {*std::max_element(r.segmentDurations.begin(), r.segmentDurations.end()), r.timescale};
}

Seconds longestSegment(const Presentation &p) {
  return largest(p, [](const Representation &r) { return longestSegment(r); });
}

Seconds longestTimeline(const Presentation &p) {
  return largest(p, [](const Representation &r) {
    std::uint64_t total = 0;
    for (std::uint64_t d : r.segmentDurations) total += d;
    return r.timescale == 0 ? Seconds{} : Seconds{total, r.timescale};
  });
}

}  // namespace rs::package
