// Result<T>: the value of an operation that can fail in an expected way, or the reason it failed
// and where. Used across the core instead of exceptions.
#pragma once

#include <string>
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

struct Error {
  std::string message;
  Location where;

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

inline Error MakeError(std::string message, std::string path = {}) {
  return Error{std::move(message), Location{std::move(path)}};
}

}  // namespace leadkit
