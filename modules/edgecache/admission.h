#pragma once
// Who gets into the disk tier. "second-hit" keeps one-hit wonders out: a key is
// admitted on its second request while the doorkeeper still remembers the first.
// Thread-safe.

#include <QString>
#include <memory>

namespace rs::edgecache {

class Admission {
 public:
  virtual ~Admission() = default;
  virtual QString name() const = 0;
  // Called for every request of a key (hit or miss), before the tier is asked.
  virtual void recordRequest(const QString &key) = 0;
  // Should this object, just fetched, be stored on disk?
  virtual bool admit(const QString &key, qint64 size) = 0;
};

// "always" or "second-hit" (remembering the last `memory` distinct keys); null otherwise.
std::unique_ptr<Admission> makeAdmission(const QString &name, int memory = 100000);

}  // namespace rs::edgecache
