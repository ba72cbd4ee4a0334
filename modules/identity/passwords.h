#pragma once
// Password hashing with scrypt (memory-hard, through OpenSSL 3's EVP_KDF), a per-user
// random salt, constant-time comparison, and the password policy. Hashes are stored as
// "$scrypt$ln=15,r=8,p=1$<salt>$<hash>" (base64url), so parameters can be raised later
// and old hashes still verify (and are re-hashed at the next login).

#include "core/status.h"

#include <QString>

namespace rs::identity {

struct ScryptParams {
  quint64 n = 32768;  // 2^15: 32 MiB with r = 8, about 0.1 s on one core
  quint32 r = 8;
  quint32 p = 1;
};

// From --scrypt-n/-r/-p: N a power of two ≥ 2^10, memory (128·N·r) at most 1 GiB.
Result<ScryptParams> checkScryptParams(quint64 n, quint32 r, quint32 p);

QString hashPassword(const QString &password, const ScryptParams &params);
// False for a wrong password and for anything that is not one of our hashes.
bool verifyPassword(const QString &password, const QString &encoded);
// True when `encoded` was made with other parameters than `params`.
bool needsRehash(const QString &encoded, const ScryptParams &params);

// At least `minLength` characters (code points, after NFC), at most 1024, no control
// characters; the error says which rule failed and never echoes the password.
Status checkPasswordPolicy(const QString &password, int minLength);

// A fresh password for generated accounts (first admin): 24 base64url characters.
QString generatePassword();

}  // namespace rs::identity
