#pragma once
// `platform simulate --title ID|--manifest URL|FILE --trace FILE|NAME --abr NAME|all
// [--rtt-ms 80] [--buffer-cap S] [--report FILE]`: plays a title through the ABR
// engine against a bandwidth trace in virtual time and prints (and writes) the report;
// with --abr all, every algorithm on the same trace and a comparison table.

#include <QStringList>

namespace rs::app {

int runSimulateCommand(int argc, char **argv, const QStringList &args);

}  // namespace rs::app
