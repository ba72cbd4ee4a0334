#include "player/abr/abr.h"

#include "player/abr/bba.h"
#include "player/abr/bola.h"
#include "player/abr/dynamic.h"
#include "player/abr/robustmpc.h"
#include "player/abr/throughputrule.h"

namespace rs::player {

int AbrInput::highestBelow(double bps) const {
  int best = 0;
  for (int i = 0; i < rungs(); ++i)
    if ((*bitrates)[std::size_t(i)] <= bps) best = i;
  return best;
}

QStringList abrNames() {
  return {QStringLiteral("throughput"), QStringLiteral("bba"), QStringLiteral("bola"), QStringLiteral("dynamic"),
          QStringLiteral("mpc")};
}

QString defaultAbr() { return QStringLiteral("mpc"); }

std::unique_ptr<AbrAlgorithm> makeAbr(QStringView name) {
  if (name == u"throughput") return std::make_unique<ThroughputRule>();
  if (name == u"bba") return std::make_unique<Bba>();
  if (name == u"bola") return std::make_unique<Bola>();
  if (name == u"dynamic") return std::make_unique<Dynamic>();
  if (name == u"mpc") return std::make_unique<RobustMpc>();
  return nullptr;
}

}  // namespace rs::player
