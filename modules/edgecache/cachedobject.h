#pragma once
// One cached HTTP object as both tiers hold it: what is needed to answer a request
// again (status, the upstream headers worth keeping, freshness) plus the body.

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QString>

namespace rs::edgecache {

struct ObjectMeta {
  QString key;                                      // "/media/t_1/video/240p/seg-1.m4s"
  int status = 200;
  QList<QPair<QByteArray, QByteArray>> headers;     // Content-Type, Cache-Control, ETag, Last-Modified
  qint64 size = 0;                                  // body bytes
  qint64 storedMs = 0;                              // wall clock when fetched
  qint64 expiresMs = 0;                             // fresh until (wall clock)
};

struct MemoryObject {
  ObjectMeta meta;
  QByteArray body;  // implicitly shared: serving never copies it
};

}  // namespace rs::edgecache
