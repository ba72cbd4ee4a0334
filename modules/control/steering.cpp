#include "control/steering.h"

#include <QHash>
#include <algorithm>
#include <cmath>

namespace rs::control {

namespace {

constexpr quint64 kFnvOffset = 0xcbf29ce484222325ULL;
constexpr quint64 kFnvPrime = 0x100000001b3ULL;

quint64 fnv1a(quint64 h, QByteArrayView bytes) {
  for (const char c : bytes) {
    h ^= quint64(quint8(c));
    h *= kFnvPrime;
  }
  return h;
}

quint64 splitMix64Finalise(quint64 z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

QString mbit(double v) { return QString::number(v, 'f', v >= 10 ? 0 : 1); }

struct Candidate {
  const Edge *edge;
  double score;
  bool overloaded;
  int tier;          // 0 client's region, 1 its overloaded, 2 other regions, 3 their overloaded
  int regionRank;    // rendezvous rank among the region's eligible edges
  int regionSize;
};

bool better(const Candidate &a, const Candidate &b) {
  if (a.score != b.score) return a.score > b.score;
  return a.edge->instanceId < b.edge->instanceId;
}

}  // namespace

quint64 rendezvousHash(QStringView title, QStringView instanceId) {
  quint64 h = fnv1a(kFnvOffset, title.toUtf8());
  h = fnv1a(h, QByteArrayView("\0", 1));
  return splitMix64Finalise(fnv1a(h, instanceId.toUtf8()));
}

double rendezvousUnit(quint64 hash) { return (double(hash >> 12) + 0.5) / 4503599627370496.0; /* 2^52 */ }

double rendezvousScore(double weight, double unit) { return -weight / std::log(unit); }

std::vector<RankedEdge> steer(const std::vector<Edge> &edges, const QString &title, const QString &clientRegion,
                              double overloadFraction) {
  std::vector<Candidate> c;
  for (const Edge &e : edges) {
    if (!e.live || !e.healthy) continue;
    const double score = rendezvousScore(e.capacityMbps, rendezvousUnit(rendezvousHash(title, e.instanceId)));
    const bool overloaded = e.servingMbps() > overloadFraction * e.capacityMbps;
    const int tier = (e.region == clientRegion ? 0 : 2) + (overloaded ? 1 : 0);
    c.push_back(Candidate{&e, score, overloaded, tier, 0, 0});
  }

  // The rendezvous rank within each region, overloaded or not: what the hash alone says.
  QHash<QString, std::vector<Candidate *>> byRegion;
  for (Candidate &x : c) byRegion[x.edge->region].push_back(&x);
  for (auto &group : byRegion) {
    std::sort(group.begin(), group.end(), [](const Candidate *a, const Candidate *b) { return better(*a, *b); });
    for (size_t i = 0; i < group.size(); ++i) {
      group[i]->regionRank = int(i) + 1;
      group[i]->regionSize = int(group.size());
    }
  }

  std::sort(c.begin(), c.end(), [](const Candidate &a, const Candidate &b) {
    return a.tier != b.tier ? a.tier < b.tier : better(a, b);
  });

  std::vector<RankedEdge> out;
  out.reserve(c.size());
  for (const Candidate &x : c) {
    const Edge &e = *x.edge;
    QString reason = e.region == clientRegion
                         ? QStringLiteral("region %1 (client's)").arg(e.region)
                         : QStringLiteral("region %1 (client's is %2)").arg(e.region, clientRegion);
    if (x.overloaded)
      reason += QStringLiteral("; spilled: %1 of %2 Mbit/s").arg(mbit(e.servingMbps()), mbit(e.capacityMbps));
    reason += QStringLiteral("; rendezvous rank %1 of %2 in region, weight %3 Mbit/s")
                  .arg(x.regionRank)
                  .arg(x.regionSize)
                  .arg(mbit(e.capacityMbps));
    out.push_back(RankedEdge{e.instanceId, e.url, e.region, int(out.size()) + 1, x.score, e.titles.contains(title),
                             x.overloaded, reason});
  }
  return out;
}

QJsonObject rankedEdgeToJson(const RankedEdge &e) {
  return QJsonObject{
      {QStringLiteral("instanceId"), e.instanceId},
      {QStringLiteral("url"), e.url},
      {QStringLiteral("region"), e.region},
      {QStringLiteral("rank"), e.rank},
      {QStringLiteral("score"), e.score},
      {QStringLiteral("holdsTitle"), e.holdsTitle},
      {QStringLiteral("overloaded"), e.overloaded},
      {QStringLiteral("reason"), e.reason},
  };
}

QJsonArray rankedEdgesToJson(const std::vector<RankedEdge> &edges) {
  QJsonArray out;
  for (const RankedEdge &e : edges) out.append(rankedEdgeToJson(e));
  return out;
}

}  // namespace rs::control
