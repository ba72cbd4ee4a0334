#pragma once
// Reading Prometheus text exposition (what /metrics answers) in tests.

#include <QByteArray>
#include <QList>

namespace rs::test {

// Sum of every sample of a metric family in Prometheus text (all label sets).
inline double metricSum(const QByteArray &text, const QByteArray &name) {
  double sum = 0;
  for (const QByteArray &line : text.split('\n')) {
    if (!line.startsWith(name) || line.size() <= name.size()) continue;
    const char next = line.at(name.size());
    if (next != ' ' && next != '{') continue;
    sum += line.mid(line.lastIndexOf(' ') + 1).toDouble();
  }
  return sum;
}

}  // namespace rs::test
