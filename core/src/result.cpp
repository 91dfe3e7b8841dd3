#include "leadkit/result.hpp"

namespace leadkit {

std::string_view ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidInput: return "invalid_input";
    case ErrorCode::kNotFound: return "not_found";
    case ErrorCode::kConflict: return "conflict";
    case ErrorCode::kBusy: return "busy";
    case ErrorCode::kTooLarge: return "too_large";
    case ErrorCode::kUnsupported: return "unsupported";
    case ErrorCode::kInternal: return "internal";
    case ErrorCode::kAborted: return "aborted";
  }
  return "internal";
}

std::string Error::ToString() const {
  std::string prefix;
  if (!where.path.empty()) {
    prefix = where.path;
  } else if (where.line > 0) {
    prefix = "line " + std::to_string(where.line);
    if (where.column > 0) prefix += ", column " + std::to_string(where.column);
  } else if (where.row > 0) {
    prefix = "row " + std::to_string(where.row);
    if (where.column > 0) prefix += ", column " + std::to_string(where.column);
  }
  return prefix.empty() ? message : prefix + ": " + message;
}

}  // namespace leadkit
