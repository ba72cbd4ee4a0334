#pragma once
// The policy implementations behind makePolicy(), one file each.

#include "edgecache/policy.h"

namespace rs::edgecache {

std::unique_ptr<EvictionPolicy> makeLruPolicy();
std::unique_ptr<EvictionPolicy> makeSievePolicy();
std::unique_ptr<EvictionPolicy> makeS3FifoPolicy();

}  // namespace rs::edgecache
