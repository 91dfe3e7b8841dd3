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
  kCreatedAt, kUpdatedAt, kTags, kTouchCount, kEventCount, kLastTouchAt, kLastActivityAt,
  // Derived, not stored: the scoring model's output at the query's `now`, and the adopted
  // predictive model's probability. The workspace computes them (see DerivedColumns).
  kScore, kFit, kEngagement, kGrade, kProbability
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
bool IsScoreField(Field f);  // score, fit, engagement, grade

// Per-row columns computed outside the store, indexed by store row. The workspace refuses a query
// that reads a derived field before the store sees a null column here.
struct DerivedColumns {
  const std::vector<double>* total = nullptr;
  const std::vector<double>* fit = nullptr;
  const std::vector<double>* engagement = nullptr;
  const std::vector<uint8_t>* grade = nullptr;  // GradeName index: 0 = F ... 12 = A+
  const std::vector<double>* probability = nullptr;
};

struct Filter {
  Field field;
  FieldKind kind;
  std::vector<std::string> any_of;  // text/category/tag: equal to one of these (grade: its names)
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
  std::optional<int64_t> now;  // ms; what derived fields are computed at
  bool row_view = false;       // view: "row": rows carry the table's columns only (no activity)
};

inline constexpr size_t kMaxQueryLimit = 100'000;

// {filter: {stage: "mql", employees: {min: 50}, tags: ["vip"]}, search: "ana",
//  sort: {field: "employees", order: "desc"}, offset: 0, limit: 50, now: 1790000000000,
//  view: "row"}  (view "row": what a table shows, not the events, touches and history; "full" default)
// Derived fields filter and sort like stored ones: {score: {min: 60}, grade: ["A+", "A"]},
// sort {field: "grade", order: "desc"} puts A+ first.
Result<QuerySpec> ParseQuery(const nlohmann::json& j);

}  // namespace leadkit
