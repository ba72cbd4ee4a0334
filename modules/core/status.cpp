#include "core/status.h"

namespace rs {

int httpStatusFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::Ok: return 200;
    case ErrorCode::BadRequest: return 400;
    case ErrorCode::Unauthorized: return 401;
    case ErrorCode::Forbidden: return 403;
    case ErrorCode::NotFound: return 404;
    case ErrorCode::MethodNotAllowed: return 405;
    case ErrorCode::RequestTimeout: return 408;
    case ErrorCode::Conflict: return 409;
    case ErrorCode::PayloadTooLarge: return 413;
    case ErrorCode::UriTooLong: return 414;
    case ErrorCode::RangeNotSatisfiable: return 416;
    case ErrorCode::HeadersTooLarge: return 431;
    case ErrorCode::TooManyRequests: return 429;
    case ErrorCode::Internal: return 500;
    case ErrorCode::NotImplemented: return 501;
    case ErrorCode::BadGateway: return 502;
    case ErrorCode::Unavailable: return 503;
    case ErrorCode::GatewayTimeout: return 504;
    case ErrorCode::VersionNotSupported: return 505;
    case ErrorCode::IoError: return 500;
  }
  return 500;
}

QByteArray codeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::Ok: return "ok";
    case ErrorCode::BadRequest: return "bad_request";
    case ErrorCode::Unauthorized: return "unauthorized";
    case ErrorCode::Forbidden: return "forbidden";
    case ErrorCode::NotFound: return "not_found";
    case ErrorCode::MethodNotAllowed: return "method_not_allowed";
    case ErrorCode::RequestTimeout: return "request_timeout";
    case ErrorCode::Conflict: return "conflict";
    case ErrorCode::PayloadTooLarge: return "payload_too_large";
    case ErrorCode::UriTooLong: return "uri_too_long";
    case ErrorCode::RangeNotSatisfiable: return "range_not_satisfiable";
    case ErrorCode::HeadersTooLarge: return "headers_too_large";
    case ErrorCode::TooManyRequests: return "too_many_requests";
    case ErrorCode::Internal: return "internal";
    case ErrorCode::NotImplemented: return "not_implemented";
    case ErrorCode::BadGateway: return "bad_gateway";
    case ErrorCode::Unavailable: return "unavailable";
    case ErrorCode::GatewayTimeout: return "gateway_timeout";
    case ErrorCode::VersionNotSupported: return "http_version_not_supported";
    case ErrorCode::IoError: return "io_error";
  }
  return "internal";
}

ErrorCode errorCodeForHttpStatus(int status) {
  for (int c = int(ErrorCode::BadRequest); c <= int(ErrorCode::IoError); ++c) {
    if (httpStatusFor(ErrorCode(c)) == status) return ErrorCode(c);
  }
  return status >= 500 ? ErrorCode::Internal : ErrorCode::BadRequest;
}

}  // namespace rs
