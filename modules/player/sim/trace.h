#pragma once
// A recorded bandwidth trace (the FCC/HSDPA format of the Pensieve study: one line per
// sample, "seconds<TAB>Mbit/s", the rate holding until the next sample), replayed in a
// loop. Keeps the cumulative bytes so the simulated link finds when a download ends by
// a binary search instead of stepping through time.

#include "core/status.h"

#include <QByteArray>
#include <QString>
#include <QStringList>
#include <vector>

namespace rs::player {

class Trace {
 public:
  // Errors name the line and what is wrong with it.
  static Result<Trace> parse(const QByteArray &text, const QString &name);
  // A file path, or the name of a bundled trace (see bundledTraces()).
  static Result<Trace> load(const QString &pathOrName);
  // A constant rate, for tests and what-if runs.
  static Trace constant(double mbps, double periodS = 1);

  const QString &name() const { return name_; }
  double periodS() const { return period_; }
  double meanMbps() const { return period_ > 0 ? total_ * 8 / period_ / 1e6 : 0; }
  std::size_t samples() const { return times_.size(); }
  double rateBps(double t) const;
  // Bytes the link delivers from time 0 to t (t ≥ 0), looping. `hint` (optional)
  // remembers where the last lookup landed: a simulation asks about nearby times.
  double bytesAt(double t, std::size_t *hint = nullptr) const;
  // The earliest time at which bytesAt() reaches `bytes`.
  double timeAtBytes(double bytes) const;

 private:
  QString name_;
  std::vector<double> times_, bps_, cumulative_;  // cumulative_[i]: bytes at times_[i]
  double period_ = 0, total_ = 0;
};

struct BundledTrace {
  QString name;     // file name without the extension: what --trace takes
  QString set;      // "training" or "held-out"
  QString source;   // the dataset it comes from
};
// The traces shipped in the binary (data/traces/, MIT licensed; see its README).
std::vector<BundledTrace> bundledTraces();

}  // namespace rs::player
