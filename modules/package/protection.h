#pragma once
// What protecting a title takes, as plain data: the scheme, one key per track (video,
// and audio), the seed every IV is derived from, and where players get keys (the
// ClearKey license URL for DASH, the key URL for HLS). Where the keys come from is
// not this module's business: the encoder asks a KeySource (modules/encode/keysource.h).

#include "core/status.h"
#include "package/keys.h"

#include <QString>
#include <optional>
#include <vector>

namespace rs::package {

enum class Scheme { Cenc, Cbcs };

QString schemeName(Scheme s);                     // "cenc", "cbcs"
std::optional<Scheme> parseScheme(QStringView name);

struct TrackKey {
  QString track;            // "video" or "audio": every rendition of that kind shares it
  Bytes16 kid{};            // the CENC key id (tenc, pssh, cenc:default_KID)
  ContentKey key;           // the CENC content key
  // The HLS METHOD=AES-128 variant encrypts whole segments with a key of its own (a key
  // used with both CTR and CBC would give one mode's output as the other's input).
  Bytes16 aes128Kid{};      // names that key in its URL; it appears nowhere in the media
  ContentKey aes128Key;
};

struct TitleProtection {
  Scheme scheme = Scheme::Cenc;
  std::vector<TrackKey> tracks;
  // Every IV is derived from this (HMAC-SHA-256, per rendition and purpose). It is not
  // secret, but it must be fresh for each packaging of a title: the same key and IVs
  // over a re-encode would reuse the CTR keystream.
  Bytes16 ivSeed{};
  QString licenseUrl;       // ClearKey license endpoint (MPD dashif:Laurl)
  // HLS key URL; "{kid}" becomes the 32-hex-digit id of the key it must answer with
  // (raw 16 bytes): the CENC key for the SAMPLE-AES playlists, the AES-128 key for the
  // AES-128 variant.
  QString hlsKeyUrl;

  const TrackKey *track(QStringView name) const;
};

// Every track has its keys, no two keys share an id, the URLs are set. The message
// never contains key material.
Status validate(const TitleProtection &p);

// hlsKeyUrl with {kid} replaced by the key id's hex.
QString hlsKeyUri(const TitleProtection &p, const Bytes16 &kid);

}  // namespace rs::package
