#include "identity/passwords.h"

#include "core/auth/crypto.h"

#include <QStringList>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>

#include <memory>

namespace rs::identity {

namespace {
constexpr int kSaltBytes = 16;
constexpr int kHashBytes = 32;
constexpr quint64 kMaxMemory = quint64(1) << 30;

struct KdfDeleter { void operator()(EVP_KDF *k) const { EVP_KDF_free(k); } };
struct KdfCtxDeleter { void operator()(EVP_KDF_CTX *c) const { EVP_KDF_CTX_free(c); } };

// RFC 8265 (OpaqueString) prepares passwords with NFC: the same password typed on two
// keyboards gives the same bytes.
QByteArray prepared(const QString &password) { return password.normalized(QString::NormalizationForm_C).toUtf8(); }

QByteArray scrypt(const QByteArray &password, const QByteArray &salt, const ScryptParams &p) {
  std::unique_ptr<EVP_KDF, KdfDeleter> kdf(EVP_KDF_fetch(nullptr, "SCRYPT", nullptr));
  std::unique_ptr<EVP_KDF_CTX, KdfCtxDeleter> ctx(kdf ? EVP_KDF_CTX_new(kdf.get()) : nullptr);
  if (!ctx) return {};
  uint64_t n = p.n, maxmem = kMaxMemory + (kMaxMemory >> 2);
  uint32_t r = p.r, par = p.p;
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD, const_cast<char *>(password.data()), size_t(password.size())),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, const_cast<char *>(salt.data()), size_t(salt.size())),
      OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_N, &n),
      OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_R, &r),
      OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_P, &par),
      OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_MAXMEM, &maxmem),
      OSSL_PARAM_construct_end()};
  QByteArray out(kHashBytes, Qt::Uninitialized);
  if (EVP_KDF_derive(ctx.get(), reinterpret_cast<unsigned char *>(out.data()), size_t(out.size()), params) != 1) return {};
  return out;
}

struct Parsed {
  ScryptParams params;
  QByteArray salt, hash;
};

std::optional<Parsed> parse(const QString &encoded) {
  // "", "scrypt", "ln=15,r=8,p=1", salt, hash
  const QStringList parts = encoded.split(QLatin1Char('$'));
  if (parts.size() != 5 || !parts[0].isEmpty() || parts[1] != QLatin1String("scrypt")) return std::nullopt;
  Parsed out;
  int seen = 0;
  for (const QString &kv : parts[2].split(QLatin1Char(','))) {
    bool ok = false;
    const quint64 v = kv.section(QLatin1Char('='), 1).toULongLong(&ok);
    if (!ok) return std::nullopt;
    const QString k = kv.section(QLatin1Char('='), 0, 0);
    if (k == QLatin1String("ln") && v >= 1 && v < 40) out.params.n = quint64(1) << v, seen |= 1;
    else if (k == QLatin1String("r") && v >= 1 && v < 1024) out.params.r = quint32(v), seen |= 2;
    else if (k == QLatin1String("p") && v >= 1 && v < 1024) out.params.p = quint32(v), seen |= 4;
    else return std::nullopt;
  }
  const auto salt = auth::fromBase64Url(parts[3].toLatin1());
  const auto hash = auth::fromBase64Url(parts[4].toLatin1());
  if (seen != 7 || !salt || !hash || hash->size() != kHashBytes || salt->size() < 8) return std::nullopt;
  out.salt = *salt;
  out.hash = *hash;
  return out;
}

int log2(quint64 n) {
  int l = 0;
  while ((quint64(1) << l) < n) ++l;
  return l;
}
}  // namespace

Result<ScryptParams> checkScryptParams(quint64 n, quint32 r, quint32 p) {
  if (n < 1024 || (n & (n - 1)) != 0)
    return Status(ErrorCode::BadRequest, QStringLiteral("--scrypt-n must be a power of two, at least 1024"));
  if (r < 1 || r > 64 || p < 1 || p > 16)
    return Status(ErrorCode::BadRequest, QStringLiteral("--scrypt-r must be 1..64 and --scrypt-p 1..16"));
  if (128 * n * r > kMaxMemory)
    return Status(ErrorCode::BadRequest, QStringLiteral("scrypt would need more than 1 GiB per login (128 x N x r)"));
  return ScryptParams{n, r, p};
}

QString hashPassword(const QString &password, const ScryptParams &params) {
  const QByteArray salt = auth::randomBytes(kSaltBytes);
  const QByteArray hash = scrypt(prepared(password), salt, params);
  if (hash.isEmpty()) return {};
  return QStringLiteral("$scrypt$ln=%1,r=%2,p=%3$%4$%5")
      .arg(log2(params.n))
      .arg(params.r)
      .arg(params.p)
      .arg(QString::fromLatin1(auth::base64Url(salt)), QString::fromLatin1(auth::base64Url(hash)));
}

bool verifyPassword(const QString &password, const QString &encoded) {
  const auto p = parse(encoded);
  if (!p || 128 * p->params.n * p->params.r > kMaxMemory) return false;
  const QByteArray hash = scrypt(prepared(password), p->salt, p->params);
  return !hash.isEmpty() && auth::constantTimeEqual(hash, p->hash);
}

bool needsRehash(const QString &encoded, const ScryptParams &params) {
  const auto p = parse(encoded);
  return !p || p->params.n != params.n || p->params.r != params.r || p->params.p != params.p;
}

Status checkPasswordPolicy(const QString &password, int minLength) {
  const QString nfc = password.normalized(QString::NormalizationForm_C);
  const qsizetype length = nfc.toUcs4().size();
  if (length < minLength)
    return Status(ErrorCode::BadRequest, QStringLiteral("password too short: at least %1 characters").arg(minLength));
  if (length > 1024) return Status(ErrorCode::BadRequest, QStringLiteral("password too long: at most 1024 characters"));
  for (const char32_t c : nfc.toUcs4()) {
    if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0))
      return Status(ErrorCode::BadRequest, QStringLiteral("password must not contain control characters"));
  }
  return Status::ok();
}

QString generatePassword() { return QString::fromLatin1(auth::base64Url(auth::randomBytes(18))); }

}  // namespace rs::identity
