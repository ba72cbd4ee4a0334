#pragma once
// Account names: what people type is normalised once (NFKC, then case-folded) so
// "Alice", "ALICE" and "Ａｌｉｃｅ" are one account, and anything that could pass for
// another name (spaces, controls, bidi overrides, invisible characters) is refused.

#include "core/status.h"

#include <QString>

namespace rs::identity {

// 1–64 letters, digits and . _ - @ after normalisation; the error names the rule.
Result<QString> normalizeUsername(const QString &typed);

// "admin" or "viewer"; anything else is a clear error.
Result<QString> checkAccountRole(const QString &role);

}  // namespace rs::identity
