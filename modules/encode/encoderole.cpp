#include "encode/encoderole.h"

#include "core/roles/pendingrole.h"

namespace rs::encode {

std::unique_ptr<roles::Role> createEncodeRole() {
  return std::make_unique<roles::PendingRole>(QStringLiteral("encode"), QStringLiteral("the encode worker arrives with the media pipeline issue"));
}

}  // namespace rs::encode
