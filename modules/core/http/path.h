#pragma once
// Turning a raw request-target into the path the router and file server see.
// Percent-decoding happens exactly once, here, and dot-segments are resolved after
// it, so "%2e%2e/" and "..%2f" climb the same way "../" does and are caught the same.

#include "core/status.h"

#include <QByteArray>
#include <QString>

namespace rs::http {

struct Target {
  QString path;      // decoded, dot-segments resolved, always starts with '/'
  QByteArray query;  // raw, undecoded query (after '?'), empty if none
};

// Errors (all BadRequest): not origin-form (must start with '/'; "*" and absolute-form
// are refused), invalid percent-escape, decoded NUL or control byte, invalid UTF-8,
// a path that climbs above the root ("/../x", "/a/../../x"), a backslash.
Result<Target> parseTarget(QByteArrayView rawTarget);

}  // namespace rs::http
