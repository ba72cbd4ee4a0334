#pragma once
// Locale-independent text for the manifests: exact decimals from integer ratios (so
// the same media always gives the same bytes), XML escaping and relative URIs.

#include <QString>
#include <cstdint>

namespace rs::package::text {

// num/den with exactly `places` decimals, rounded half up: decimal(61440, 15360, 3) == "4.000".
QString decimal(std::uint64_t num, std::uint64_t den, int places);

// "30", "30000/1001" or "29.97" as a ratio; false for anything else or a rate ≤ 0.
bool parseFrameRate(const QString &text, std::uint64_t *num, std::uint64_t *den);

// a/b < c/d without floating point.
bool ratioLess(std::uint64_t a, std::uint64_t b, std::uint64_t c, std::uint64_t d);

QString xmlEscape(const QString &s);

// `path` relative to the directory `fromDir` (both '/'-separated and relative to one root):
// relativePath("video/720p", "video/720p/init.mp4") == "init.mp4".
QString relativePath(const QString &fromDir, const QString &path);
// The directory part of a '/'-separated path ("" for a bare name).
QString directoryOf(const QString &path);

}  // namespace rs::package::text
