#pragma once
// `platform play URL|--title ID [--abr NAME] [--seconds N] [--report FILE]`: one real
// playback session over HTTP in real time, without decoding: the engine downloads and
// "plays" the bytes like a player would, prints its decisions as they happen and
// writes the same report as `platform simulate`.

#include <QStringList>

namespace rs::app {

int runPlayCommand(int argc, char **argv, const QStringList &args);

}  // namespace rs::app
