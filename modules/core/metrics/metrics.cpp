#include "core/metrics/metrics.h"

#include "core/log/log.h"

#include <QDateTime>
#include <QString>
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <dirent.h>
#include <limits>
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

namespace rs::metrics {

// ---------------------------------------------------------------- values

void Counter::inc(double by) {
  if (!(by > 0)) return;  // also drops NaN
  value_.fetch_add(by, std::memory_order_relaxed);
}

void Gauge::setToCurrentTime() { set(double(QDateTime::currentMSecsSinceEpoch()) / 1000.0); }

Histogram::Histogram(std::vector<double> upperBounds) : bounds_(std::move(upperBounds)) {
  bounds_.erase(std::remove_if(bounds_.begin(), bounds_.end(), [](double b) { return std::isnan(b) || std::isinf(b); }),
                bounds_.end());
  std::sort(bounds_.begin(), bounds_.end());
  bounds_.erase(std::unique(bounds_.begin(), bounds_.end()), bounds_.end());
  counts_ = std::make_unique<std::atomic<std::uint64_t>[]>(bounds_.size() + 1);
  for (size_t i = 0; i <= bounds_.size(); ++i) counts_[i].store(0, std::memory_order_relaxed);
}

void Histogram::observe(double v) {
  // First bound >= v: "le" is inclusive. NaN lands in +Inf.
  const size_t i = std::isnan(v) ? bounds_.size()
                                 : size_t(std::lower_bound(bounds_.begin(), bounds_.end(), v) - bounds_.begin());
  counts_[i].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(v, std::memory_order_relaxed);
}

std::vector<std::uint64_t> Histogram::cumulativeCounts() const {
  std::vector<std::uint64_t> out(bounds_.size() + 1);
  std::uint64_t running = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    running += counts_[i].load(std::memory_order_relaxed);
    out[i] = running;
  }
  return out;
}

std::vector<double> defaultBuckets() { return {.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}; }

std::vector<double> exponentialBuckets(double start, double factor, int count) {
  std::vector<double> out;
  for (int i = 0; i < count; ++i, start *= factor) out.push_back(start);
  return out;
}

std::vector<double> linearBuckets(double start, double width, int count) {
  std::vector<double> out;
  for (int i = 0; i < count; ++i) out.push_back(start + width * i);
  return out;
}

QByteArray formatValue(double v) {
  if (std::isnan(v)) return QByteArrayLiteral("NaN");
  if (std::isinf(v)) return v > 0 ? QByteArrayLiteral("+Inf") : QByteArrayLiteral("-Inf");
  if (v == std::trunc(v) && std::fabs(v) < 9007199254740992.0) return QByteArray::number(qint64(v));
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return QByteArray(buf, r.ptr - buf);
}

// ---------------------------------------------------------------- registry

namespace {

bool validMetricName(QByteArrayView n) {
  if (n.isEmpty()) return false;
  for (qsizetype i = 0; i < n.size(); ++i) {
    const char c = n[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
    if (!alpha && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

bool validLabelName(QByteArrayView n) {
  if (n.isEmpty() || n.startsWith("__")) return false;
  for (qsizetype i = 0; i < n.size(); ++i) {
    const char c = n[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    if (!alpha && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

QByteArray escapeHelp(const QByteArray &s) {
  QByteArray out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

QByteArray escapeLabelValue(const QByteArray &s) {
  QByteArray out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

// {a="x",b="y"} with an optional extra pair appended (le for buckets); empty when no labels.
void appendLabels(QByteArray &out, const Labels &labels, const char *extraName = nullptr,
                  const QByteArray &extraValue = {}) {
  if (labels.empty() && !extraName) return;
  out += '{';
  bool first = true;
  for (const Label &l : labels) {
    if (!first) out += ',';
    first = false;
    out += l.name;
    out += "=\"";
    out += escapeLabelValue(l.value);
    out += '"';
  }
  if (extraName) {
    if (!first) out += ',';
    out += extraName;
    out += "=\"";
    out += extraValue;
    out += '"';
  }
  out += '}';
}

}  // namespace

struct Registry::Series {
  Labels labels;
  std::unique_ptr<Counter> counter;
  std::unique_ptr<Gauge> gauge;
  std::unique_ptr<Histogram> histogram;
  std::function<double()> callback;
};

struct Registry::Family {
  QByteArray name;
  QByteArray help;
  Type type;
  std::vector<double> buckets;  // histograms: as normalized by the first Histogram
  std::deque<Series> series;
};

Registry::Registry() = default;
Registry::~Registry() = default;

// Returns the (possibly new, empty) series for name+labels, or nullptr on misuse.
// Called with mutex_ held.
Registry::Series *Registry::find(Type type, QByteArrayView name, QAnyStringView help, const Labels &labels,
                                 const std::vector<double> *buckets) {
  const char *problem = nullptr;
  if (!validMetricName(name)) problem = "invalid metric name";
  else if (type == Type::Counter && !name.endsWith("_total")) problem = "counter names must end in _total";
  for (size_t i = 0; !problem && i < labels.size(); ++i) {
    if (!validLabelName(labels[i].name)) problem = "invalid label name";
    else if (type == Type::Histogram && labels[i].name == "le") problem = "histograms cannot have an \"le\" label";
    for (size_t j = 0; !problem && j < i; ++j)
      if (labels[j].name == labels[i].name) problem = "duplicate label name";
  }

  Family *family = nullptr;
  if (!problem) {
    for (auto &f : families_)
      if (f->name == name) family = f.get();
    if (family && family->type != type) problem = "metric name already registered with another type";
  }
  if (!problem && !family) {
    auto f = std::make_unique<Family>();
    f->name = name.toByteArray();
    f->help = help.toString().toUtf8();
    f->type = type;
    if (buckets) f->buckets = Histogram(*buckets).upperBounds();
    family = f.get();
    families_.push_back(std::move(f));
  }
  if (!problem && buckets && Histogram(*buckets).upperBounds() != family->buckets)
    problem = "histogram already registered with other buckets";

  if (problem) {
    qCCritical(lcCore, "metrics: %s: %.*s", problem, int(name.size()), name.data());
    Q_ASSERT_X(false, "rs::metrics::Registry", problem);
    return nullptr;
  }
  for (Series &s : family->series)
    if (s.labels == labels) return &s;
  family->series.emplace_back();
  family->series.back().labels = labels;
  return &family->series.back();
}

Counter &Registry::counter(QByteArrayView name, QAnyStringView help, const Labels &labels) {
  std::lock_guard lock(mutex_);
  Series *s = find(Type::Counter, name, help, labels, nullptr);
  if (s && s->callback) s = nullptr;  // already a callback series: cannot be both
  if (!s) return orphanCounters_.emplace_back();
  if (!s->counter) s->counter = std::make_unique<Counter>();
  return *s->counter;
}

Gauge &Registry::gauge(QByteArrayView name, QAnyStringView help, const Labels &labels) {
  std::lock_guard lock(mutex_);
  Series *s = find(Type::Gauge, name, help, labels, nullptr);
  if (s && s->callback) s = nullptr;
  if (!s) return orphanGauges_.emplace_back();
  if (!s->gauge) s->gauge = std::make_unique<Gauge>();
  return *s->gauge;
}

Histogram &Registry::histogram(QByteArrayView name, QAnyStringView help, std::vector<double> buckets,
                               const Labels &labels) {
  std::lock_guard lock(mutex_);
  Series *s = find(Type::Histogram, name, help, labels, &buckets);
  if (!s) return *orphanHistograms_.emplace_back(std::make_unique<Histogram>(std::move(buckets)));
  if (!s->histogram) s->histogram = std::make_unique<Histogram>(std::move(buckets));
  return *s->histogram;
}

void Registry::gaugeCallback(QByteArrayView name, QAnyStringView help, std::function<double()> fn,
                             const Labels &labels) {
  std::lock_guard lock(mutex_);
  Series *s = find(Type::Gauge, name, help, labels, nullptr);
  if (s && !s->gauge) s->callback = std::move(fn);
}

void Registry::counterCallback(QByteArrayView name, QAnyStringView help, std::function<double()> fn,
                               const Labels &labels) {
  std::lock_guard lock(mutex_);
  Series *s = find(Type::Counter, name, help, labels, nullptr);
  if (s && !s->counter) s->callback = std::move(fn);
}

QByteArray Registry::render() const {
  std::lock_guard lock(mutex_);
  QByteArray out;
  out.reserve(4096);
  for (const auto &f : families_) {
    out += "# HELP ";
    out += f->name;
    out += ' ';
    out += escapeHelp(f->help);
    out += "\n# TYPE ";
    out += f->name;
    out += f->type == Type::Counter ? " counter\n" : f->type == Type::Gauge ? " gauge\n" : " histogram\n";
    for (const Series &s : f->series) {
      if (f->type == Type::Histogram) {
        if (!s.histogram) continue;
        const auto &bounds = s.histogram->upperBounds();
        const auto counts = s.histogram->cumulativeCounts();
        for (size_t i = 0; i <= bounds.size(); ++i) {
          out += f->name;
          out += "_bucket";
          appendLabels(out, s.labels, "le", i < bounds.size() ? formatValue(bounds[i]) : QByteArray("+Inf"));
          out += ' ';
          out += QByteArray::number(quint64(counts[i]));
          out += '\n';
        }
        out += f->name;
        out += "_sum";
        appendLabels(out, s.labels);
        out += ' ';
        out += formatValue(s.histogram->sum());
        out += '\n';
        out += f->name;
        out += "_count";
        appendLabels(out, s.labels);
        out += ' ';
        out += QByteArray::number(quint64(counts.back()));
        out += '\n';
        continue;
      }
      double v;
      if (s.counter) v = s.counter->value();
      else if (s.gauge) v = s.gauge->value();
      else if (s.callback) v = s.callback();
      else continue;
      out += f->name;
      appendLabels(out, s.labels);
      out += ' ';
      out += formatValue(v);
      out += '\n';
    }
  }
  return out;
}

// ---------------------------------------------------------------- process metrics

namespace {

// Reads a small /proc file in one go; empty on failure.
QByteArray readProcFile(const char *path) {
  const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  QByteArray data;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) break;
    data.append(buf, n);
  }
  ::close(fd);
  return data;
}

// Fields of /proc/self/stat after the ")" closing the command name: index 0 is field 3.
QList<QByteArray> statFields() {
  const QByteArray stat = readProcFile("/proc/self/stat");
  const qsizetype paren = stat.lastIndexOf(')');
  if (paren < 0) return {};
  return stat.mid(paren + 2).trimmed().split(' ');
}

double statmPages(int field) {
  const QList<QByteArray> parts = readProcFile("/proc/self/statm").trimmed().split(' ');
  if (parts.size() <= field) return 0;
  return double(parts[field].toLongLong()) * double(sysconf(_SC_PAGESIZE));
}

double openFds() {
  DIR *dir = opendir("/proc/self/fd");
  if (!dir) return 0;
  const int own = dirfd(dir);
  int count = 0;
  while (dirent *e = readdir(dir)) {
    if (e->d_name[0] == '.') continue;
    if (std::atoi(e->d_name) == own) continue;  // the descriptor this listing uses
    ++count;
  }
  closedir(dir);
  return count;
}

double startTimeSeconds() {
  const QList<QByteArray> fields = statFields();
  const QByteArray procStat = readProcFile("/proc/stat");
  const qsizetype at = procStat.indexOf("\nbtime ");
  const long ticks = sysconf(_SC_CLK_TCK);
  if (fields.size() > 19 && at >= 0 && ticks > 0) {
    const qsizetype end = procStat.indexOf('\n', at + 1);
    const double boot = procStat.mid(at + 7, end - at - 7).trimmed().toDouble();
    return boot + fields[19].toDouble() / double(ticks);  // field 22: starttime in ticks
  }
  return double(QDateTime::currentMSecsSinceEpoch()) / 1000.0;  // close enough early in main()
}

}  // namespace

void addProcessMetrics(Registry &registry) {
  registry.counterCallback("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", [] {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return double(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           double(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
  });
  registry.gaugeCallback("process_resident_memory_bytes", "Resident memory size in bytes.",
                         [] { return statmPages(1); });
  registry.gaugeCallback("process_virtual_memory_bytes", "Virtual memory size in bytes.",
                         [] { return statmPages(0); });
  registry.gaugeCallback("process_open_fds", "Number of open file descriptors.", [] { return openFds(); });
  registry.gaugeCallback("process_max_fds", "Maximum number of open file descriptors.", [] {
    rlimit rl{};
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
      return std::numeric_limits<double>::infinity();
    return double(rl.rlim_cur);
  });
  registry.gauge("process_start_time_seconds", "Start time of the process since unix epoch in seconds.")
      .set(startTimeSeconds());
}

}  // namespace rs::metrics
