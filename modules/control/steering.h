#pragma once
// Steering: which edges a viewer should fetch a title from, best first, and why.
// A pure function of the edges control knows (docs/delivery.md, "Control HTTP
// interface"): only live, healthy edges; the client's region first; within a region
// weighted rendezvous hashing on the edge's capacity; overloaded edges after their
// region's others; then the other regions' edges by the same score.

#include "control/edges.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QString>
#include <vector>

namespace rs::control {

// hash(title, instanceId): 64-bit FNV-1a over the UTF-8 bytes of the title, one 0x00
// byte, and the UTF-8 bytes of the instance id; then the SplitMix64 finaliser, so
// ids that differ in one character land far apart.
quint64 rendezvousHash(QStringView title, QStringView instanceId);
// The hash's top 52 bits k as (k + 0.5) / 2^52: exact in a double and strictly inside
// (0, 1) even for the extreme hashes (53 bits would round the largest up to 1).
double rendezvousUnit(quint64 hash);
// −weight / ln(u): the largest score wins, and an edge of weight w wins a title with
// probability w / Σw (the "logarithmic method" of weighted rendezvous hashing).
double rendezvousScore(double weight, double unit);

struct RankedEdge {
  QString instanceId;
  QString url;
  QString region;
  int rank = 0;  // 1-based position in the answer
  double score = 0;
  bool holdsTitle = false;
  bool overloaded = false;
  QString reason;
};

// overloadFraction: `steer-overload`; an edge serving more than this share of its
// capacity is overloaded. Ties in score go to the smaller instance id.
std::vector<RankedEdge> steer(const std::vector<Edge> &edges, const QString &title, const QString &clientRegion,
                              double overloadFraction);

QJsonObject rankedEdgeToJson(const RankedEdge &edge);
QJsonArray rankedEdgesToJson(const std::vector<RankedEdge> &edges);

}  // namespace rs::control
