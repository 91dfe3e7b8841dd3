#include "leadkit/result.hpp"

namespace leadkit {

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
