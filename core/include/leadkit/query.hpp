// What a user asks of the lead table: filters, a text search, a sort and a page. Parsed from the
// JSON the JS API passes, with an error naming any unknown field or ill-typed value.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "leadkit/result.hpp"

namespace leadkit {

enum class Field : uint8_t {
  kId, kFirstName, kLastName, kEmail, kPhone, kCompany, kTitle, kIndustry, kEmployees,
  kAnnualRevenue, kCountry, kRegion, kDomain, kSource, kDirection, kStage, kDealValue, kCurrency,
  kCreatedAt, kUpdatedAt, kTags, kTouchCount, kEventCount, kLastTouchAt, kLastActivityAt
};

// How a field is compared: text by case-insensitive order, categories by their own order (stages in
// pipeline order), numbers and times numerically. Missing values always sort last.
enum class FieldKind : uint8_t { kText, kCategory, kNumber, kTime, kTagSet };

struct FieldInfo {
  Field field;
  std::string_view name;  // the lead's JSON key
  FieldKind kind;
};

std::optional<FieldInfo> FindField(std::string_view name);
const std::vector<FieldInfo>& AllFields();

struct Filter {
  Field field;
  FieldKind kind;
  std::vector<std::string> any_of;  // text/category/tag: equal to one of these
  std::vector<double> numbers;      // number/time: equal to one of these
  double min = -std::numeric_limits<double>::infinity();  // number/time: inclusive range
  double max = std::numeric_limits<double>::infinity();
};

struct QuerySpec {
  std::vector<Filter> filters;
  std::string search;  // lower-cased; matched against name, company and e-mail
  std::optional<Field> sort;
  bool descending = false;
  size_t offset = 0;
  size_t limit = 50;
};

inline constexpr size_t kMaxQueryLimit = 100'000;

// {filter: {stage: "mql", employees: {min: 50}, tags: ["vip"]}, search: "ana",
//  sort: {field: "employees", order: "desc"}, offset: 0, limit: 50}
Result<QuerySpec> ParseQuery(const nlohmann::json& j);

}  // namespace leadkit
