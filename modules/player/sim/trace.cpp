#include "player/sim/trace.h"

#include <QFile>
#include <QFileInfo>
#include <algorithm>
#include <cmath>

namespace rs::player {

Result<Trace> Trace::parse(const QByteArray &text, const QString &name) {
  Trace t;
  t.name_ = name;
  int lineNo = 0;
  for (const QByteArray &raw : text.split('\n')) {
    ++lineNo;
    const QByteArray line = raw.trimmed();
    if (line.isEmpty() || line.startsWith('#')) continue;
    const QList<QByteArray> fields = line.simplified().split(' ');
    auto bad = [&](const char *why) {
      return Status(ErrorCode::BadRequest, QStringLiteral("trace %1 line %2: %3 (want 'seconds<TAB>Mbit/s', got '%4')")
                                               .arg(name).arg(lineNo).arg(QLatin1String(why), QString::fromUtf8(line.left(60))));
    };
    if (fields.size() != 2) return bad("expected two numbers");
    bool okT = false, okR = false;
    const double seconds = fields[0].toDouble(&okT), mbps = fields[1].toDouble(&okR);
    if (!okT || !okR || !std::isfinite(seconds) || !std::isfinite(mbps)) return bad("not a number");
    if (seconds < 0 || mbps < 0) return bad("negative");
    if (mbps > 100000) return bad("more than 100 Gbit/s");
    if (!t.times_.empty() && seconds <= t.times_.back()) return bad("time does not increase");
    if (t.times_.size() >= 10'000'000) return bad("too many samples");
    t.times_.push_back(seconds);
    t.bps_.push_back(mbps * 1e6);
  }
  if (t.times_.empty()) return Status(ErrorCode::BadRequest, QStringLiteral("trace %1 has no samples").arg(name));
  const double t0 = t.times_.front();
  for (double &x : t.times_) x -= t0;
  // The last sample holds for the usual step (the median), then the trace loops.
  double step = 1;
  if (t.times_.size() > 1) {
    std::vector<double> steps;
    for (std::size_t i = 1; i < t.times_.size(); ++i) steps.push_back(t.times_[i] - t.times_[i - 1]);
    std::nth_element(steps.begin(), steps.begin() + std::ptrdiff_t(steps.size() / 2), steps.end());
    step = steps[steps.size() / 2];
  }
  t.period_ = t.times_.back() + step;
  t.cumulative_.resize(t.times_.size());
  double bytes = 0;
  for (std::size_t i = 0; i < t.times_.size(); ++i) {
    t.cumulative_[i] = bytes;
    const double until = i + 1 < t.times_.size() ? t.times_[i + 1] : t.period_;
    bytes += t.bps_[i] / 8 * (until - t.times_[i]);
  }
  t.total_ = bytes;
  if (t.total_ <= 0) return Status(ErrorCode::BadRequest, QStringLiteral("trace %1 never delivers a byte (every rate is 0)").arg(name));
  return t;
}

Trace Trace::constant(double mbps, double periodS) {
  Trace t;
  t.name_ = QStringLiteral("constant %1 Mbit/s").arg(mbps);
  t.times_ = {0};
  t.bps_ = {mbps * 1e6};
  t.cumulative_ = {0};
  t.period_ = periodS;
  t.total_ = mbps * 1e6 / 8 * periodS;
  return t;
}

Result<Trace> Trace::load(const QString &pathOrName) {
  QString path = pathOrName;
  QString name = QFileInfo(pathOrName).fileName();
  if (!QFileInfo::exists(path)) {
    for (const BundledTrace &b : bundledTraces()) {
      if (b.name == pathOrName) {
        path = QStringLiteral(":/player/traces/%1/%2.tsv").arg(b.set, b.name);
        name = b.name;
      }
    }
  }
  QFile f(path);
  if (!f.open(QIODevice::ReadOnly))
    return Status(ErrorCode::NotFound, QStringLiteral("cannot read trace '%1': %2 (a file, or a bundled trace: platform simulate --list-traces)")
                                           .arg(pathOrName, f.errorString()));
  if (f.size() > 256 * 1024 * 1024) return Status(ErrorCode::BadRequest, QStringLiteral("trace %1 is larger than 256 MiB").arg(pathOrName));
  return parse(f.readAll(), name);
}

std::vector<BundledTrace> bundledTraces() {
  // data/traces/README.md: the algorithms were tuned on the training set only.
  const QString hsdpa = QStringLiteral("HSDPA (Riiser et al., MMSys 2013)"), fcc = QStringLiteral("FCC Measuring Broadband America");
  const QString training = QStringLiteral("training"), heldOut = QStringLiteral("held-out");
  return {{QStringLiteral("hsdpa-bus"), training, hsdpa},    {QStringLiteral("hsdpa-ferry"), training, hsdpa},
          {QStringLiteral("hsdpa-metro"), training, hsdpa},  {QStringLiteral("fcc-amazon"), training, fcc},
          {QStringLiteral("hsdpa-bus2"), heldOut, hsdpa},    {QStringLiteral("hsdpa-tram"), heldOut, hsdpa},
          {QStringLiteral("hsdpa-train"), heldOut, hsdpa},   {QStringLiteral("fcc-google"), heldOut, fcc}};
}

double Trace::rateBps(double t) const {
  const double in = std::fmod(std::max(0.0, t), period_);
  const auto it = std::upper_bound(times_.begin(), times_.end(), in);
  return bps_[std::size_t(std::max<std::ptrdiff_t>(0, (it - times_.begin()) - 1))];
}

double Trace::bytesAt(double t, std::size_t *hint) const {
  if (t <= 0) return 0;
  const double loops = std::floor(t / period_);
  const double in = t - loops * period_;
  std::size_t i;
  const std::size_t n = times_.size();
  if (hint && *hint < n && times_[*hint] <= in && (*hint + 1 == n || in < times_[*hint + 1])) {
    i = *hint;
  } else if (hint && *hint + 1 < n && times_[*hint + 1] <= in && (*hint + 2 >= n || in < times_[*hint + 2])) {
    i = *hint + 1;
  } else {
    const auto it = std::upper_bound(times_.begin(), times_.end(), in);
    i = std::size_t(std::max<std::ptrdiff_t>(0, (it - times_.begin()) - 1));
  }
  if (hint) *hint = i;
  return loops * total_ + cumulative_[i] + bps_[i] / 8 * (in - times_[i]);
}

double Trace::timeAtBytes(double bytes) const {
  if (bytes <= 0) return 0;
  double loops = std::floor(bytes / total_);
  double rest = bytes - loops * total_;
  if (rest <= 0 && loops > 0) {  // exactly at a loop boundary: the end of the previous loop's last non-zero rate
    loops -= 1;
    rest = total_;
  }
  // The last sample whose cumulative count is below `rest` delivers it.
  auto it = std::lower_bound(cumulative_.begin(), cumulative_.end(), rest);
  std::size_t i = std::size_t(std::max<std::ptrdiff_t>(0, (it - cumulative_.begin()) - 1));
  while (i + 1 < cumulative_.size() && cumulative_[i + 1] < rest) ++i;
  while (bps_[i] <= 0 && i > 0) --i;  // rates of 0 deliver nothing: step back to one that does
  const double within = (rest - cumulative_[i]) * 8 / bps_[i];
  return loops * period_ + times_[i] + within;
}

}  // namespace rs::player
