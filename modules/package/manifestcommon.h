#pragma once
// What the DASH and HLS writers decide the same way: the order of representations,
// the audio groups and the durations that size buffers and target durations.

#include "package/presentation.h"

#include <vector>

namespace rs::package {

// Ascending bandwidth, ties by id, so the output never depends on the caller's order.
std::vector<Representation> byBandwidth(const std::vector<Representation> &reps);

// Audio representations grouped by language (groups in order of first appearance),
// each group by bandwidth.
std::vector<std::vector<Representation>> audioByLanguage(const std::vector<Representation> &reps);

struct Seconds {
  std::uint64_t num = 0, den = 1;
};
Seconds longestSegment(const Representation &r);
Seconds longestSegment(const Presentation &p);   // over every representation
Seconds longestTimeline(const Presentation &p);  // the longest representation's total

}  // namespace rs::package
