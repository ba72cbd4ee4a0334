#include "identity/usernames.h"

#include <QList>

namespace rs::identity {

Result<QString> normalizeUsername(const QString &typed) {
  const QString name = typed.normalized(QString::NormalizationForm_KC).toCaseFolded();
  const QList<uint> points = name.toUcs4();
  if (points.isEmpty()) return Status(ErrorCode::BadRequest, QStringLiteral("user name is empty"));
  if (points.size() > 64) return Status(ErrorCode::BadRequest, QStringLiteral("user name is longer than 64 characters"));
  for (const uint c : points) {
    const bool punct = c == '.' || c == '_' || c == '-' || c == '@';
    if (!punct && !QChar::isLetterOrNumber(char32_t(c)))
      return Status(ErrorCode::BadRequest,
                    QStringLiteral("user name may hold only letters, digits and . _ - @ (U+%1 is none of them)")
                        .arg(QString::number(c, 16).toUpper().rightJustified(4, QLatin1Char('0'))));
  }
  return name;
}

Result<QString> checkAccountRole(const QString &role) {
  if (role == QLatin1String("admin") || role == QLatin1String("viewer")) return role;
  return Status(ErrorCode::BadRequest, QStringLiteral("role must be admin or viewer, not '%1'").arg(role.left(32)));
}

}  // namespace rs::identity
