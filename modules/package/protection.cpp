#include "package/protection.h"

#include <QSet>

namespace rs::package {

QString schemeName(Scheme s) { return s == Scheme::Cenc ? QStringLiteral("cenc") : QStringLiteral("cbcs"); }

std::optional<Scheme> parseScheme(QStringView name) {
  if (name == u"cenc") return Scheme::Cenc;
  if (name == u"cbcs") return Scheme::Cbcs;
  return std::nullopt;
}

const TrackKey *TitleProtection::track(QStringView name) const {
  for (const TrackKey &t : tracks)
    if (t.track == name) return &t;
  return nullptr;
}

Status validate(const TitleProtection &p) {
  if (p.tracks.empty()) return Status(ErrorCode::BadRequest, QStringLiteral("protection names no track keys"));
  QSet<QString> ids, names;
  for (const TrackKey &t : p.tracks) {
    if (t.track.isEmpty() || names.contains(t.track))
      return Status(ErrorCode::BadRequest, QStringLiteral("protection track name '%1' is empty or repeated").arg(t.track));
    names.insert(t.track);
    if (!t.key.isSet() || !t.aes128Key.isSet())
      return Status(ErrorCode::BadRequest, QStringLiteral("track '%1' lacks a content key").arg(t.track));
    for (const Bytes16 &kid : {t.kid, t.aes128Kid}) {
      if (kid == Bytes16{}) return Status(ErrorCode::BadRequest, QStringLiteral("track '%1' has an all-zero key id").arg(t.track));
      if (ids.contains(toHex(kid)))
        return Status(ErrorCode::BadRequest, QStringLiteral("key id %1 is used twice").arg(toUuid(kid)));
      ids.insert(toHex(kid));
    }
    if (t.key == t.aes128Key)
      return Status(ErrorCode::BadRequest, QStringLiteral("track '%1' uses one key for CENC and AES-128").arg(t.track));
  }
  if (p.licenseUrl.isEmpty()) return Status(ErrorCode::BadRequest, QStringLiteral("protection has no license URL"));
  if (!p.hlsKeyUrl.contains(QStringLiteral("{kid}")))
    return Status(ErrorCode::BadRequest, QStringLiteral("the HLS key URL must contain {kid}"));
  return Status::ok();
}

QString hlsKeyUri(const TitleProtection &p, const Bytes16 &kid) {
  QString uri = p.hlsKeyUrl;
  return uri.replace(QStringLiteral("{kid}"), toHex(kid));
}

}  // namespace rs::package
