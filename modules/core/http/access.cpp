#include "core/http/access.h"

namespace rs::http {

const char *accessName(Access a) {
  switch (a) {
    case Access::Undeclared: return "undeclared";
    case Access::Public: return "public";
    case Access::Viewer: return "viewer";
    case Access::Admin: return "admin";
    case Access::Service: return "service";
    case Access::Media: return "media";
  }
  return "undeclared";
}

const char *authorityName(Principal::Authority a) {
  switch (a) {
    case Principal::Authority::None: return "anonymous";
    case Principal::Authority::Viewer: return "viewer";
    case Principal::Authority::Admin: return "admin";
    case Principal::Authority::Service: return "service";
  }
  return "anonymous";
}

bool Principal::satisfies(Access a) const {
  using A = Authority;
  switch (a) {
    case Access::Undeclared: return false;
    case Access::Public: return true;
    case Access::Viewer: return authority == A::Viewer || authority == A::Admin;
    case Access::Admin: return authority == A::Admin;
    case Access::Service: return authority == A::Service;
    case Access::Media: return authority == A::Service || kind == Kind::Playback;
  }
  return false;
}

}  // namespace rs::http
