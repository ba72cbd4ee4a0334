#include "edgecache/policy.h"

#include "edgecache/policies.h"

namespace rs::edgecache {

std::unique_ptr<EvictionPolicy> makePolicy(const QString &name) {
  if (name == u"lru") return makeLruPolicy();
  if (name == u"sieve") return makeSievePolicy();
  if (name == u"s3fifo") return makeS3FifoPolicy();
  return nullptr;
}

QStringList policyNames() { return {QStringLiteral("lru"), QStringLiteral("sieve"), QStringLiteral("s3fifo")}; }

}  // namespace rs::edgecache
