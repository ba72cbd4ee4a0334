#pragma once
// The encode role: a worker with no listener. It polls control for a job, runs it on
// its own thread (JobRunner) and reports progress, one job at a time per process;
// run more processes (or machines) with --role=encode for a bigger farm.

#include "core/roles/roles.h"

namespace rs::encode {
std::unique_ptr<roles::Role> createEncodeRole();
}
