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
  // The search as typed, folded (FoldForSearch) and split at white space; a lead matches when
  // every word occurs in its name, company, e-mail or phone, in any order ("López Zofia").
  std::string search;                     // the words joined by one space
  std::vector<std::string> search_words;
  std::vector<std::string> search_digits;  // per word: its digits when it is written like part of
                                           // a phone number ("+48-601" → "48601"), else ""
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

// Text as search compares it: letters lower-cased and stripped of accents and other diacritics in
// the Latin, Greek and Cyrillic alphabets ("Łódź" → "lodz", "Straße" → "strasse", a decomposed
// "ó" → "o"), so that people find "López" by typing "lopez"; any other text is kept as it is.
std::string FoldForSearch(std::string_view text);
void AppendFoldedForSearch(std::string& out, std::string_view text);

// A lead's searchable text, each part folded and ended by a line break, so no word spans two
// parts; a phone also adds its digits alone, so "601234567" finds "+48 601 234 567".
void AppendSearchParts(std::string& out, std::string_view first_name, std::string_view last_name,
                       std::string_view company, std::string_view email, std::string_view phone);

// Whether a lead's searchable text (AppendSearchParts) holds every word of the query's search.
bool MatchesSearch(const QuerySpec& spec, std::string_view text);

}  // namespace leadkit
