// Result<T>: the value of an operation that can fail in an expected way, or the reason it failed
// and where. Used across the core instead of exceptions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace leadkit {

// Where a problem sits in the input. Unset members stay at their defaults.
struct Location {
  std::string path;  // e.g. "leads[12].employees"
  int row = -1;      // 1-based data row of a CSV or array index, -1 when unknown
  int line = -1;     // 1-based line in a text input (JSON, rules)
  int column = -1;   // 1-based column in that line
};

// What kind of failure: the one short list callers branch on (never on a message's text).
enum class ErrorCode : uint8_t {
  kInvalidInput,  // the caller's input is wrong; `where` says which part
  kNotFound,      // no such lead, import, model...
  kConflict,      // the data changed under the request, or a rule of the pipeline refuses it
  kBusy,          // something else of the same kind is running; try again when it ends
  kTooLarge,      // beyond a size or count limit
  kUnsupported,   // a format or feature leadkit does not read
  kInternal,      // a bug, or memory exhausted
  kAborted,       // the engine stopped and must be re-created
};

// "invalid_input", "not_found", ...: the names JS sees.
std::string_view ErrorCodeName(ErrorCode code);

struct Error {
  std::string message;
  Location where;
  ErrorCode code = ErrorCode::kInvalidInput;

  // "path: message" or "line L, column C: message": the form users read.
  std::string ToString() const;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : data_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Error error) : data_(std::move(error)) {}  // NOLINT

  bool ok() const { return std::holds_alternative<T>(data_); }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<T>(data_); }
  const T& value() const& { return std::get<T>(data_); }
  T&& value() && { return std::get<T>(std::move(data_)); }
  const Error& error() const { return std::get<Error>(data_); }

 private:
  std::variant<T, Error> data_;
};

struct Ok {};
using Status = Result<Ok>;

inline Error MakeError(std::string message, std::string path = {},
                       ErrorCode code = ErrorCode::kInvalidInput) {
  return Error{std::move(message), Location{std::move(path)}, code};
}

}  // namespace leadkit
